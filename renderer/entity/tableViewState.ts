/**
 * What the entity table remembers per case (columns shown, their order and widths, the sort and
 * the column filters): a small record kept in the encrypted store (renderer/db/viewState.ts), not
 * in localStorage, which is plaintext and would show what an analyst filters for.
 *
 * A stored view is read back through `restoreViewState`, which repairs rather than trusts it: an
 * unknown column (from a later version) is dropped, widths are clamped, a filter of the wrong kind
 * for its column is dropped, and anything unreadable falls back to the default view.
 */
import { z } from 'zod';
import { COLUMN_IDS, COLUMN_SPECS, DEFAULT_COLUMNS, isColumnId } from './tableColumns.ts';
import type { ColumnId } from './tableColumns.ts';
import { DEFAULT_SORT } from './tableModel.ts';
import type { ColumnFilter, TableFilters, TableSort } from './tableModel.ts';

export interface ShownColumn {
  readonly id: ColumnId;
  /** CSS pixels. */
  readonly width: number;
}

export interface TableViewState {
  /** Shown columns, left to right. The caption column is always among them. */
  readonly columns: readonly ShownColumn[];
  readonly sort: TableSort;
  readonly filters: TableFilters;
  readonly showRelationships: boolean;
}

export const MIN_WIDTH = 48;
export const MAX_WIDTH = 800;

export function clampWidth(width: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

export const DEFAULT_VIEW: TableViewState = {
  columns: DEFAULT_COLUMNS.map((id) => ({ id, width: COLUMN_SPECS[id].width })),
  sort: DEFAULT_SORT,
  filters: {},
  showRelationships: false,
};

const text = z.string().max(500);
const filterSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text }),
  z.object({ kind: z.literal('pick'), values: z.array(text).max(1000) }),
  z.object({ kind: z.literal('date'), from: text, to: text }),
]);

/** Loose on purpose: columns and filters are checked one by one so one bad entry costs only itself. */
const storedSchema = z.object({
  columns: z.array(z.object({ id: z.unknown(), width: z.unknown() })).max(100),
  sort: z.object({ column: z.string(), direction: z.enum(['asc', 'desc']) }),
  filters: z.record(z.string(), z.unknown()),
  showRelationships: z.boolean(),
});

/** A stored view made safe to use; the default view when it cannot be read. */
export function restoreViewState(stored: unknown): TableViewState {
  const parsed = storedSchema.safeParse(stored);
  if (!parsed.success) return DEFAULT_VIEW;
  const seen = new Set<ColumnId>();
  const columns: ShownColumn[] = [];
  for (const column of parsed.data.columns) {
    const { id, width } = column;
    if (!isColumnId(id) || seen.has(id) || typeof width !== 'number' || !Number.isFinite(width))
      continue;
    seen.add(id);
    columns.push({ id, width: clampWidth(width) });
  }
  if (!seen.has('caption')) columns.unshift({ id: 'caption', width: COLUMN_SPECS.caption.width });
  const filters: Partial<Record<ColumnId, ColumnFilter>> = {};
  for (const [id, value] of Object.entries(parsed.data.filters)) {
    const filter = filterSchema.safeParse(value);
    if (isColumnId(id) && filter.success && filter.data.kind === COLUMN_SPECS[id].filter) {
      filters[id] = filter.data;
    }
  }
  const sortColumn = parsed.data.sort.column;
  return {
    columns,
    sort: isColumnId(sortColumn)
      ? { column: sortColumn, direction: parsed.data.sort.direction }
      : DEFAULT_SORT,
    filters,
    showRelationships: parsed.data.showRelationships,
  };
}

// ---- Column changes (pure; the table saves the result)

/** Shows a hidden column at the right end, or hides a shown one (the caption stays). */
export function toggleColumn(view: TableViewState, id: ColumnId): TableViewState {
  if (view.columns.some((column) => column.id === id)) {
    if (id === 'caption') return view;
    const filters = { ...view.filters };
    // A hidden column's filter would keep hiding rows with nothing on screen to say why.
    delete filters[id];
    return { ...view, columns: view.columns.filter((column) => column.id !== id), filters };
  }
  return { ...view, columns: [...view.columns, { id, width: COLUMN_SPECS[id].width }] };
}

/** Moves a shown column one place left (-1) or right (+1). */
export function moveColumn(view: TableViewState, id: ColumnId, step: -1 | 1): TableViewState {
  const from = view.columns.findIndex((column) => column.id === id);
  const to = from + step;
  if (from < 0 || to < 0 || to >= view.columns.length) return view;
  const columns = [...view.columns];
  [columns[from], columns[to]] = [columns[to]!, columns[from]!];
  return { ...view, columns };
}

export function resizeColumn(view: TableViewState, id: ColumnId, width: number): TableViewState {
  return {
    ...view,
    columns: view.columns.map((column) =>
      column.id === id ? { ...column, width: clampWidth(width) } : column,
    ),
  };
}

export function setFilter(
  view: TableViewState,
  id: ColumnId,
  filter: ColumnFilter | undefined,
): TableViewState {
  const filters = { ...view.filters };
  if (filter) filters[id] = filter;
  else delete filters[id];
  return { ...view, filters };
}

/** Every column, shown ones first in their order, for the column picker. */
export function columnChoices(view: TableViewState): { id: ColumnId; shown: boolean }[] {
  const shown = view.columns.map((column) => column.id);
  return [
    ...shown.map((id) => ({ id, shown: true })),
    ...COLUMN_IDS.filter((id) => !shown.includes(id)).map((id) => ({ id, shown: false })),
  ];
}
