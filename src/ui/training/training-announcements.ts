/**
 * What a screen reader hears about a run, from the change between two training states: the
 * run's events (started, paused, an epoch done, finished) and, while it trains, how far it is.
 * Plain functions; the calm announcer decides when each is said.
 */
import { formatPercent } from '../format';
import type { TrainingState, TrainingStatus } from './training-state';

const STATUS_EVENTS: Partial<Record<TrainingStatus, string>> = {
  starting: 'Training started.',
  paused: 'Training paused.',
  stopping: 'Stopping at the end of this batch.',
  evaluating: 'Evaluating on the test set.',
};

/** The events between `before` and `after`, in order; none for a failure (its alert speaks). */
export function announcementsBetween(before: TrainingState | null, after: TrainingState): string[] {
  const texts: string[] = [];
  const isNewRun = before !== null && after.runId !== before.runId;
  // A new run's epochs are a resumed checkpoint's history, not news.
  const epoch = after.epochs.at(-1);
  if (before && !isNewRun && epoch && after.params && after.epochs.length > before.epochs.length) {
    const validation = Number.isFinite(epoch.valAccuracy)
      ? `, validation accuracy ${formatPercent(epoch.valAccuracy)}`
      : '';
    texts.push(
      `Epoch ${epoch.epoch + 1} of ${after.params.epochs} done: accuracy ${formatPercent(epoch.accuracy)}${validation}.`,
    );
  }
  if (before?.status !== after.status || isNewRun) {
    if (after.status === 'running' && before?.status === 'paused')
      texts.push('Training continues.');
    else if (after.status === 'finished') {
      texts.push(
        after.evaluation
          ? `Finished: test accuracy ${formatPercent(after.evaluation.accuracy)}.`
          : 'Finished.',
      );
    } else {
      const text = STATUS_EVENTS[after.status];
      if (text && before !== null) texts.push(text);
    }
  }
  return texts;
}

/** How far the run is, while it trains: "Epoch 3 of 10, 24% of the run done." */
export function progressAnnouncement(state: TrainingState): string | null {
  const { lastBatch, params } = state;
  if (state.status !== 'running' || !lastBatch || !params || params.epochs === 0) return null;
  const total = lastBatch.batchesPerEpoch * params.epochs;
  const done = lastBatch.epoch * lastBatch.batchesPerEpoch + lastBatch.batch + 1;
  return `Epoch ${lastBatch.epoch + 1} of ${params.epochs}, ${Math.floor((done / total) * 100)}% of the run done.`;
}
