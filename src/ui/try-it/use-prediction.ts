/**
 * One question to the current model at a time: the input it was given, its answer, or why
 * there is none. A newer question wins over a slower older one, and an answer is shown only
 * while the model that gave it is current.
 */
import { useCallback, useReducer, useRef } from 'react';
import { NUM_CLASSES } from '../../config/dataset';
import { errorMessage } from '../../shared/errors';
import type { CurrentModel } from '../models/current-model';

interface PredictionState {
  input: { image: Uint8Array; description: string } | null;
  /** float32 [10], one probability per class, from model `modelId`. */
  answer: { modelId: string; probabilities: Float32Array } | null;
  error: string | null;
  isPredicting: boolean;
}

type PredictionAction =
  | { type: 'asked'; image: Uint8Array; description: string }
  | { type: 'answered'; modelId: string; probabilities: Float32Array }
  | { type: 'failed'; message: string }
  /** An input that could not be made (a bad picture): the last question stays on screen. */
  | { type: 'input-failed'; message: string }
  | { type: 'cleared' };

const INITIAL_PREDICTION: PredictionState = {
  input: null,
  answer: null,
  error: null,
  isPredicting: false,
};

function predictionReducer(state: PredictionState, action: PredictionAction): PredictionState {
  switch (action.type) {
    case 'asked':
      return {
        ...state,
        input: { image: action.image, description: action.description },
        error: null,
        isPredicting: true,
      };
    case 'answered':
      return {
        ...state,
        answer: { modelId: action.modelId, probabilities: action.probabilities },
        isPredicting: false,
      };
    case 'failed':
      return { ...state, answer: null, error: action.message, isPredicting: false };
    case 'input-failed':
      return { ...state, error: action.message };
    case 'cleared':
      return INITIAL_PREDICTION;
  }
}

/** The question on screen, the answer to it, and how to ask the next. */
export interface Prediction {
  input: PredictionState['input'];
  /** The current model's answer, float32 [10]; null before one or for another model. */
  probabilities: Float32Array | null;
  error: string | null;
  isPredicting: boolean;
  /** Asks the current model about `image`, uint8 [784] light-on-dark. */
  ask: (image: Uint8Array, description: string) => void;
  /** Shows why an input could not be made. */
  failInput: (message: string) => void;
  clear: () => void;
}

/** `predict`: uint8 [n × 784] light-on-dark images → float32 [n × 10], from `current`. */
export function usePrediction(
  current: CurrentModel | null,
  predict: (images: Uint8Array) => Promise<Float32Array>,
): Prediction {
  const [state, dispatch] = useReducer(predictionReducer, INITIAL_PREDICTION);
  /** Increases with every question, so a slow answer cannot overwrite a newer one. */
  const requestRef = useRef(0);

  const ask = useCallback(
    (image: Uint8Array, description: string) => {
      if (!current) return;
      const request = ++requestRef.current;
      dispatch({ type: 'asked', image, description });
      void (async () => {
        try {
          const probabilities = await predict(image);
          if (request !== requestRef.current) return;
          dispatch({
            type: 'answered',
            modelId: current.id,
            probabilities: probabilities.slice(0, NUM_CLASSES),
          });
        } catch (cause) {
          if (request !== requestRef.current) return;
          dispatch({ type: 'failed', message: `Prediction failed: ${errorMessage(cause)}` });
        }
      })();
    },
    [current, predict],
  );

  const failInput = useCallback(
    (message: string) => dispatch({ type: 'input-failed', message }),
    [],
  );

  const clear = useCallback(() => {
    requestRef.current++;
    dispatch({ type: 'cleared' });
  }, []);

  const { answer } = state;
  return {
    input: state.input,
    probabilities: answer && answer.modelId === current?.id ? answer.probabilities : null,
    error: state.error,
    isPredicting: state.isPredicting,
    ask,
    failInput,
    clear,
  };
}
