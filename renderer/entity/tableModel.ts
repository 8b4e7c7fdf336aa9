/**
 * The entity table's model: pure functions over column arrays, built to stay fast at a million rows
 * (issue 13: sort or filter by a column within 500 ms).
 *
 * Layout. A `TableData` holds one array per column (the display text of every row), the row ids, a
 * relationship flag per row, the folded search text and, for date columns, the first and last
 * millisecond of each row's date (NaN when it has none). Rows keep the order they were given in:
 * the base order, which breaks every tie, so each sort is stable. A table built from records
 * derives a column, the dates and the search text when they are first read, so that a new list
 * of records (after any edit) costs the names and nothing else until a column is used.
 *
 * Work done once per table and column, on first use, and cached (a WeakMap keyed by the table, so a
 * new entity list starts afresh and an old one is collected):
 *   1. codes: each row's value as an index into the column's distinct values (one Map pass);
 *   2. ranks: the distinct values sorted once (textOrder.ts: locale-aware, "Flat 2" before "Flat 10";
 *      a column's own order for classification and TLP; dates by their first millisecond), so a
 *      row's rank is an integer and equal values share it;
 *   3. per direction, the sorted permutation: a counting sort by rank (ranks are dense integers),
 *      linear in the rows. Empty values sort last both ways.
 * A filter is then one pass over the cached permutation with a keep-mask (Uint8Array): text
 * filters test each distinct value once and map the answer to rows through the codes; pick lists
 * the same; date ranges compare the row's span. Changing a filter never sorts again.
 */
import type { EntityRecord } from '../../shared/model/index.ts';
import { captionOf, edgeEnds, isEdgeSchema, parseHlc, readDate } from '../../shared/model/index.ts';
import { cellValue, COLUMN_IDS, COLUMN_SPECS, VALUE_SEPARATOR } from './tableColumns.ts';
import type { ColumnId } from './tableColumns.ts';
import { compareText, fold, rankText } from './textOrder.ts';
import type { PairedValues } from './textOrder.ts';

export type SortDirection = 'asc' | 'desc';

export interface TableSort {
  readonly column: ColumnId;
  readonly direction: SortDirection;
}

/** One column's filter; see FilterKind in tableColumns.ts. */
export type ColumnFilter =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'pick'; readonly values: readonly string[] }
  | { readonly kind: 'date'; readonly from: string; readonly to: string };

export type TableFilters = Readonly<Partial<Record<ColumnId, ColumnFilter>>>;

export interface TableQuery {
  /** Relationships instead of nodes. */
  readonly showRelationships: boolean;
  /** Schema name to keep, or '' for every type. */
  readonly type: string;
  /** Terms that must all occur in the caption, type or any property value. */
  readonly search: string;
  readonly sort: TableSort;
  readonly filters: TableFilters;
}

export const DEFAULT_SORT: TableSort = { column: 'caption', direction: 'asc' };

export const DEFAULT_QUERY: TableQuery = {
  showRelationships: false,
  type: '',
  search: '',
  sort: DEFAULT_SORT,
  filters: {},
};

/** A date column: the span of each row's date in UTC ms, NaN where the row has none. */
export interface DateColumn {
  readonly start: Float64Array;
  readonly end: Float64Array;
}

export interface TableData {
  readonly size: number;
  readonly ids: readonly string[];
  /** Schema name per row (the type filter). */
  readonly schemas: readonly string[];
  /** 1 where the row is a relationship (an edge schema). */
  readonly relationship: Uint8Array;
  /** Display text per column and row; '' when empty. */
  readonly text: Readonly<Record<ColumnId, readonly string[]>>;
  readonly dates: Readonly<Partial<Record<ColumnId, DateColumn>>>;
  /** Folded caption, type and every property value, for the search box. */
  readonly search: readonly string[];
}

export { fold };

/** Between the names of a relationship's two ends in its name. */
const NAME_SEPARATOR = ' → ';

const DATE_COLUMNS: readonly ColumnId[] = COLUMN_IDS.filter(
  (id) => COLUMN_SPECS[id].filter === 'date',
);

/** Span of an FtM date value; [NaN, NaN] when it is empty or not a date. */
function dateSpan(value: string): [number, number] {
  if (value === '') return [NaN, NaN];
  const read = readDate(value);
  return 'code' in read ? [NaN, NaN] : [read.start, read.end];
}

/** Wall-clock ms of an HLC, NaN when it is not one. */
function hlcMs(value: string): number {
  try {
    return parseHlc(value).wallMs;
  } catch {
    return NaN;
  }
}

function spanOf(column: ColumnId, value: string): [number, number] {
  if (column !== 'updated') return dateSpan(value);
  const ms = value === '' ? NaN : hlcMs(value);
  return [ms, ms];
}

/**
 * A table from column arrays (the bench builds them directly). Date columns are derived from
 * their text: `updated` holds an HLC, the others FtM dates.
 */
export function tableFromColumns(input: {
  readonly ids: readonly string[];
  readonly schemas: readonly string[];
  readonly relationship: Uint8Array;
  readonly text: Readonly<Record<ColumnId, readonly string[]>>;
  readonly search: readonly string[];
}): TableData {
  const size = input.ids.length;
  const dates: Partial<Record<ColumnId, DateColumn>> = {};
  for (const column of DATE_COLUMNS) {
    const values = input.text[column];
    const start = new Float64Array(size);
    const end = new Float64Array(size);
    for (let i = 0; i < size; i++) [start[i], end[i]] = spanOf(column, values[i] ?? '');
    dates[column] = { start, end };
  }
  return { size, ...input, dates };
}

/**
 * An object whose properties are computed on first read and kept: a table's columns, so that
 * opening a million-record case derives only the name column (the first sort and page), and a
 * column is read from the records when it is first shown, sorted or filtered.
 */
function lazyRecord<K extends string, V>(keys: readonly K[], make: (key: K) => V): Record<K, V> {
  const out = {} as Record<K, V>;
  for (const key of keys) {
    let value: V | undefined;
    Object.defineProperty(out, key, { enumerable: true, get: () => (value ??= make(key)) });
  }
  return out;
}

/** What a table built from records remembers, for the next table built after an edit. */
interface Built {
  readonly entities: readonly EntityRecord[];
  readonly names: readonly string[];
  /** The columns read so far (a column is derived on first use). */
  readonly columns: Map<ColumnId, readonly string[]>;
}

const built = new WeakMap<TableData, Built>();

/** An edit that replaces more records than this is followed by a fresh table, caches and all. */
const MAX_PATCHED_FRACTION = 0.01;

/**
 * The rows whose record is another object than in `previous` (same ids in the same order), or
 * undefined when records were added, removed or reordered, or too many changed to patch.
 */
function changedRows(previous: Built, entities: readonly EntityRecord[]): number[] | undefined {
  if (previous.entities.length !== entities.length) return undefined;
  const changed: number[] = [];
  const limit = Math.max(16, entities.length * MAX_PATCHED_FRACTION);
  for (let i = 0; i < entities.length; i++) {
    const before = previous.entities[i]!;
    const now = entities[i]!;
    if (before === now) continue;
    if (before.id !== now.id || changed.length >= limit) return undefined;
    changed.push(i);
  }
  return changed;
}

/**
 * The table of a case's entities and relationships (relationships named by their two ends).
 *
 * Given the table built before an edit (`previous`), a column none of whose values changed keeps
 * its codes, ranks and sorted orders, and a column already read is copied with the changed rows
 * re-read, so that editing a record of a million-row table does not sort it again (the store
 * hands back the same object for every record that did not change). Records added, removed or
 * reordered, or more than 1 % of them changed, make a fresh table.
 */
export function buildTable(entities: readonly EntityRecord[], previous?: TableData): TableData {
  const size = entities.length;
  const relationship = new Uint8Array(size);
  const ids = new Array<string>(size);
  const schemas = new Array<string>(size);
  // The name column's codes are made here, not by codesOf: a relationship's name is its two ends'
  // names, so relationships between the same two ends share one string, made once, instead of a
  // million fresh strings each hashed for the first sort (that hashing dominated it).
  const codeOf = new Map<string, number>();
  const distinct: string[] = [];
  const codes = new Uint32Array(size);
  const intern = (value: string): number => {
    let code = codeOf.get(value);
    if (code === undefined) {
      code = distinct.length;
      distinct.push(value);
      codeOf.set(value, code);
    }
    return code;
  };
  const captions = new Map<string, string>();
  for (let i = 0; i < size; i++) {
    const entity = entities[i]!;
    ids[i] = entity.id;
    schemas[i] = entity.schema;
    if (isEdgeSchema(entity.schema)) {
      relationship[i] = 1;
      continue;
    }
    const caption = captionOf(entity.schema, entity.properties);
    captions.set(entity.id, caption);
    codes[i] = intern(caption);
  }
  // Each name made of two ends is recorded as its pair of parts, so that the first sort keys the
  // twenty thousand ends rather than a million names (textOrder.ts: PairedValues).
  const partOf = new Map<string, number>();
  const parts: string[] = [];
  const part = (value: string): number => {
    let code = partOf.get(value);
    if (code === undefined) {
      code = parts.length;
      parts.push(value);
      partOf.set(value, code);
    }
    return code;
  };
  const pairFirst: number[] = [];
  const pairSecond: number[] = [];
  const byEnds = new Map<string, Map<string, number>>();
  for (let i = 0; i < size; i++) {
    if (!relationship[i]) continue;
    const entity = entities[i]!;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (!ends) {
      codes[i] = intern(captionOf(entity.schema, entity.properties));
      continue;
    }
    // An edge's own caption is usually just its type; the two ends say far more.
    const source = captions.get(ends.source) ?? ends.source;
    const target = captions.get(ends.target) ?? ends.target;
    let byTarget = byEnds.get(source);
    if (!byTarget) byEnds.set(source, (byTarget = new Map<string, number>()));
    let code = byTarget.get(target);
    if (code === undefined) {
      const before = distinct.length;
      byTarget.set(target, (code = intern(`${source}${NAME_SEPARATOR}${target}`)));
      if (code === before) {
        pairFirst[code] = part(source);
        pairSecond[code] = part(target);
      }
    }
    codes[i] = code;
  }
  const first = new Int32Array(distinct.length).fill(-1);
  const second = new Int32Array(distinct.length);
  pairFirst.forEach((p, code) => {
    first[code] = p;
    second[code] = pairSecond[code]!;
  });
  const names = new Array<string>(size);
  for (let i = 0; i < size; i++) names[i] = distinct[codes[i]!]!;
  const before = previous ? built.get(previous) : undefined;
  const changed = before ? changedRows(before, entities) : undefined;
  const columns = new Map<ColumnId, readonly string[]>([['caption', names]]);
  const text = lazyRecord(COLUMN_IDS, (column) => {
    if (column === 'caption') return names;
    const old = changed && before!.columns.get(column);
    let values: string[];
    if (old) {
      values = old.slice();
      for (const i of changed) values[i] = cellValue(entities[i]!, column);
    } else {
      values = entities.map((entity) => cellValue(entity, column));
    }
    columns.set(column, values);
    return values;
  });
  const dates = lazyRecord(DATE_COLUMNS, (column) => {
    const values = text[column];
    const start = new Float64Array(size);
    const end = new Float64Array(size);
    for (let i = 0; i < size; i++) [start[i], end[i]] = spanOf(column, values[i]!);
    return { start, end };
  });
  let search: string[] | undefined;
  const table: TableData = {
    size,
    ids,
    schemas,
    relationship,
    text,
    dates,
    get search() {
      search ??= entities.map((entity, i) =>
        fold([names[i], text.schema[i], ...Object.values(entity.properties).flat()].join('\n')),
      );
      return search;
    },
  };
  built.set(table, { entities, names, columns });
  cacheOf(table, 'caption').codes = {
    codes,
    distinct,
    pairs: { parts, first, second, separator: NAME_SEPARATOR },
  };
  if (before && changed) inheritCaches(previous!, table, before, changed);
  return table;
}

/** Whether every value of `column` is the same in both builds (only `changed` rows may differ). */
function sameColumn(
  column: ColumnId,
  before: Built,
  now: Built,
  changed: readonly number[],
): boolean {
  if (column === 'caption') {
    // A node's new name also renames the relationships that end at it: compare every row.
    for (let i = 0; i < now.names.length; i++) if (before.names[i] !== now.names[i]) return false;
    return true;
  }
  return changed.every(
    (i) => cellValue(before.entities[i]!, column) === cellValue(now.entities[i]!, column),
  );
}

/** The previous table's per-column caches of the columns whose values did not change. */
function inheritCaches(
  previous: TableData,
  table: TableData,
  before: Built,
  changed: readonly number[],
): void {
  const old = caches.get(previous);
  if (!old) return;
  const now = built.get(table)!;
  for (const [column, cache] of old) {
    if (sameColumn(column, before, now, changed)) caches.get(table)!.set(column, cache);
  }
}

// ---------------------------------------------------------------------------------------------
// Per-column caches

interface Codes {
  /** Row → index into `distinct`. */
  readonly codes: Uint32Array;
  readonly distinct: readonly string[];
  /** Distinct values made of two parts (the names of relationships); see rankText. */
  readonly pairs?: PairedValues;
}

interface ColumnCache {
  codes?: Codes;
  /** Row → rank; EMPTY rank (= rankCount) for rows without a value. */
  ranks?: { readonly ranks: Uint32Array; readonly rankCount: number };
  sorted?: Partial<Record<SortDirection, Uint32Array>>;
  folded?: readonly string[];
  /** The folded parts of paired values (keptPairs). */
  foldedParts?: readonly string[];
}

const caches = new WeakMap<TableData, Map<ColumnId, ColumnCache>>();

function cacheOf(table: TableData, column: ColumnId): ColumnCache {
  let byColumn = caches.get(table);
  if (!byColumn) {
    byColumn = new Map();
    caches.set(table, byColumn);
  }
  let cache = byColumn.get(column);
  if (!cache) {
    cache = {};
    byColumn.set(column, cache);
  }
  return cache;
}

function codesOf(table: TableData, column: ColumnId): Codes {
  const cache = cacheOf(table, column);
  if (!cache.codes) {
    const values = table.text[column];
    const index = new Map<string, number>();
    const distinct: string[] = [];
    const codes = new Uint32Array(table.size);
    for (let i = 0; i < table.size; i++) {
      const value = values[i] ?? '';
      let code = index.get(value);
      if (code === undefined) {
        code = distinct.length;
        distinct.push(value);
        index.set(value, code);
      }
      codes[i] = code;
    }
    cache.codes = { codes, distinct };
  }
  return cache.codes;
}

/** How two values of a text or pick column compare (the column's own order, then the locale). */
export function compareValues(column: ColumnId, a: string, b: string): number {
  const order = COLUMN_SPECS[column].order;
  if (order) {
    const byOrder = order(a) - order(b);
    if (byOrder !== 0) return byOrder;
  }
  return compareText(a, b);
}

/** Ranks of the distinct values (textOrder.ts); equal values share a rank. */
function textRanks(table: TableData, column: ColumnId): { ranks: Uint32Array; rankCount: number } {
  const { codes, distinct, pairs } = codesOf(table, column);
  // A column with its own order (classification, TLP) has few values: the comparator will do.
  const { rank: rankOfCode, rankCount } = rankText(
    distinct,
    (a, b) => compareValues(column, a, b),
    COLUMN_SPECS[column].order === undefined,
    pairs,
  );
  const ranks = new Uint32Array(table.size);
  for (let i = 0; i < table.size; i++) ranks[i] = rankOfCode[codes[i]!]!;
  return { ranks, rankCount };
}

/** Ranks of a date column by each row's first millisecond. */
function dateRanks(dates: DateColumn, size: number): { ranks: Uint32Array; rankCount: number } {
  // A typed-array sort puts NaN last; the distinct known values are then ranked by binary search.
  const sorted = Float64Array.from(dates.start).sort();
  let count = 0;
  for (let k = 0; k < size && !Number.isNaN(sorted[k]!); k++) {
    if (count === 0 || sorted[k] !== sorted[count - 1]) sorted[count++] = sorted[k]!;
  }
  const ranks = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    const value = dates.start[i]!;
    if (Number.isNaN(value)) {
      ranks[i] = count;
      continue;
    }
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo;
  }
  return { ranks, rankCount: count };
}

function ranksOf(table: TableData, column: ColumnId): { ranks: Uint32Array; rankCount: number } {
  const cache = cacheOf(table, column);
  if (!cache.ranks) {
    const dates = table.dates[column];
    cache.ranks = dates ? dateRanks(dates, table.size) : textRanks(table, column);
  }
  return cache.ranks;
}

/**
 * The rows ordered by rank (a counting sort: ranks are small integers, so two linear passes beat
 * any comparison or float sort; a million rows take a few milliseconds). Rows of one rank keep
 * their base order, in both directions; `rankCount` (no value) comes last in both.
 */
export function orderByRank(ranks: Uint32Array, rankCount: number, desc: boolean): Uint32Array {
  const size = ranks.length;
  // starts[b]: where bucket b begins in the output; bucket rankCount holds the empty values.
  const starts = new Uint32Array(rankCount + 2);
  const bucketOf = (rank: number) => (rank === rankCount || !desc ? rank : rankCount - 1 - rank);
  for (let i = 0; i < size; i++) starts[bucketOf(ranks[i]!) + 1]! += 1;
  for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[starts[bucketOf(ranks[i]!)]!++] = i;
  return order;
}

/**
 * Every row of the table in the order of `column` (stable: ties keep the base order; empty values
 * last in both directions). Cached per table, column and direction.
 */
export function sortedOrder(table: TableData, sort: TableSort): Uint32Array {
  const cache = cacheOf(table, sort.column);
  const cached = cache.sorted?.[sort.direction];
  if (cached) return cached;
  const { ranks, rankCount } = ranksOf(table, sort.column);
  const order = orderByRank(ranks, rankCount, sort.direction === 'desc');
  cache.sorted = { ...cache.sorted, [sort.direction]: order };
  return order;
}

// ---------------------------------------------------------------------------------------------
// Filters

function foldedOf(table: TableData, column: ColumnId): readonly string[] {
  const cache = cacheOf(table, column);
  if (!cache.folded) cache.folded = codesOf(table, column).distinct.map(fold);
  return cache.folded;
}

/** The values of a pick cell (multi-valued cells are joined with VALUE_SEPARATOR). */
export function pickValues(cell: string): string[] {
  return cell === '' ? [] : cell.split(VALUE_SEPARATOR);
}

/**
 * Per paired value (a relationship's name), whether it contains `needle`, from its two parts
 * alone; undefined when the needle could run across the separator. Folding a name is folding its
 * parts and the separator one after the other (the separator's spaces end any context a case
 * mapping looks at: Greek final sigma), so a needle that holds no character of the folded
 * separator is inside the name iff it is inside one part. A million names are then tested
 * through twenty thousand folded parts, instead of folding (and keeping) a million strings on the
 * first filter: that allocation set off full garbage collections in the filter's time.
 */
function keptPairs(table: TableData, column: ColumnId, needle: string): Uint8Array | undefined {
  const { distinct, pairs } = codesOf(table, column);
  if (!pairs) return undefined;
  for (const char of fold(pairs.separator)) if (needle.includes(char)) return undefined;
  const cache = cacheOf(table, column);
  cache.foldedParts ??= pairs.parts.map(fold);
  const partKept = Uint8Array.from(cache.foldedParts, (part) => (part.includes(needle) ? 1 : 0));
  const kept = new Uint8Array(distinct.length);
  const { first, second } = pairs;
  for (let code = 0; code < distinct.length; code++) {
    const a = first[code]!;
    // Plain values (a node's name) are few beside the pairs: folded as they come.
    kept[code] =
      a >= 0 ? partKept[a]! | partKept[second[code]!]! : +fold(distinct[code]!).includes(needle);
  }
  return kept;
}

/** Per distinct value of the column: does the filter keep it. */
function keptCodes(table: TableData, column: ColumnId, filter: ColumnFilter): Uint8Array {
  const { distinct } = codesOf(table, column);
  if (filter.kind === 'text') {
    const needle = fold(filter.text.trim());
    const paired = keptPairs(table, column, needle);
    if (paired) return paired;
    const kept = new Uint8Array(distinct.length);
    const folded = foldedOf(table, column);
    for (let code = 0; code < distinct.length; code++) {
      kept[code] = folded[code]!.includes(needle) ? 1 : 0;
    }
    return kept;
  }
  const kept = new Uint8Array(distinct.length);
  if (filter.kind === 'pick') {
    const wanted = new Set(filter.values);
    for (let code = 0; code < distinct.length; code++) {
      kept[code] = pickValues(distinct[code]!).some((value) => wanted.has(value)) ? 1 : 0;
    }
  }
  return kept;
}

/** Whether a filter constrains anything (an empty text or an empty range keeps every row). */
export function isActiveFilter(filter: ColumnFilter | undefined): filter is ColumnFilter {
  if (!filter) return false;
  if (filter.kind === 'text') return filter.text.trim() !== '';
  if (filter.kind === 'pick') return filter.values.length > 0;
  return filter.from.trim() !== '' || filter.to.trim() !== '';
}

/** Why a filter could not apply: which bound of a date range is wrong, and why, for people. */
export interface FilterError {
  readonly bound: 'from' | 'to' | 'range';
  readonly message: string;
}

/** A date range filter's bounds in UTC ms, or why they are not a range. */
export function dateRangeOf(
  filter: Extract<ColumnFilter, { kind: 'date' }>,
): { readonly from: number; readonly to: number } | { readonly error: FilterError } {
  let from = -Infinity;
  let to = Infinity;
  if (filter.from.trim() !== '') {
    const read = readDate(filter.from);
    if ('code' in read) return { error: { bound: 'from', message: `From: ${read.message}` } };
    from = read.start;
  }
  if (filter.to.trim() !== '') {
    const read = readDate(filter.to);
    if ('code' in read) return { error: { bound: 'to', message: `To: ${read.message}` } };
    to = read.end;
  }
  if (from > to) return { error: { bound: 'range', message: 'From is after To' } };
  return { from, to };
}

export interface VisibleRows {
  /** Row indices in display order. */
  readonly rows: Uint32Array;
  /**
   * Filters that could not apply, by column (a date that is not one): they are left out rather
   * than silently showing no rows (issue 12: a bad search date gave a silent "0 results").
   */
  readonly errors: Readonly<Partial<Record<ColumnId, FilterError>>>;
}

/** The rows the query keeps, in its order. */
export function visibleRows(table: TableData, query: TableQuery): VisibleRows {
  const size = table.size;
  const keep = new Uint8Array(size);
  const wantEdges = query.showRelationships ? 1 : 0;
  for (let i = 0; i < size; i++) keep[i] = table.relationship[i] === wantEdges ? 1 : 0;
  if (query.type !== '') {
    for (let i = 0; i < size; i++) if (table.schemas[i] !== query.type) keep[i] = 0;
  }
  const terms = fold(query.search).split(/\s+/).filter(Boolean);
  if (terms.length > 0) {
    for (let i = 0; i < size; i++) {
      if (keep[i] && !terms.every((term) => table.search[i]!.includes(term))) keep[i] = 0;
    }
  }
  const errors: Partial<Record<ColumnId, FilterError>> = {};
  for (const column of COLUMN_IDS) {
    const filter = query.filters[column];
    if (!isActiveFilter(filter)) continue;
    const dates = table.dates[column];
    if (filter.kind === 'date') {
      if (!dates) continue;
      const range = dateRangeOf(filter);
      if ('error' in range) {
        errors[column] = range.error;
        continue;
      }
      for (let i = 0; i < size; i++) {
        // NaN compares false, so a row without a date is dropped.
        if (keep[i] && !(dates.start[i]! <= range.to && dates.end[i]! >= range.from)) keep[i] = 0;
      }
    } else {
      const kept = keptCodes(table, column, filter);
      const { codes } = codesOf(table, column);
      for (let i = 0; i < size; i++) if (keep[i] && !kept[codes[i]!]) keep[i] = 0;
    }
  }
  const order = sortedOrder(table, query.sort);
  let count = 0;
  for (let i = 0; i < size; i++) count += keep[i]!;
  const rows = new Uint32Array(count);
  let k = 0;
  for (let j = 0; j < size; j++) {
    const row = order[j]!;
    if (keep[row]) rows[k++] = row;
  }
  return { rows, errors };
}

// ---------------------------------------------------------------------------------------------
// Pick lists and sorting clicks

export interface PickOption {
  readonly value: string;
  readonly count: number;
}

/** The values present in a pick column among rows of the current kind, with counts, in order. */
export function pickOptions(
  table: TableData,
  column: ColumnId,
  showRelationships: boolean,
): PickOption[] {
  const { codes, distinct } = codesOf(table, column);
  const perCode = new Uint32Array(distinct.length);
  const wantEdges = showRelationships ? 1 : 0;
  for (let i = 0; i < table.size; i++) {
    if (table.relationship[i] === wantEdges) perCode[codes[i]!]! += 1;
  }
  const counts = new Map<string, number>();
  for (let code = 0; code < distinct.length; code++) {
    if (perCode[code] === 0) continue;
    for (const value of pickValues(distinct[code]!)) {
      counts.set(value, (counts.get(value) ?? 0) + perCode[code]!);
    }
  }
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => compareValues(column, a.value, b.value));
}

/** Clicking the sorted column flips it; another column starts ascending (dates: newest first). */
export function nextSort(sort: TableSort, column: ColumnId): TableSort {
  if (sort.column === column) {
    return { column, direction: sort.direction === 'asc' ? 'desc' : 'asc' };
  }
  return { column, direction: COLUMN_SPECS[column].filter === 'date' ? 'desc' : 'asc' };
}

/** The types present among the rows of the current kind, by label, with counts. */
export function typesPresent(
  table: TableData,
  showRelationships: boolean,
): { readonly name: string; readonly label: string; readonly count: number }[] {
  const counts = new Map<string, { label: string; count: number }>();
  const wantEdges = showRelationships ? 1 : 0;
  for (let i = 0; i < table.size; i++) {
    if (table.relationship[i] !== wantEdges) continue;
    const schema = table.schemas[i]!;
    const entry = counts.get(schema);
    if (entry) entry.count += 1;
    else counts.set(schema, { label: table.text.schema[i]!, count: 1 });
  }
  return [...counts.entries()]
    .map(([name, { label, count }]) => ({ name, label, count }))
    .sort((a, b) => compareText(a.label, b.label));
}
