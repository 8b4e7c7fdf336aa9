import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import { formatHlc, readDate } from '../../shared/model/index.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import { COLUMN_IDS, COLUMN_SPECS } from './tableColumns.ts';
import type { ColumnId } from './tableColumns.ts';
import {
  buildTable,
  compareValues,
  DEFAULT_QUERY,
  fold,
  nextSort,
  pickOptions,
  pickValues,
  sortedOrder,
  tableFromColumns,
  typesPresent,
  visibleRows,
} from './tableModel.ts';
import type { ColumnFilter, TableData, TableQuery } from './tableModel.ts';

let clock = 0;
function entity(
  id: string,
  schema: string,
  properties: EntityProperties,
  over: Partial<EntityRecord> = {},
): EntityRecord {
  // Each entity is written after the one before, so "updated" sorts in the order they are made.
  clock += 1;
  const hlc = formatHlc({ wallMs: Date.UTC(2024, 0, 1) + clock * 60_000, counter: 0, node: 't' });
  return testEntity(id, schema, {}, { properties, updatedAt: hlc, createdAt: hlc, ...over });
}

const entities = [
  entity('p1', 'Person', { name: ['Ivan Petrov'], nationality: ['ru', 'md'], birthDate: ['1971'] }),
  entity(
    'p2',
    'Person',
    { name: ['Anna Müller'], birthDate: ['1980-02-03'], passportNumber: ['X1234567'] },
    {
      markings: {
        classification: 'SECRET',
        tlp: 'RED',
        releasableTo: [],
        referToOriginator: false,
      },
    },
  ),
  entity('c1', 'Company', { name: ['Blue Lagoon Ltd'], registrationNumber: ['HRB 1234'] }),
  entity('ph1', 'Phone', { number: ['+49 30 1234567'] }),
  entity('o1', 'Ownership', { owner: ['p1'], asset: ['c1'], percentage: ['51'] }),
];
const table = buildTable(entities);
const ids = (query: Partial<TableQuery>) =>
  Array.from(visibleRows(table, { ...DEFAULT_QUERY, ...query }).rows, (row) => table.ids[row]);

describe('entity table model, by example', () => {
  it('shows nodes by default and relationships on request, named by their ends', () => {
    expect(ids({})).toEqual(['ph1', 'p2', 'c1', 'p1']);
    const edges = visibleRows(table, { ...DEFAULT_QUERY, showRelationships: true }).rows;
    expect(Array.from(edges, (row) => table.text.caption[row])).toEqual([
      'Ivan Petrov → Blue Lagoon Ltd',
    ]);
  });

  it('fills the columns: identifiers of every kind, nationality, grade, markings, source', () => {
    const row = table.ids.indexOf('p2');
    expect(table.text.identifiers[row]).toBe('X1234567');
    expect(table.text.identifiers[table.ids.indexOf('c1')]).toBe('HRB 1234');
    expect(table.text.identifiers[table.ids.indexOf('ph1')]).toBe('+49 30 1234567');
    expect(table.text.nationality[table.ids.indexOf('p1')]).toBe('RU, MD');
    expect(table.text.grade[row]).toBe('B2');
    expect([table.text.classification[row], table.text.tlp[row]]).toEqual(['SECRET', 'RED']);
    expect(table.text.source[row]).toBe('test');
  });

  it('filters by type, search, text contains, pick lists (any value of a multi-valued cell)', () => {
    expect(typesPresent(table, false).map((t) => [t.name, t.count])).toEqual([
      ['Company', 1],
      ['Person', 2],
      ['Phone', 1],
    ]);
    expect(ids({ type: 'Person' })).toEqual(['p2', 'p1']);
    expect(ids({ search: 'muller' })).toEqual(['p2']);
    expect(ids({ search: 'ivan blue' })).toEqual([]);
    expect(ids({ filters: { identifiers: { kind: 'text', text: 'hrb 12' } } })).toEqual(['c1']);
    expect(ids({ filters: { nationality: { kind: 'pick', values: ['MD'] } } })).toEqual(['p1']);
    expect(pickOptions(table, 'nationality', false)).toEqual([
      { value: 'MD', count: 1 },
      { value: 'RU', count: 1 },
    ]);
    expect(pickOptions(table, 'classification', false).map((o) => o.value)).toEqual([
      'UNCLASSIFIED',
      'SECRET',
    ]);
  });

  it('filters dates by range and reports a bad date instead of showing nothing', () => {
    expect(ids({ filters: { birthDate: { kind: 'date', from: '1975', to: '' } } })).toEqual(['p2']);
    // '1971' is the whole year: it overlaps a range starting in June 1971.
    expect(
      ids({ filters: { birthDate: { kind: 'date', from: '1971-06', to: '1971-06' } } }),
    ).toEqual(['p1']);
    const bad = visibleRows(table, {
      ...DEFAULT_QUERY,
      filters: { birthDate: { kind: 'date', from: '1980-02-30', to: '' } },
    });
    expect(bad.errors.birthDate).toMatchObject({ bound: 'from' });
    expect(bad.errors.birthDate?.message).toContain('1980-02-30');
    // The bad filter is not applied: every row stays.
    expect(bad.rows).toHaveLength(4);
    const reversed = visibleRows(table, {
      ...DEFAULT_QUERY,
      filters: { birthDate: { kind: 'date', from: '1990', to: '1980' } },
    });
    expect(reversed.errors.birthDate?.bound).toBe('range');
  });

  it('sorts by any column either way, empty values last, dates as dates', () => {
    let sort = nextSort(DEFAULT_QUERY.sort, 'caption');
    expect(sort).toEqual({ column: 'caption', direction: 'desc' });
    expect(ids({ sort })[0]).toBe('p1');
    sort = nextSort(sort, 'updated');
    expect(sort).toEqual({ column: 'updated', direction: 'desc' });
    expect(ids({ sort })).toEqual(['ph1', 'c1', 'p2', 'p1']);
    // '1971' (a year) sorts before '1980-02-03'; rows without a birth date last, both ways.
    expect(ids({ sort: { column: 'birthDate', direction: 'asc' } })).toEqual([
      'p1',
      'p2',
      'c1',
      'ph1',
    ]);
    expect(ids({ sort: { column: 'birthDate', direction: 'desc' } })).toEqual([
      'p2',
      'p1',
      'c1',
      'ph1',
    ]);
    // Classification follows the ladder, not the alphabet.
    expect(ids({ sort: { column: 'classification', direction: 'desc' } })[0]).toBe('p2');
  });
});

// ---------------------------------------------------------------------------------------------
// Generated tables against naive implementations

const NAMES = ['Ivan', 'ivan', 'Íván', 'Anna 2', 'Anna 10', 'Zoë', 'Жанна', '李', 'a-b', 'ab', ''];
const COUNTRIES = ['RO', 'MD', 'RO, MD', 'AT', ''];
const DATES = ['1970', '1970-05', '1970-05-17', '1981-12-31', '2001', 'not a date', ''];
const LEVELS = ['UNCLASSIFIED', 'RESTRICTED', 'SECRET', 'CUSTOM'];

interface Generated {
  readonly caption: string;
  readonly nationality: string;
  readonly birthDate: string;
  readonly classification: string;
  readonly wallMs: number;
  readonly relationship: boolean;
}

const rowArb = fc.record({
  caption: fc.constantFrom(...NAMES),
  nationality: fc.constantFrom(...COUNTRIES),
  birthDate: fc.constantFrom(...DATES),
  classification: fc.constantFrom(...LEVELS),
  wallMs: fc.integer({ min: 0, max: 5 }).map((k) => Date.UTC(2024, 0, 1) + k * 1000),
  relationship: fc.boolean(),
});

function generatedTable(rows: readonly Generated[]): TableData {
  const text = Object.fromEntries(COLUMN_IDS.map((id) => [id, rows.map(() => '')])) as Record<
    ColumnId,
    string[]
  >;
  rows.forEach((row, i) => {
    text.caption[i] = row.caption;
    text.nationality[i] = row.nationality;
    text.birthDate[i] = row.birthDate;
    text.classification[i] = row.classification;
    text.updated[i] = formatHlc({ wallMs: row.wallMs, counter: 0, node: 'n' });
  });
  return tableFromColumns({
    ids: rows.map((_, i) => `r${i}`),
    schemas: rows.map(() => 'Person'),
    relationship: Uint8Array.from(rows, (row) => (row.relationship ? 1 : 0)),
    text,
    search: rows.map((row) => fold(row.caption)),
  });
}

const SORTABLE: readonly ColumnId[] = [
  'caption',
  'nationality',
  'birthDate',
  'classification',
  'updated',
];

/** The naive order: a comparator sort by the column (dates by first ms), empties last, stable. */
function naiveOrder(data: TableData, column: ColumnId, direction: 'asc' | 'desc'): number[] {
  const dates = data.dates[column];
  const isEmpty = (i: number) =>
    dates ? Number.isNaN(dates.start[i]!) : data.text[column][i] === '';
  const compare = (a: number, b: number) =>
    dates
      ? dates.start[a]! - dates.start[b]!
      : compareValues(column, data.text[column][a]!, data.text[column][b]!);
  return Array.from({ length: data.size }, (_, i) => i).sort((a, b) => {
    if (isEmpty(a) !== isEmpty(b)) return isEmpty(a) ? 1 : -1;
    if (isEmpty(a)) return a - b;
    return (direction === 'asc' ? compare(a, b) : compare(b, a)) || a - b;
  });
}

function naiveKeeps(data: TableData, i: number, column: ColumnId, filter: ColumnFilter): boolean {
  const value = data.text[column][i]!;
  if (filter.kind === 'text') return fold(value).includes(fold(filter.text.trim()));
  if (filter.kind === 'pick') return pickValues(value).some((v) => filter.values.includes(v));
  const span = readDate(value);
  if ('code' in span) return false;
  const from = filter.from ? (readDate(filter.from) as { start: number }).start : -Infinity;
  const to = filter.to ? (readDate(filter.to) as { end: number }).end : Infinity;
  return span.start <= to && span.end >= from;
}

describe('entity table model, generated', () => {
  it('sorts into a permutation in column order, ties in base order (stable)', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 80 }),
        fc.constantFrom(...SORTABLE),
        fc.constantFrom('asc' as const, 'desc' as const),
        (rows, column, direction) => {
          const data = generatedTable(rows);
          const order = Array.from(sortedOrder(data, { column, direction }));
          expect(order).toEqual(naiveOrder(data, column, direction));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps exactly the rows a naive filter keeps, in the sorted order', () => {
    const filterArb = fc.record(
      {
        caption: fc
          .constantFrom('iv', 'ANNA', 'z', '')
          .map((text): ColumnFilter => ({ kind: 'text', text })),
        nationality: fc
          .subarray(['RO', 'MD', 'AT'])
          .map((values): ColumnFilter => ({ kind: 'pick', values })),
        birthDate: fc
          .record({
            from: fc.constantFrom('', '1970-05', '1980'),
            to: fc.constantFrom('', '1970', '2001-06'),
          })
          .filter(({ from, to }) => !(from === '1980' && to === '1970'))
          .map((range): ColumnFilter => ({ kind: 'date', ...range })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 80 }),
        filterArb,
        fc.boolean(),
        fc.constantFrom(...SORTABLE),
        (rows, filters, showRelationships, column) => {
          const data = generatedTable(rows);
          const sort = { column, direction: 'asc' as const };
          const result = visibleRows(data, { ...DEFAULT_QUERY, showRelationships, sort, filters });
          expect(result.errors).toEqual({});
          const expected = naiveOrder(data, column, 'asc').filter(
            (i) =>
              data.relationship[i] === (showRelationships ? 1 : 0) &&
              Object.entries(filters).every(([id, filter]) => {
                const spec = COLUMN_SPECS[id as ColumnId];
                const active =
                  filter.kind === 'text'
                    ? filter.text.trim() !== ''
                    : filter.kind === 'pick'
                      ? filter.values.length > 0
                      : filter.from !== '' || filter.to !== '';
                return !active || spec === undefined || naiveKeeps(data, i, id as ColumnId, filter);
              }),
          );
          expect(Array.from(result.rows)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('entity table model after an edit', () => {
  const people = Array.from({ length: 300 }, (_, k) =>
    entity(`n${k}`, 'Person', { name: [`Person ${(k * 7919) % 300}`], nationality: ['at'] }),
  );
  const byName = { column: 'caption', direction: 'asc' } as const;
  const fresh = (records: readonly EntityRecord[], sort: TableQuery['sort']) => {
    const t = buildTable(records);
    return Array.from(sortedOrder(t, sort), (row) => t.ids[row]);
  };

  it('keeps the sorted order of a column the edit did not touch, and re-sorts one it did', () => {
    const before = buildTable(people);
    const sorted = sortedOrder(before, byName);
    // Marking a record changes its classification, not its name.
    const marked = people.map((record, k) =>
      k === 17 ? { ...record, markings: { ...record.markings, classification: 'SECRET' } } : record,
    );
    const after = buildTable(marked, before);
    expect(sortedOrder(after, byName)).toBe(sorted);
    expect(after.text.classification[17]).toBe('SECRET');
    // Renaming a record changes the name column: sorted again, as a fresh table sorts it.
    const renamed = marked.map((record, k) =>
      k === 17 ? { ...record, properties: { name: ['Aaron First'] } } : record,
    );
    const again = buildTable(renamed, after);
    expect(sortedOrder(again, byName)).not.toBe(sorted);
    expect(Array.from(sortedOrder(again, byName), (row) => again.ids[row])).toEqual(
      fresh(renamed, byName),
    );
    expect(again.ids[sortedOrder(again, byName)[0]!]).toBe('n17');
  });

  it('agrees with a fresh table after any small edit (generated)', () => {
    const columns: ColumnId[] = ['caption', 'classification', 'nationality', 'updated'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(299), fc.constantFrom('name', 'mark', 'nationality')), {
          maxLength: 3,
        }),
        fc.constantFrom(...columns),
        fc.constantFrom('asc' as const, 'desc' as const),
        (edits, column, direction) => {
          const before = buildTable(people);
          for (const c of columns) sortedOrder(before, { column: c, direction });
          const edited = [...people];
          for (const [k, what] of edits) {
            const record = edited[k]!;
            edited[k] =
              what === 'name'
                ? { ...record, properties: { ...record.properties, name: [`Edited ${k}`] } }
                : what === 'mark'
                  ? { ...record, markings: { ...record.markings, tlp: 'RED' } }
                  : { ...record, properties: { ...record.properties, nationality: ['de'] } };
          }
          const after = buildTable(edited, before);
          const sort = { column, direction };
          expect(Array.from(sortedOrder(after, sort), (row) => after.ids[row])).toEqual(
            fresh(edited, sort),
          );
          expect(after.text[column]).toEqual(buildTable(edited).text[column]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('starts afresh when records are added or reordered', () => {
    const before = buildTable(people);
    const sorted = sortedOrder(before, byName);
    const added = buildTable([...people, entity('late', 'Person', { name: ['Zed'] })], before);
    expect(sortedOrder(added, byName)).not.toBe(sorted);
    expect(added.ids[sortedOrder(added, byName).at(-1)!]).toBe('late');
  });
});

describe('entity table model, names of relationships', () => {
  it('sorts and filters names made from the ends as the same names given as text do', () => {
    const nodes = Array.from({ length: 40 }, (_, k) =>
      entity(`ph${k}`, 'Phone', { number: [`+43 660 ${(k * 37) % 40}`] }),
    );
    const calls = Array.from({ length: 400 }, (_, k) =>
      entity(`call${k}`, 'Call', {
        caller: [`ph${(k * 7) % 40}`],
        receiver: [k % 50 === 0 ? 'missing' : `ph${(k * 11) % 40}`],
      }),
    );
    const made = buildTable([...nodes, ...calls]);
    const given = tableFromColumns({
      ids: made.ids,
      schemas: made.schemas,
      relationship: made.relationship,
      text: Object.fromEntries(COLUMN_IDS.map((id) => [id, [...made.text[id]]])) as Record<
        ColumnId,
        string[]
      >,
      search: made.search,
    });
    expect(made.text.caption[40]).toBe('+43 660 0 → missing');
    expect(made.text.caption[41]).toBe('+43 660 19 → +43 660 7');
    for (const direction of ['asc', 'desc'] as const) {
      const query = {
        ...DEFAULT_QUERY,
        showRelationships: true,
        sort: { column: 'caption', direction } as const,
        filters: { caption: { kind: 'text', text: '→ +43 660 1' } as ColumnFilter },
      };
      expect(visibleRows(made, query).rows).toEqual(visibleRows(given, query).rows);
      expect(sortedOrder(made, query.sort)).toEqual(sortedOrder(given, query.sort));
    }
    expect(made.text.caption.filter((name) => name.endsWith('→ missing'))).toHaveLength(8);
  });

  it('filters names made from the ends exactly as their whole folded text (generated)', () => {
    // Characters whose folding depends on context or changes length: final sigma, dotted capital
    // I, combining marks, ligatures, besides the separator's own characters and digits.
    const char = fc.constantFrom(...'aAΣσςΟİıßﬁé\u0301 →-+0123456789'.split(''));
    const name = fc.array(char, { maxLength: 8 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(
        fc.array(name, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
        fc.oneof(
          name,
          fc.array(char, { maxLength: 3 }).map((chars) => chars.join('')),
        ),
        (names, links, text) => {
          const nodes = names.map((number, k) => entity(`ph${k}`, 'Phone', { number: [number] }));
          const calls = links.map(([a, b], k) =>
            entity(`call${k}`, 'Call', {
              caller: [`ph${a % names.length}`],
              receiver: [`ph${b % names.length}`],
            }),
          );
          const made = buildTable([...nodes, ...calls]);
          const query = {
            ...DEFAULT_QUERY,
            showRelationships: true,
            filters: { caption: { kind: 'text', text } as ColumnFilter },
          };
          const needle = fold(text.trim());
          const expected = Array.from(sortedOrder(made, query.sort)).filter(
            (row) =>
              made.relationship[row] === 1 &&
              (text.trim() === '' || fold(made.text.caption[row]!).includes(needle)),
          );
          expect(Array.from(visibleRows(made, query).rows)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
