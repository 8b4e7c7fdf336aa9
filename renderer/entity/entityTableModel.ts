/**
 * Pure model of the entity table: rows are derived once per entity list (caption, type label and a
 * folded search text computed up front), then filtered, sorted and paged per query. Keeping the
 * expensive work in `buildRows` lets a 20,000-row case re-filter on every keystroke without
 * recomputing captions; only the visible page is rendered.
 */
import type { EntityRecord } from '../../shared/model/index.ts';
import { captionOf, edgeEnds, isEdgeSchema, model } from '../../shared/model/index.ts';

export type EntitySortKey = 'name' | 'type' | 'updated';
export type SortDirection = 'asc' | 'desc';

export interface EntityTableQuery {
  /** Show relationships instead of nodes. */
  readonly showRelationships: boolean;
  /** Schema name to keep, or '' for every type. */
  readonly type: string;
  readonly search: string;
  readonly sortKey: EntitySortKey;
  readonly sortDirection: SortDirection;
}

export const DEFAULT_QUERY: EntityTableQuery = {
  showRelationships: false,
  type: '',
  search: '',
  sortKey: 'name',
  sortDirection: 'asc',
};

export interface EntityRow {
  readonly id: string;
  readonly name: string;
  readonly schema: string;
  readonly typeLabel: string;
  readonly updatedAt: string;
  readonly isRelationship: boolean;
  readonly entity: EntityRecord;
  /** Folded caption, type and every property value, for search. */
  readonly searchText: string;
}

/** Lower case without diacritics, so "Müller" matches "muller". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function buildRows(entities: readonly EntityRecord[]): EntityRow[] {
  const captions = new Map<string, string>();
  for (const entity of entities) {
    if (!isEdgeSchema(entity.schema)) {
      captions.set(entity.id, captionOf(entity.schema, entity.properties));
    }
  }
  return entities.map((entity) => {
    const isRelationship = isEdgeSchema(entity.schema);
    const typeLabel = model.schemata[entity.schema]?.label ?? entity.schema;
    let name = captions.get(entity.id) ?? captionOf(entity.schema, entity.properties);
    if (isRelationship) {
      const ends = edgeEnds(entity.schema, entity.properties);
      // An edge's own caption is usually just its type; the two ends say far more.
      if (ends) {
        name = `${captions.get(ends.source) ?? ends.source} → ${captions.get(ends.target) ?? ends.target}`;
      }
    }
    const values = Object.values(entity.properties).flat();
    return {
      id: entity.id,
      name,
      schema: entity.schema,
      typeLabel,
      updatedAt: entity.updatedAt,
      isRelationship,
      entity,
      searchText: fold([name, typeLabel, ...values].join('\n')),
    };
  });
}

export interface TypeOption {
  readonly name: string;
  readonly label: string;
  readonly count: number;
}

/** The types present among the rows of the current kind (nodes or relationships), by label. */
export function typesPresent(rows: readonly EntityRow[], showRelationships: boolean): TypeOption[] {
  const counts = new Map<string, { label: string; count: number }>();
  for (const row of rows) {
    if (row.isRelationship !== showRelationships) continue;
    const entry = counts.get(row.schema);
    if (entry) entry.count += 1;
    else counts.set(row.schema, { label: row.typeLabel, count: 1 });
  }
  return [...counts.entries()]
    .map(([name, { label, count }]) => ({ name, label, count }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function compareRows(a: EntityRow, b: EntityRow, key: EntitySortKey): number {
  switch (key) {
    case 'name':
      return collator.compare(a.name, b.name) || collator.compare(a.typeLabel, b.typeLabel);
    case 'type':
      return collator.compare(a.typeLabel, b.typeLabel) || collator.compare(a.name, b.name);
    case 'updated':
      // HLC strings sort in clock order.
      return a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0;
  }
}

export function filterAndSort(rows: readonly EntityRow[], query: EntityTableQuery): EntityRow[] {
  const terms = fold(query.search).split(/\s+/).filter(Boolean);
  const kept = rows.filter(
    (row) =>
      row.isRelationship === query.showRelationships &&
      (query.type === '' || row.schema === query.type) &&
      terms.every((term) => row.searchText.includes(term)),
  );
  const sign = query.sortDirection === 'asc' ? 1 : -1;
  // The id breaks ties so the order is stable across renders and sorts.
  return kept.sort(
    (a, b) => sign * compareRows(a, b, query.sortKey) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Zero-based, clamped into range. */
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
}

const PAGE_SIZE = 100;

export function pageOf<T>(items: readonly T[], page: number, pageSize = PAGE_SIZE): Page<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const clamped = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
  return {
    items: items.slice(clamped * pageSize, (clamped + 1) * pageSize),
    page: clamped,
    pageCount,
    total: items.length,
  };
}

/** Clicking the sorted column flips it; another column starts ascending (updated: newest first). */
export function nextSort(query: EntityTableQuery, key: EntitySortKey): EntityTableQuery {
  if (query.sortKey === key) {
    return { ...query, sortDirection: query.sortDirection === 'asc' ? 'desc' : 'asc' };
  }
  return { ...query, sortKey: key, sortDirection: key === 'updated' ? 'desc' : 'asc' };
}
