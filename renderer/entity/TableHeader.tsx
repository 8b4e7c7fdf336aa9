/**
 * The entity table's two header rows: column titles (click to sort, drag the right edge to
 * resize) and one filter per column (text contains; a pick list; a date range). Both rows are
 * grid rows of the table's `role="grid"`, so a screen reader announces them as column headers.
 */
import { useRef, useState } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { COLUMN_SPECS } from './tableColumns.ts';
import type { ColumnId } from './tableColumns.ts';
import type { ColumnFilter, FilterError, PickOption, TableSort } from './tableModel.ts';
import type { ShownColumn } from './tableViewState.ts';

export interface TableHeaderProps {
  readonly columns: readonly ShownColumn[];
  readonly sort: TableSort;
  readonly filters: Readonly<Partial<Record<ColumnId, ColumnFilter>>>;
  readonly errors: Readonly<Partial<Record<ColumnId, FilterError>>>;
  readonly gridTemplate: string;
  readonly allSelected: boolean;
  readonly someSelected: boolean;
  readonly pickOptions: (column: ColumnId) => readonly PickOption[];
  readonly onSort: (column: ColumnId) => void;
  readonly onResize: (column: ColumnId, width: number) => void;
  readonly onFilter: (column: ColumnId, filter: ColumnFilter | undefined) => void;
  readonly onToggleAll: () => void;
}

export function TableHeader(props: TableHeaderProps) {
  const { columns, sort, gridTemplate } = props;
  return (
    <div className="entity-grid-head" role="rowgroup">
      <div
        className="entity-grid-row"
        role="row"
        aria-rowindex={1}
        style={{ gridTemplateColumns: gridTemplate }}
      >
        <div role="columnheader" className="entity-grid-check">
          <input
            type="checkbox"
            aria-label="Select all rows shown"
            data-testid="entity-select-all"
            checked={props.allSelected}
            ref={(input) => {
              if (input) input.indeterminate = !props.allSelected && props.someSelected;
            }}
            onChange={props.onToggleAll}
          />
        </div>
        {columns.map((column) => {
          const sorted = sort.column === column.id;
          return (
            <div
              key={column.id}
              role="columnheader"
              className="entity-grid-header"
              data-testid={`entity-column-${column.id}`}
              aria-sort={sorted ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
            >
              <button
                type="button"
                className="entity-sort-button"
                data-testid={`entity-sort-${column.id}`}
                onClick={() => props.onSort(column.id)}
              >
                {COLUMN_SPECS[column.id].label}
                <span aria-hidden="true">
                  {sorted ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                </span>
              </button>
              <ResizeHandle column={column} onResize={props.onResize} />
            </div>
          );
        })}
      </div>
      <div
        className="entity-grid-row entity-grid-filters"
        role="row"
        aria-rowindex={2}
        style={{ gridTemplateColumns: gridTemplate }}
      >
        <div role="columnheader" className="entity-grid-check" aria-label="Filters" />
        {columns.map((column) => (
          <div key={column.id} role="columnheader" className="entity-grid-filter">
            <ColumnFilterInput
              column={column.id}
              filter={props.filters[column.id]}
              error={props.errors[column.id]}
              options={props.pickOptions}
              onChange={(filter) => props.onFilter(column.id, filter)}
            />
          </div>
        ))}
      </div>
    </div>
  );
}

function ResizeHandle({
  column,
  onResize,
}: {
  readonly column: ShownColumn;
  readonly onResize: (column: ColumnId, width: number) => void;
}) {
  const start = useRef<{ x: number; width: number } | null>(null);
  const down = (event: ReactPointerEvent<HTMLSpanElement>) => {
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    start.current = { x: event.clientX, width: column.width };
  };
  const move = (event: ReactPointerEvent<HTMLSpanElement>) => {
    if (!start.current) return;
    onResize(column.id, start.current.width + event.clientX - start.current.x);
  };
  const up = () => {
    start.current = null;
  };
  return (
    <span
      className="entity-resize-handle"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${COLUMN_SPECS[column.id].label}`}
      data-testid={`entity-resize-${column.id}`}
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={up}
    />
  );
}

function ColumnFilterInput({
  column,
  filter,
  error,
  options,
  onChange,
}: {
  readonly column: ColumnId;
  readonly filter: ColumnFilter | undefined;
  readonly error: FilterError | undefined;
  readonly options: (column: ColumnId) => readonly PickOption[];
  readonly onChange: (filter: ColumnFilter | undefined) => void;
}) {
  const label = COLUMN_SPECS[column].label;
  // A pick list counts its values only while it is open.
  const [open, setOpen] = useState(false);
  switch (COLUMN_SPECS[column].filter) {
    case 'text': {
      const text = filter?.kind === 'text' ? filter.text : '';
      return (
        <input
          type="search"
          className="entity-filter-text"
          aria-label={`Filter ${label}`}
          placeholder="contains…"
          data-testid={`entity-filter-${column}`}
          value={text}
          onChange={(event) =>
            onChange(event.target.value ? { kind: 'text', text: event.target.value } : undefined)
          }
        />
      );
    }
    case 'pick': {
      const chosen = filter?.kind === 'pick' ? filter.values : [];
      return (
        <details
          className="entity-filter-pick"
          data-testid={`entity-filter-${column}`}
          onToggle={(event) => setOpen(event.currentTarget.open)}
        >
          <summary aria-label={`Filter ${label}`}>
            {chosen.length === 0
              ? 'All'
              : chosen.length === 1
                ? chosen[0]
                : `${chosen.length} chosen`}
          </summary>
          <div className="entity-filter-pick-list" role="group" aria-label={`${label} values`}>
            {(open ? options(column) : []).map((option) => (
              <label key={option.value} className="entity-filter-pick-item">
                <input
                  type="checkbox"
                  data-testid={`entity-filter-${column}-${option.value}`}
                  checked={chosen.includes(option.value)}
                  onChange={(event) => {
                    const values = event.target.checked
                      ? [...chosen, option.value]
                      : chosen.filter((value) => value !== option.value);
                    onChange(values.length > 0 ? { kind: 'pick', values } : undefined);
                  }}
                />
                <span>{option.value}</span>
                <span className="entity-muted">{option.count}</span>
              </label>
            ))}
            {chosen.length > 0 && (
              <button
                type="button"
                className="entity-link-button"
                onClick={() => onChange(undefined)}
              >
                Clear
              </button>
            )}
          </div>
        </details>
      );
    }
    case 'date': {
      const range = filter?.kind === 'date' ? filter : { kind: 'date' as const, from: '', to: '' };
      const set = (patch: Partial<Pick<typeof range, 'from' | 'to'>>) => {
        const next = { ...range, ...patch };
        onChange(next.from || next.to ? next : undefined);
      };
      return (
        <span className={error ? 'entity-filter-date entity-filter-invalid' : 'entity-filter-date'}>
          <input
            aria-label={`${label} from`}
            placeholder="from"
            data-testid={`entity-filter-${column}-from`}
            aria-invalid={error && error.bound !== 'to' ? true : undefined}
            value={range.from}
            onChange={(event) => set({ from: event.target.value })}
          />
          <input
            aria-label={`${label} to`}
            placeholder="to"
            data-testid={`entity-filter-${column}-to`}
            aria-invalid={error && error.bound !== 'from' ? true : undefined}
            value={range.to}
            onChange={(event) => set({ to: event.target.value })}
          />
        </span>
      );
    }
  }
}
