import { useDeferredValue, useMemo, useState } from 'react';
import { useEntities } from '../db/queries.ts';
import { formatHlcTime } from '../audit/time.ts';
import type { EntitySortKey, EntityTableQuery } from './entityTableModel.ts';
import {
  buildRows,
  DEFAULT_QUERY,
  filterAndSort,
  nextSort,
  pageOf,
  typesPresent,
} from './entityTableModel.ts';
import './entity.css';

export interface EntityTableProps {
  readonly caseId: string;
  readonly onSelect: (entityId: string) => void;
  /** Highlights this row. */
  readonly selectedId?: string;
}

const COLUMNS: readonly { key: EntitySortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'type', label: 'Type' },
  { key: 'updated', label: 'Updated' },
];

/** The case's entities (or relationships) with type filter, search, sorting and paging. */
export function EntityTable({ caseId, onSelect, selectedId }: EntityTableProps) {
  const entities = useEntities(caseId);
  const [query, setQuery] = useState<EntityTableQuery>(DEFAULT_QUERY);
  const [page, setPage] = useState(0);
  // Typing stays responsive on big cases: filtering runs on the deferred copy of the query.
  const deferredQuery = useDeferredValue(query);
  const rows = useMemo(() => buildRows(entities ?? []), [entities]);
  const types = useMemo(
    () => typesPresent(rows, query.showRelationships),
    [rows, query.showRelationships],
  );
  const visible = useMemo(() => filterAndSort(rows, deferredQuery), [rows, deferredQuery]);
  const current = pageOf(visible, page);
  const update = (patch: Partial<EntityTableQuery>) => {
    setQuery({ ...query, ...patch });
    setPage(0);
  };

  if (!entities) return <p className="entity-loading">Loading entities…</p>;
  return (
    <section className="entity-table-panel" aria-label="Entities">
      <div className="entity-table-toolbar">
        <label className="entity-inline-field">
          <span>Search</span>
          <input
            type="search"
            data-testid="entity-search"
            value={query.search}
            placeholder="Name or any value"
            onChange={(event) => update({ search: event.target.value })}
          />
        </label>
        <label className="entity-inline-field">
          <span>Type</span>
          <select
            data-testid="entity-type-filter"
            value={query.type}
            onChange={(event) => update({ type: event.target.value })}
          >
            <option value="">All types</option>
            {types.map((type) => (
              <option key={type.name} value={type.name}>
                {type.label} ({type.count})
              </option>
            ))}
          </select>
        </label>
        <label className="entity-inline-field entity-checkbox">
          <input
            type="checkbox"
            data-testid="entity-show-relationships"
            checked={query.showRelationships}
            onChange={(event) => update({ showRelationships: event.target.checked, type: '' })}
          />
          <span>Relationships</span>
        </label>
        <span className="entity-count" aria-live="polite" data-testid="entity-count">
          {current.total} {current.total === 1 ? 'row' : 'rows'}
        </span>
      </div>
      <div className="entity-table-scroll">
        <table className="entity-table" data-testid="entity-table">
          <thead>
            <tr>
              {COLUMNS.map((column) => {
                const sorted = query.sortKey === column.key;
                return (
                  <th
                    key={column.key}
                    aria-sort={
                      sorted ? (query.sortDirection === 'asc' ? 'ascending' : 'descending') : 'none'
                    }
                  >
                    <button
                      type="button"
                      className="entity-sort-button"
                      data-testid={`entity-sort-${column.key}`}
                      onClick={() => setQuery(nextSort(query, column.key))}
                    >
                      {column.label}
                      <span aria-hidden="true">
                        {sorted ? (query.sortDirection === 'asc' ? ' ▲' : ' ▼') : ''}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {current.items.map((row) => (
              <tr
                key={row.id}
                data-testid={`entity-row-${row.id}`}
                className={row.id === selectedId ? 'entity-row-selected' : undefined}
                aria-selected={row.id === selectedId}
                tabIndex={0}
                onClick={() => onSelect(row.id)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    onSelect(row.id);
                  }
                }}
              >
                <td>{row.name}</td>
                <td>{row.typeLabel}</td>
                <td className="entity-muted">{formatHlcTime(row.updatedAt)}</td>
              </tr>
            ))}
            {current.total === 0 && (
              <tr>
                <td colSpan={3} className="entity-muted">
                  {rows.length === 0 ? 'No entities in this case yet.' : 'Nothing matches.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {current.pageCount > 1 && (
        <nav className="entity-pager" aria-label="Pages">
          <button
            type="button"
            disabled={current.page === 0}
            onClick={() => setPage(current.page - 1)}
          >
            ‹ Previous
          </button>
          <span data-testid="entity-page">
            Page {current.page + 1} of {current.pageCount}
          </span>
          <button
            type="button"
            data-testid="entity-next-page"
            disabled={current.page >= current.pageCount - 1}
            onClick={() => setPage(current.page + 1)}
          >
            Next ›
          </button>
        </nav>
      )}
    </section>
  );
}
