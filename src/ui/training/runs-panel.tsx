/**
 * The runs kept in this browser: the table (sortable, runs picked for comparison, Delete), the
 * table as Markdown for a report or as CSV for a notebook, and the picked runs' validation
 * accuracy in one chart. Loaded lazily: the first screen has no runs to show.
 */
import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { errorMessage } from '../../shared/errors';
import { saveFile } from '../save-file';
import { runsCsv, runsMarkdown, type NumberedRun } from './runs-columns';
import { numberRuns, RunsTable } from './runs-table';
import type { RunHistory } from './use-run-history';

const RunComparisonChart = lazy(() =>
  import('../charts/training-charts').then((m) => ({ default: m.RunComparisonChart })),
);

/** How many runs the comparison needs before it draws. */
const MIN_COMPARED_RUNS = 2;

export function RunsPanel({ history }: { history: RunHistory }) {
  const titleId = useId();
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const { runs } = history;
  const numbered = useMemo(() => numberRuns(runs), [runs]);
  // One array per selection, so the chart redraws when the selection changes and only then.
  const compared = useMemo(
    () =>
      numbered
        .filter(({ run }) => selected.has(run.id))
        .map(({ run, number }) => ({
          name: `run ${number}: ${run.architectureLabel}`,
          history: run.history,
        })),
    [numbered, selected],
  );
  if (runs.length === 0 && !history.problem) return null;

  const toggle = (id: number) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section className="panel runs-panel" aria-labelledby={titleId}>
      <h2 id={titleId}>Runs</h2>
      <p className="muted small">
        Every finished run, kept in this browser until you delete it. Sort by any column; tick runs
        to compare their validation accuracy per epoch.
      </p>
      {history.problem && <p className="alert">{history.problem}</p>}
      {runs.length > 0 && <RunsActions numbered={numbered} />}
      <RunsTable
        runs={runs}
        selected={selected}
        onToggleSelected={toggle}
        onDelete={(id) => {
          setSelected((current) => new Set([...current].filter((s) => s !== id)));
          history.remove(id);
        }}
      />
      {compared.length >= MIN_COMPARED_RUNS ? (
        <Suspense fallback={<p className="muted">Loading chart…</p>}>
          <RunComparisonChart runs={compared} />
        </Suspense>
      ) : (
        runs.length >= MIN_COMPARED_RUNS && (
          <p className="muted small">
            Tick two or more runs under Compare to draw their validation accuracy in one chart.
          </p>
        )
      )}
    </section>
  );
}

/** Copy as Markdown (for a report or an issue) and Download CSV (for a notebook). */
function RunsActions({ numbered }: { numbered: NumberedRun[] }) {
  const [copyNote, setCopyNote] = useState<{ text: string; isError: boolean } | null>(null);
  const copyMarkdown = async () => {
    try {
      await navigator.clipboard.writeText(runsMarkdown(numbered) + '\n');
      const runs = numbered.length === 1 ? '1 run' : `${numbered.length} runs`;
      setCopyNote({ text: `Copied ${runs} as a Markdown table.`, isError: false });
    } catch (error) {
      setCopyNote({ text: `Could not copy: ${errorMessage(error)}`, isError: true });
    }
  };
  const downloadCsv = () =>
    saveFile('runs.csv', new Blob([runsCsv(numbered)], { type: 'text/csv' }));
  return (
    <div className="table-actions">
      <button type="button" className="small-button" onClick={() => void copyMarkdown()}>
        Copy as Markdown
      </button>
      <button type="button" className="small-button" onClick={downloadCsv}>
        Download CSV
      </button>
      {copyNote && (
        <span role={copyNote.isError ? 'alert' : 'status'} className="muted small">
          {copyNote.text}
        </span>
      )}
    </div>
  );
}
