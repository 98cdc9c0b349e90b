/**
 * Where the runs panel goes on the page: nothing until there is a run to list (or a reason
 * runs are not kept), then the panel, loaded lazily since the first screen has no runs.
 */
import { lazy, Suspense } from 'react';
import type { RunHistory } from './use-run-history';

const RunsPanel = lazy(() => import('./runs-panel').then((m) => ({ default: m.RunsPanel })));

export function RunsSection({ history }: { history: RunHistory }) {
  if (history.runs.length === 0 && !history.problem) return null;
  return (
    <Suspense fallback={null}>
      <RunsPanel history={history} />
    </Suspense>
  );
}
