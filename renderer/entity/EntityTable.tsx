/**
 * The case's entities (or relationships) as a virtualised grid: configurable columns (remembered
 * per case), a filter per column, sort by any column, multi-select with bulk edit and bulk marking.
 *
 * Only the rows in view are in the DOM (useRowWindow, on a canvas that stays below the browser's
 * tallest element however many rows there are), so a million rows scroll like 20; sorting and
 * filtering are pure functions over column arrays (tableModel.ts). Keyboard, as a
 * WAI-ARIA grid: the grid holds the focus and points at the active row (aria-activedescendant);
 * ↑/↓, Page Up/Down, Home/End move it, Shift extends the selection, Space toggles the row, Enter
 * opens it, Ctrl/Cmd+A selects every row shown, Escape clears the selection.
 */
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, MouseEvent } from 'react';
import { useCaseEntities } from '../db/queries.ts';
import { useRepository } from '../db/repositoryContext.ts';
import { COLUMN_SPECS } from './tableColumns.ts';
import type { ColumnId } from './tableColumns.ts';
import { buildTable, nextSort, pickOptions, typesPresent, visibleRows } from './tableModel.ts';
import type { PickOption, TableData, TableQuery } from './tableModel.ts';
import {
  clickSelection,
  EMPTY_SELECTION,
  selectedShown,
  toggleAll,
  toggleSelection,
} from './tableSelection.ts';
import { moveColumn, resizeColumn, setFilter, toggleColumn } from './tableViewState.ts';
import { useTableView } from './useTableView.ts';
import { useRowWindow } from './useRowWindow.ts';
import { TableHeader } from './TableHeader.tsx';
import { TableColumnsMenu } from './TableColumnsMenu.tsx';
import { TableBulkBar } from './TableBulkBar.tsx';
import { TableBody } from './TableBody.tsx';
import { rowElementId } from './TableRow.tsx';
import './entity.css';
import './entityTable.css';

export interface EntityTableProps {
  readonly caseId: string;
  /** Opens an entity (its details): a click on its row, or Enter. */
  readonly onSelect: (entityId: string) => void;
  /** The entity whose details are open; its row is marked. */
  readonly selectedId?: string;
}

const ROW_HEIGHT = 30;
/** Both header rows (titles and filters); rows scrolled to are kept below them. */
const HEADER_HEIGHT = 66;
const CHECK_WIDTH = 34;
const PAGE_ROWS = 15;
/**
 * Rows drawn beyond each edge of the view. Rows are drawn in the scroll event (useRowWindow.ts),
 * so they are there when the frame is; the margin is for the compositor, which can scroll a step
 * ahead of the page on a wheel or touchpad.
 */
const OVERSCAN = 6;
/** Rows remembered for the next open's first page (more than a tall window shows). */
const FIRST_PAGE_ROWS = 60;

/** Names a view for its remembered first page: what decides which rows come first. */
function firstPageKey(sort: unknown, filters: unknown, showRelationships: boolean): string {
  return JSON.stringify([sort, filters, showRelationships]);
}

export function EntityTable({ caseId, onSelect, selectedId }: EntityTableProps) {
  const { view, loaded, update } = useTableView(caseId);
  // The default view lists no relationships, so it draws from the nodes, which the case store
  // loads first: a million calls need not be read before the first page (issue 13).
  const store = useCaseEntities(caseId);
  const { caseStores } = useRepository();
  const full = view.showRelationships ? store?.all : store?.nodes;
  // Until then, the first page this view showed when the case was last open (read by id, so the
  // records are current): sorting and filtering wait for the full load.
  const viewKey = firstPageKey(view.sort, view.filters, view.showRelationships);
  const preview =
    !full && loaded && store?.firstPage?.key === viewKey ? store.firstPage.records : undefined;
  const entities = full ?? preview;
  const partial = full === undefined;
  const [search, setSearch] = useState('');
  const [type, setType] = useState('');
  const [selection, setSelection] = useState(EMPTY_SELECTION);
  const [active, setActive] = useState(0);

  // The table before the last edit lends its caches to the next one (tableModel.ts: buildTable).
  const [built] = useState<{ last?: TableData }>({});
  const table = useMemo(() => {
    const next = buildTable(entities ?? [], built.last);
    built.last = next;
    return next;
  }, [entities, built]);
  const query = useMemo<TableQuery>(
    () => ({
      showRelationships: view.showRelationships,
      type,
      search,
      sort: view.sort,
      filters: view.filters,
    }),
    [view.showRelationships, view.sort, view.filters, type, search],
  );
  // Typing stays responsive on big cases: filtering runs on the deferred copy of the query.
  const deferredQuery = useDeferredValue(query);
  const visible = useMemo(() => visibleRows(table, deferredQuery), [table, deferredQuery]);
  const shownIds = useMemo(
    () => Array.from(visible.rows, (row) => table.ids[row]!),
    [visible, table],
  );
  // Remembered for the next open (the store writes only when the page or the view changed).
  useEffect(() => {
    if (!full || !loaded || deferredQuery.search !== '' || deferredQuery.type !== '') return;
    const { sort, filters, showRelationships } = deferredQuery;
    caseStores.rememberFirstPage(
      caseId,
      firstPageKey(sort, filters, showRelationships),
      shownIds.slice(0, FIRST_PAGE_ROWS),
    );
  }, [full, loaded, deferredQuery, shownIds, caseStores, caseId]);
  // Where an id is shown, for Shift+click ranges only: built on first use, since a Map of a
  // million ids on every sort or filter would cost more than the sort itself.
  const positionOf = useMemo(() => {
    let positions: Map<string, number> | undefined;
    return (id: string) => {
      positions ??= new Map(shownIds.map((shown, k) => [shown, k]));
      return positions.get(id) ?? -1;
    };
  }, [shownIds]);
  const types = useMemo(
    () => typesPresent(table, view.showRelationships),
    [table, view.showRelationships],
  );
  // Computed when a pick list is opened, then kept until the rows change: a scroll re-renders
  // the header, and counting 20,000 rows per pick column per frame made scrolling stutter.
  const optionsOf = useMemo(() => {
    const cache = new Map<ColumnId, readonly PickOption[]>();
    return (column: ColumnId) => {
      let options = cache.get(column);
      if (!options) {
        options = pickOptions(table, column, view.showRelationships);
        cache.set(column, options);
      }
      return options;
    };
  }, [table, view.showRelationships]);
  const changeView: typeof update = partial ? () => undefined : update;
  const selectedIds = useMemo(() => selectedShown(selection, shownIds), [selection, shownIds]);
  const activePosition = Math.min(active, Math.max(0, shownIds.length - 1));

  // Rows in view only, on a canvas capped below the browser's tallest element (rowWindow.ts), so
  // that a million rows and more can all be scrolled to.
  const rowWindow = useRowWindow({
    count: shownIds.length,
    rowHeight: ROW_HEIGHT,
    header: HEADER_HEIGHT,
    overscan: OVERSCAN,
  });

  const gridTemplate = `${CHECK_WIDTH}px ${view.columns.map((c) => `${c.width}px`).join(' ')}`;
  const totalWidth = CHECK_WIDTH + view.columns.reduce((sum, c) => sum + c.width, 0);
  const idAt = (position: number) => shownIds[position]!;

  const moveTo = (position: number, extend: boolean) => {
    if (shownIds.length === 0) return;
    const next = Math.min(Math.max(0, position), shownIds.length - 1);
    setActive(next);
    if (extend) {
      setSelection(
        clickSelection(
          selection.anchor ? selection : { ...selection, anchor: idAt(activePosition) },
          idAt,
          next,
          { shift: true, toggle: false },
          positionOf,
        ),
      );
    }
    rowWindow.scrollToIndex(next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    const id = shownIds[activePosition];
    const mod = event.ctrlKey || event.metaKey;
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(activePosition + 1, event.shiftKey),
      ArrowUp: () => moveTo(activePosition - 1, event.shiftKey),
      PageDown: () => moveTo(activePosition + PAGE_ROWS, event.shiftKey),
      PageUp: () => moveTo(activePosition - PAGE_ROWS, event.shiftKey),
      Home: () => moveTo(0, event.shiftKey),
      End: () => moveTo(shownIds.length - 1, event.shiftKey),
      Enter: () => id && onSelect(id),
      ' ': () => id && setSelection(toggleSelection(selection, id)),
      Escape: () => setSelection(EMPTY_SELECTION),
    };
    if (mod && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      setSelection(toggleAll(EMPTY_SELECTION, shownIds));
      return;
    }
    const action = keys[event.key];
    if (action && !mod && !event.altKey) {
      event.preventDefault();
      // The app's single-key shortcuts must not also act on keys the grid used.
      event.stopPropagation();
      action();
    }
  };

  // Stable handlers for the memoised rows: they read the latest state through a ref.
  const latest = useRef({ selection, idAt, positionOf, onSelect });
  latest.current = { selection, idAt, positionOf, onSelect };
  const onRowClick = useCallback((event: MouseEvent, position: number) => {
    const now = latest.current;
    const id = now.idAt(position);
    setActive(position);
    setSelection(
      clickSelection(
        now.selection,
        now.idAt,
        position,
        { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey },
        now.positionOf,
      ),
    );
    if (!event.shiftKey && !event.ctrlKey && !event.metaKey) now.onSelect(id);
  }, []);
  const onRowToggle = useCallback((position: number) => {
    setActive(position);
    setSelection((current) => toggleSelection(current, latest.current.idAt(position)));
  }, []);

  if (!entities || !loaded) {
    return (
      <p className="entity-loading" data-testid="entity-loading">
        Loading entities…{' '}
        {store && store.total > 0
          ? `${store.loaded.toLocaleString()} of ${store.total.toLocaleString()}`
          : ''}
      </p>
    );
  }
  const errors = Object.entries(visible.errors);
  const activeId = shownIds[activePosition];
  return (
    <section className="entity-table-panel" aria-label="Entities">
      <div className="entity-table-toolbar">
        <label className="entity-inline-field">
          <span>Search</span>
          <input
            type="search"
            data-testid="entity-search"
            value={search}
            disabled={partial}
            placeholder="Name or any value"
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
        <label className="entity-inline-field">
          <span>Type</span>
          <select
            data-testid="entity-type-filter"
            value={type}
            disabled={partial}
            onChange={(event) => setType(event.target.value)}
          >
            <option value="">All types</option>
            {types.map((option) => (
              <option key={option.name} value={option.name}>
                {option.label} ({option.count})
              </option>
            ))}
          </select>
        </label>
        <label className="entity-inline-field entity-checkbox">
          <input
            type="checkbox"
            data-testid="entity-show-relationships"
            checked={view.showRelationships}
            disabled={partial}
            onChange={(event) => {
              const showRelationships = event.target.checked;
              setType('');
              changeView((current) => ({ ...current, showRelationships, filters: {} }));
            }}
          />
          <span>Relationships</span>
        </label>
        <TableColumnsMenu
          view={view}
          onToggle={(column) => changeView((current) => toggleColumn(current, column))}
          onMove={(column, step) => changeView((current) => moveColumn(current, column, step))}
        />
        <span className="entity-count" aria-live="polite" data-testid="entity-count">
          {partial ? (
            <span data-testid="entity-loading-progress">
              first {shownIds.length} rows; loading {store?.loaded.toLocaleString() ?? 0} of{' '}
              {store?.total.toLocaleString() ?? '…'} (sorting and filtering once all are in)
            </span>
          ) : (
            <>
              {shownIds.length} {shownIds.length === 1 ? 'row' : 'rows'}
            </>
          )}
          {Object.keys(view.filters).length > 0 && (
            <>
              {' '}
              <button
                type="button"
                className="entity-link-button"
                data-testid="entity-clear-filters"
                onClick={() => changeView((current) => ({ ...current, filters: {} }))}
              >
                clear filters
              </button>
            </>
          )}
        </span>
      </div>
      {errors.length > 0 && (
        <p className="entity-field-error" role="alert" data-testid="entity-filter-error">
          {errors
            .map(([column, error]) => `${COLUMN_SPECS[column as ColumnId].label}: ${error.message}`)
            .join(' · ')}{' '}
          (filter not applied)
        </p>
      )}
      {selectedIds.length > 0 && (
        <TableBulkBar ids={selectedIds} onClear={() => setSelection(EMPTY_SELECTION)} />
      )}
      <div
        ref={rowWindow.ref}
        className="entity-grid-scroll"
        role="grid"
        aria-label={view.showRelationships ? 'Relationships' : 'Entities'}
        aria-multiselectable="true"
        aria-rowcount={shownIds.length + 2}
        aria-colcount={view.columns.length + 1}
        aria-activedescendant={activeId ? rowElementId(activeId) : undefined}
        tabIndex={0}
        data-testid="entity-table"
        onKeyDown={onKeyDown}
      >
        <div
          className="entity-grid-canvas"
          style={{ height: rowWindow.canvasHeight, width: totalWidth }}
        >
          <TableHeader
            columns={view.columns}
            sort={view.sort}
            filters={view.filters}
            errors={visible.errors}
            gridTemplate={gridTemplate}
            allSelected={shownIds.length > 0 && selectedIds.length === shownIds.length}
            someSelected={selectedIds.length > 0}
            pickOptions={optionsOf}
            onSort={(column) =>
              changeView((current) => ({ ...current, sort: nextSort(current.sort, column) }))
            }
            onResize={(column, width) =>
              changeView((current) => resizeColumn(current, column, width))
            }
            onFilter={(column, filter) =>
              changeView((current) => setFilter(current, column, filter))
            }
            onToggleAll={() => setSelection(toggleAll(selection, shownIds))}
          />
          <TableBody
            view={rowWindow.view}
            table={table}
            rows={visible.rows}
            columns={view.columns}
            gridTemplate={gridTemplate}
            selected={selection.ids}
            openId={selectedId}
            activePosition={activePosition}
            onClick={onRowClick}
            onToggle={onRowToggle}
          />
        </div>
        {shownIds.length === 0 && (
          <p className="entity-muted entity-grid-empty">
            {table.size === 0 ? 'No entities in this case yet.' : 'Nothing matches.'}
          </p>
        )}
      </div>
    </section>
  );
}
