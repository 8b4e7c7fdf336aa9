import { describe, expect, it } from 'vitest';
import type { EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import {
  DEFAULT_QUERY,
  buildRows,
  filterAndSort,
  nextSort,
  pageOf,
  typesPresent,
} from './entityTableModel.ts';

let clock = 0;
function entity(id: string, schema: string, properties: EntityProperties): EntityRecord {
  // Each entity is written after the one before, so "updated" sorts in the order they are made.
  clock += 1;
  const hlc = `${clock.toString(16).padStart(13, '0')}-0000-test`;
  return testEntity(id, schema, {}, { properties, updatedAt: hlc, createdAt: hlc });
}

const entities = [
  entity('p1', 'Person', { name: ['Ivan Petrov'], nationality: ['ru'] }),
  entity('p2', 'Person', { name: ['Anna Müller'], birthDate: ['1980-02-03'] }),
  entity('c1', 'Company', { name: ['Blue Lagoon Ltd'], registrationNumber: ['HRB 1234'] }),
  entity('ph1', 'Phone', { number: ['+49 30 1234567'] }),
  entity('o1', 'Ownership', { owner: ['p1'], asset: ['c1'], percentage: ['51'] }),
];

describe('entity table model', () => {
  const rows = buildRows(entities);

  it('shows nodes by default and relationships on request, named by their ends', () => {
    expect(filterAndSort(rows, DEFAULT_QUERY).map((row) => row.id)).toEqual([
      'ph1',
      'p2',
      'c1',
      'p1',
    ]);
    const edges = filterAndSort(rows, { ...DEFAULT_QUERY, showRelationships: true });
    expect(edges.map((row) => row.name)).toEqual(['Ivan Petrov → Blue Lagoon Ltd']);
  });

  it('filters by type and lists the types present with counts', () => {
    expect(typesPresent(rows, false)).toEqual([
      { name: 'Company', label: 'Company', count: 1 },
      { name: 'Person', label: 'Person', count: 2 },
      { name: 'Phone', label: 'Phone', count: 1 },
    ]);
    const people = filterAndSort(rows, { ...DEFAULT_QUERY, type: 'Person' });
    expect(people.map((row) => row.id)).toEqual(['p2', 'p1']);
  });

  it('searches caption and every property value, ignoring case and accents, all terms', () => {
    const search = (text: string) =>
      filterAndSort(rows, { ...DEFAULT_QUERY, search: text }).map((row) => row.id);
    expect(search('muller')).toEqual(['p2']);
    expect(search('hrb 1234')).toEqual(['c1']);
    expect(search('1980-02')).toEqual(['p2']);
    expect(search('ivan blue')).toEqual([]);
    expect(search('  ')).toHaveLength(4);
  });

  it('sorts by name, type and update time in either direction', () => {
    let query = nextSort(DEFAULT_QUERY, 'name');
    expect(query.sortDirection).toBe('desc');
    expect(filterAndSort(rows, query)[0]?.id).toBe('p1');
    query = nextSort(query, 'updated');
    expect(query).toMatchObject({ sortKey: 'updated', sortDirection: 'desc' });
    expect(filterAndSort(rows, query).map((row) => row.id)).toEqual(['ph1', 'c1', 'p2', 'p1']);
    query = nextSort(query, 'type');
    expect(filterAndSort(rows, query).map((row) => row.typeLabel)).toEqual([
      'Company',
      'Person',
      'Person',
      'Phone',
    ]);
  });

  it('pages and clamps the page number', () => {
    const items = Array.from({ length: 250 }, (_, index) => index);
    expect(pageOf(items, 0).items).toHaveLength(100);
    expect(pageOf(items, 2)).toMatchObject({ page: 2, pageCount: 3, total: 250 });
    expect(pageOf(items, 2).items).toHaveLength(50);
    expect(pageOf(items, 9).page).toBe(2);
    expect(pageOf([], 0)).toMatchObject({ page: 0, pageCount: 1, total: 0 });
  });

  it('filters and sorts 20,000 rows quickly', () => {
    const many = Array.from({ length: 20_000 }, (_, index) =>
      entity(`e${index}`, index % 3 ? 'Person' : 'Company', {
        name: [`Name ${index}`],
        notes: [`note about item ${index}`],
      }),
    );
    const started = performance.now();
    const big = buildRows(many);
    const sorted = filterAndSort(big, { ...DEFAULT_QUERY, search: 'item 1' });
    const elapsed = performance.now() - started;
    expect(sorted.length).toBeGreaterThan(1000);
    expect(elapsed).toBeLessThan(3000);
  });
});
