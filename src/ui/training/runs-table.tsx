/**
 * The runs table: one row per kept run in the columns of the seed project's experiment table
 * (runs-columns.ts), sortable by any column (a button in each header, `aria-sort` on the
 * sorted one), with a box per run to pick it for the comparison chart, the run's export as a
 * training project, and Delete.
 */
import { useState } from 'react';
import type { RunRecord } from '../../storage/run-store';
import { ExportProjectButton } from '../export/export-project-button';
import { DeleteButton } from '../models/delete-button';
import { RUN_COLUMNS, sortRuns, type NumberedRun, type RunSort } from './runs-columns';

export interface RunsTableProps {
  /** The kept runs, oldest first (their numbers follow this order). */
  runs: RunRecord[];
  /** Runs picked for the comparison chart, by id; with `onToggleSelected`, a Compare column. */
  selected?: ReadonlySet<number>;
  onToggleSelected?: (id: number) => void;
  /** With it, each row has Delete (which asks once more). */
  onDelete?: (id: number) => void;
}

/** The runs numbered from 1 in the order they ended. */
export function numberRuns(runs: readonly RunRecord[]): NumberedRun[] {
  return runs.map((run, index) => ({ run, number: index + 1 }));
}

const INITIAL_SORT: RunSort = { column: 'number', direction: 'ascending' };

export function RunsTable({ runs, selected, onToggleSelected, onDelete }: RunsTableProps) {
  const [sort, setSort] = useState<RunSort>(INITIAL_SORT);
  if (runs.length === 0) return null;
  const rows = sortRuns(numberRuns(runs), sort);
  const sortBy = (column: RunSort['column']) =>
    setSort((current) => ({
      column,
      direction:
        current.column === column && current.direction === 'ascending' ? 'descending' : 'ascending',
    }));
  return (
    <div className="table-scroll">
      <table aria-label="Runs" className="runs-table">
        <thead>
          <tr>
            {onToggleSelected && <th scope="col">Compare</th>}
            {RUN_COLUMNS.map((column) => (
              <th
                key={column.id}
                className={`runs-col-${column.id}`}
                scope="col"
                aria-sort={sort.column === column.id ? sort.direction : undefined}
              >
                <button type="button" className="sort-button" onClick={() => sortBy(column.id)}>
                  {column.header}
                  <span aria-hidden="true" className="sort-mark">
                    {sort.column !== column.id ? '' : sort.direction === 'ascending' ? ' ▲' : ' ▼'}
                  </span>
                </button>
              </th>
            ))}
            <th scope="col">Export</th>
            {onDelete && <th scope="col">Delete</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <RunRow
              key={row.run.id}
              row={row}
              isSelected={selected?.has(row.run.id) ?? false}
              onToggleSelected={onToggleSelected}
              onDelete={onDelete}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({
  row,
  isSelected,
  onToggleSelected,
  onDelete,
}: {
  row: NumberedRun;
  isSelected: boolean;
  onToggleSelected?: (id: number) => void;
  onDelete?: (id: number) => void;
}) {
  const { run, number } = row;
  return (
    <tr>
      {onToggleSelected && (
        <td>
          <input
            type="checkbox"
            aria-label={`Compare run ${number}`}
            checked={isSelected}
            onChange={() => onToggleSelected(run.id)}
          />
        </td>
      )}
      {RUN_COLUMNS.map((column) => (
        <td key={column.id} className={`runs-col-${column.id}${column.isNumeric ? ' num' : ''}`}>
          {column.text(row)}
        </td>
      ))}
      <td>
        <ExportProjectButton
          params={run.trainingParams}
          stem={`${run.trainingParams.architectureId}-run-${number}`}
          label={`Export as a training project: run ${number}`}
        />
      </td>
      {onDelete && (
        <td>
          <DeleteButton
            name={`run ${number} (${run.architectureLabel})`}
            label={`Delete run ${number}`}
            disabled={false}
            onDelete={() => onDelete(run.id)}
          />
        </td>
      )}
    </tr>
  );
}
