import { useMemo, useState } from 'react';
import type { ResultRow, SortKey } from './analysisModel.ts';
import { formatValue, sortRows } from './analysisModel.ts';

export interface ResultsTableProps {
  readonly rows: readonly ResultRow[];
  /** Header of the value column ("Betweenness", "Community"). */
  readonly valueLabel: string;
  readonly selectedId?: string | undefined;
  onSelect: (entityId: string) => void;
}

/** Rows drawn at once; a 50k-node result is sorted in full but only its head is shown. */
const SHOWN_ROWS = 500;

export function ResultsTable({ rows, valueLabel, selectedId, onSelect }: ResultsTableProps) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'rank',
    descending: false,
  });
  const sorted = useMemo(() => sortRows(rows, sort.key, sort.descending), [rows, sort]);
  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button
          type="button"
          className="analysis-sort"
          data-testid={`analysis-sort-${key}`}
          onClick={() => setSort({ key, descending: active ? !sort.descending : key === 'value' })}
        >
          {label}
          {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
        </button>
      </th>
    );
  };
  return (
    <div className="analysis-table-wrap">
      <table className="analysis-table" data-testid="analysis-table">
        <thead>
          <tr>
            {header('label', 'Entity')}
            {header('value', valueLabel)}
            {header('rank', 'Rank')}
          </tr>
        </thead>
        <tbody>
          {sorted.slice(0, SHOWN_ROWS).map((row) => (
            <tr
              key={row.id}
              className={row.id === selectedId ? 'analysis-row-selected' : undefined}
              data-testid={`analysis-row-${row.id}`}
            >
              <td>
                <button type="button" className="analysis-entity" onClick={() => onSelect(row.id)}>
                  {row.label}
                </button>
                <span className="analysis-schema">{row.schema}</span>
              </td>
              <td className="analysis-value" data-testid="analysis-value" data-value={row.value}>
                {formatValue(row.value)}
              </td>
              <td className="analysis-rank">{row.rank}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > SHOWN_ROWS && (
        <p className="analysis-note">
          Showing {SHOWN_ROWS} of {sorted.length} rows.
        </p>
      )}
    </div>
  );
}
