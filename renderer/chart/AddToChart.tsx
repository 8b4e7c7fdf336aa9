import { useEffect, useMemo, useRef, useState } from 'react';
import { getSchema, isKnownSchema } from '../../shared/model/index.ts';

export interface AddableEntity {
  readonly id: string;
  readonly label: string;
  readonly schema: string;
}

/** Long lists are cut here; the filter narrows them down. */
const MAX_LISTED = 200;

function typeLabel(schema: string): string {
  return isKnownSchema(schema) ? getSchema(schema).label : schema;
}

/** "Add to chart" pop-over: a filterable list of the case's entities the chart does not show. */
export function AddToChart({
  candidates,
  onAdd,
  onAddAll,
}: {
  candidates: readonly AddableEntity[];
  onAdd: (ids: string[]) => void;
  onAddAll: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const rootRef = useRef<HTMLDivElement>(null);
  // Stays open while entities are added one by one; a press elsewhere or Escape closes it.
  useEffect(() => {
    if (!open) return undefined;
    const onPointer = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onPointer, true);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onPointer, true);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const shown = useMemo(() => {
    const needle = filter.trim().toLocaleLowerCase();
    const matches = needle
      ? candidates.filter(
          (c) =>
            c.label.toLocaleLowerCase().includes(needle) ||
            typeLabel(c.schema).toLocaleLowerCase().includes(needle),
        )
      : candidates;
    return { list: matches.slice(0, MAX_LISTED), more: Math.max(0, matches.length - MAX_LISTED) };
  }, [candidates, filter]);

  return (
    <div className="chart-add" ref={rootRef}>
      <button
        type="button"
        aria-expanded={open}
        aria-haspopup="dialog"
        data-testid="chart-add-toggle"
        disabled={candidates.length === 0}
        title="Add entities of the case to this chart"
        onClick={() => setOpen((v) => !v)}
      >
        Add{candidates.length > 0 ? ` (${candidates.length})` : ''}{' '}
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div
          className="chart-add-popover"
          role="dialog"
          aria-label="Add entities to the chart"
          data-testid="chart-add-list"
        >
          <button
            type="button"
            className="chart-add-all"
            data-testid="chart-add-all"
            onClick={() => {
              setOpen(false);
              onAddAll();
            }}
          >
            Add all {candidates.length} to the chart
          </button>
          <label className="chart-add-filter">
            <span>Filter</span>
            <input
              type="search"
              value={filter}
              autoFocus
              data-testid="chart-add-filter"
              onChange={(event) => setFilter(event.target.value)}
            />
          </label>
          <ul>
            {shown.list.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  data-testid={`chart-add-${c.id}`}
                  onClick={() => onAdd([c.id])}
                >
                  <span className="chart-add-name">{c.label}</span>
                  <span className="chart-add-type">{typeLabel(c.schema)}</span>
                </button>
              </li>
            ))}
          </ul>
          {shown.list.length === 0 && <p className="chart-add-none">No matching entities.</p>}
          {shown.more > 0 && (
            <p className="chart-add-none">{shown.more} more: refine the filter.</p>
          )}
        </div>
      )}
    </div>
  );
}
