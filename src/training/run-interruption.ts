/**
 * What can end a run from under it without a bug in the run: the GPU's WebGL context lost (a
 * driver reset, a GPU process crash, the browser reclaiming GPU memory), or losses that are no
 * longer numbers. tfjs only logs a context loss and goes on computing garbage, so the engine
 * watches for both, stops the run at the next batch boundary and never keeps what was
 * computed after (no checkpoint, no model).
 */
import * as tf from '@tensorflow/tfjs';
import { activeWebglContext } from './backend/webgl';

export type RunInterruption =
  | { kind: 'gpu-lost'; epoch: number }
  | { kind: 'not-finite'; epoch: number; batch: number; loss: number };

/** Watches the WebGL context of the active tfjs backend (nothing to watch on wasm or cpu). */
export interface WebglContextWatch {
  /** True as soon as the context is lost, before its event has been handled. */
  isLost(): boolean;
  dispose(): void;
}

/** Calls `onLost` when tfjs's WebGL context fires `webglcontextlost`. */
export function watchWebglContext(onLost: () => void): WebglContextWatch {
  const gl = tf.getBackend() === 'webgl' ? activeWebglContext() : undefined;
  if (!gl) return { isLost: () => false, dispose: () => undefined };
  // An OffscreenCanvas in a worker, an HTMLCanvasElement on the main thread: both fire it.
  const canvas = gl.canvas as unknown as EventTarget;
  const listener = () => onLost();
  canvas.addEventListener('webglcontextlost', listener);
  return {
    isLost: () => gl.isContextLost(),
    dispose: () => canvas.removeEventListener('webglcontextlost', listener),
  };
}

/**
 * Loses tfjs's WebGL context on purpose (WEBGL_lose_context), as a driver reset would; the
 * training worker offers it to developer tools and tests. False when there is none to lose.
 */
export function loseWebglContext(): boolean {
  const extension = activeWebglContext()?.getExtension('WEBGL_lose_context');
  extension?.loseContext();
  return extension !== undefined && extension !== null;
}

/** The page's sentence for an interrupted run; `checkpointEpoch` is the last one kept. */
export function describeInterruption(
  interruption: RunInterruption,
  checkpointEpoch: number | null,
): string {
  const what =
    interruption.kind === 'gpu-lost'
      ? `The GPU's WebGL context was lost during epoch ${interruption.epoch + 1} (a driver reset, a GPU process crash, or the browser reclaiming GPU memory).`
      : `The training loss became ${interruption.loss} in epoch ${interruption.epoch + 1}, batch ${interruption.batch + 1}: the weights are no longer numbers${tf.getBackend() === 'webgl' ? '' : ' (the learning rate may be too high)'}.`;
  const kept =
    checkpointEpoch === null
      ? 'No checkpoint of this run was kept, so it has to start again.'
      : `Nothing computed after that was kept; the checkpoint after epoch ${checkpointEpoch} is intact and "Resume training from epoch ${checkpointEpoch}" continues from it on a fresh backend.`;
  return `${what} The run was stopped. ${kept}`;
}
