import { describe, expect, it } from 'vitest';
import { foldedWords, foldText, tokenize } from './fold.ts';
import { boundedEditDistance } from './fuzzy.ts';
import fc from 'fast-check';
import {
  createSearchIndex,
  loadSearchIndex,
  SEARCH_INDEX_FORMAT,
  SearchIndexError,
  topK,
} from './searchIndex.ts';
import type { SearchIndex } from './searchIndex.ts';
import type { EntityDoc, SearchDocument, SearchHit, SearchOptions } from './types.ts';
import { packEntities, unpackEntities } from './packed.ts';

const docs: SearchDocument[] = [
  {
    id: 'p1',
    schema: 'Person',
    properties: {
      name: ['Ivan Petrov'],
      birthDate: ['1980-02-03'],
      nationality: ['ru'],
      phone: ['+359 88 123 4567'],
    },
  },
  {
    id: 'p2',
    schema: 'Person',
    properties: { name: ['Мария Иванова'], birthDate: ['1975'], nationality: ['bg'] },
  },
  {
    id: 'p3',
    schema: 'Person',
    properties: { name: ['José Müller'], birthDate: ['1990-07'], country: ['de'] },
  },
  {
    id: 'c1',
    schema: 'Company',
    properties: {
      name: ['Petrov Trading Ltd'],
      incorporationDate: ['2010-05-01'],
      jurisdiction: ['cy'],
    },
  },
  { id: 'g1', schema: 'Person', properties: { name: ['Δημήτρης Παπαδόπουλος'] } },
  {
    kind: 'note',
    id: 'n1',
    caseId: 'case-1',
    body: 'Met the informant near the harbour. He said Petrov ships cigarettes through Varna every Tuesday.',
  },
  { kind: 'attachment', id: 'a1', name: 'invoice.pdf', text: 'Invoice 4471 for Petrov Trading' },
];

function build() {
  const index = createSearchIndex();
  for (const doc of docs) index.add(doc);
  return index;
}

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

describe('folding', () => {
  it('normalises diacritics and transliterates Cyrillic and Greek', () => {
    expect(foldText('José Müller')).toBe('jose muller');
    expect(foldText('Иван Петров')).toBe('ivan petrov');
    expect(foldText('Δημήτρης')).toBe('dimitris');
    expect(foldText('Straße')).toBe('strasse');
    expect(tokenize('+359 (88) 123-4567')).toEqual(['359', '88', '123', '4567']);
  });

  it("joins a value's folded words as tokenize does, any text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' })), (value) => {
        expect(foldedWords(value)).toBe(tokenize(value).join(' '));
      }),
      { numRuns: 500 },
    );
  });

  it('bounds edit distance and counts a swap once', () => {
    expect(boundedEditDistance('petrov', 'petrvo', 1)).toBe(1);
    expect(boundedEditDistance('petrov', 'pterov', 1)).toBe(1);
    expect(boundedEditDistance('kitten', 'sitting', 2)).toBe(3);
    expect(boundedEditDistance('kitten', 'sitting', 3)).toBe(3);
  });

  it('agrees with a plain dynamic programme on random strings', () => {
    const osa = (a: string, b: string) => {
      const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
      );
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
          const cost = a[i - 1] === b[j - 1] ? 0 : 1;
          d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
            d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
          }
        }
      }
      return d[a.length][b.length];
    };
    let seed = 1;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = () => Array.from({ length: rand(9) }, () => 'abc'[rand(3)]).join('');
    for (let k = 0; k < 2000; k++) {
      const a = word();
      const b = word();
      const max = rand(4);
      expect(boundedEditDistance(a, b, max)).toBe(Math.min(osa(a, b), max + 1));
    }
  });
});

describe('search index', () => {
  it('finds exact terms with entity snippets', () => {
    const hits = build().search('ivan petrov');
    expect(hits[0]).toMatchObject({
      id: 'p1',
      kind: 'entity',
      schema: 'Person',
      matchedTerms: ['ivan', 'petrov'],
      snippet: 'name: Ivan Petrov',
    });
  });

  it('matches regardless of script', () => {
    const index = build();
    expect(ids(index.search('Иван Петров'))[0]).toBe('p1');
    expect(ids(index.search('maria ivanova'))).toEqual(['p2']);
    expect(ids(index.search('papadopoulos'))).toEqual(['g1']);
    expect(ids(index.search('muller jose'))).toEqual(['p3']);
  });

  it('tolerates typos within the length budget', () => {
    const index = build();
    expect(ids(index.search('ivan petorv'))[0]).toBe('p1'); // swap, distance 1
    expect(ids(index.search('ivn'))).toEqual([]); // 3 chars: no typo budget, no prefix match
    expect(ids(index.search('papdopolos'))).toEqual(['g1']); // 10 chars, distance 2
    expect(ids(index.search('muler'))).toEqual(['p3']);
    const typo = index.search('petrv');
    expect(typo.map((h) => h.matchedTerms[0])).toContain('petrov');
  });

  it('completes the last term being typed, not earlier ones', () => {
    const index = build();
    expect(ids(index.search('ivan pet'))[0]).toBe('p1');
    expect(ids(index.search('ivan pet '))).toEqual(['p1']); // trailing space: 'pet' is complete… no match, soft AND keeps ivan
    expect(index.search('cigar')[0]).toMatchObject({ id: 'n1', kind: 'note' });
  });

  it('ranks an exact name above a partial one and quotes notes', () => {
    const index = build();
    const hits = index.search('petrov');
    expect(ids(hits)).toEqual(expect.arrayContaining(['p1', 'c1', 'n1', 'a1']));
    const note = hits.find((h) => h.id === 'n1')!;
    expect(note.snippet).toContain('Petrov ships cigarettes');
    expect(ids(index.search('petrov trading ltd'))[0]).toBe('c1');
  });

  it('finds phone numbers in compact form', () => {
    const index = build();
    expect(ids(index.search('359881234567'))).toEqual(['p1']);
    expect(ids(index.search('4567'))).toEqual(['p1']);
    expect(ids(index.search('088 123 4567'))).toEqual(['p1']); // national, by its parts
    expect(ids(index.search('0881234567'))).toEqual(['p1']); // national, trunk 0 dropped
    expect(ids(index.search('00359881234567'))).toEqual(['p1']);
  });

  it("finds a call by the national form of either of its numbers, as it finds the call's phones", () => {
    const index = createSearchIndex();
    index.add({ id: 'ph1', schema: 'Phone', properties: { number: ['+436641234567'] } });
    index.add({
      id: 'call1',
      schema: 'Call',
      properties: {
        callerNumber: ['+436641234567'],
        receiverNumber: ['+436767654321'],
        startDate: ['2026-03-31T23:58+02:00'],
      },
    });
    expect(ids(index.search('06641234567')).sort()).toEqual(['call1', 'ph1']);
    expect(ids(index.search('06767654321'))).toEqual(['call1']);
    expect(ids(index.search('+43 676 7654321'))).toEqual(['call1']);
  });

  it('finds an IBAN and an international number however they are spaced (issue 12)', () => {
    const index = createSearchIndex();
    index.add({
      id: 'b1',
      schema: 'BankAccount',
      properties: { iban: ['AT611904300234573201'] },
    });
    index.add({
      id: 'b2',
      schema: 'BankAccount',
      properties: { iban: ['IBAN: DE89-3704-0044-0532-0130-00'] },
    });
    index.add({
      id: 'p9',
      schema: 'Person',
      properties: { name: ['Anna'], phone: ['0043 664 1234567'] },
    });
    expect(ids(index.search('AT61 1904 3002 3457 3201'))).toEqual(['b1']);
    expect(ids(index.search('at61-1904-3002-3457-3201'))).toEqual(['b1']);
    expect(ids(index.search('DE89 3704 0044 0532 0130 00'))).toEqual(['b2']);
    expect(ids(index.search('+43 664 1234567'))).toEqual(['p9']);
    expect(ids(index.search('0043 664 1234567'))).toEqual(['p9']);
    index.add({ id: 'n9', schema: 'Phone', properties: { number: ['0043 660 7654321'] } });
    expect(ids(index.search('+43 660 7654321'))).toEqual(['n9']);
  });

  it('filters by schema family, kind, dates and countries', () => {
    const index = build();
    expect(ids(index.search('petrov', { schemata: ['Person'] }))).toEqual(['p1']);
    expect(ids(index.search('petrov', { schemata: ['LegalEntity'] })).sort()).toEqual(['c1', 'p1']);
    expect(ids(index.search('petrov', { schemata: ['note', 'attachment'] })).sort()).toEqual([
      'a1',
      'n1',
    ]);
    expect(ids(index.search('petrov', { dateFrom: '1980-01', dateTo: '1980-12-31' }))).toEqual([
      'p1',
    ]);
    // A partial date overlaps a range that covers part of it.
    expect(ids(index.search('', { dateFrom: '1975-06-01', dateTo: '1975-06-30' }))).toEqual(['p2']);
    expect(ids(index.search('', { dateFrom: '2000' })).sort()).toEqual(['c1']);
    expect(ids(index.search('petrov', { countries: ['CY'] }))).toEqual(['c1']);
    expect(ids(index.search('', { countries: ['bg', 'de'] })).sort()).toEqual(['p2', 'p3']);
    expect(() => index.search('x', { dateFrom: 'yesterday' })).toThrow(/dateFrom/);
  });

  it('updates and removes incrementally', () => {
    const index = build();
    index.update({ id: 'p1', schema: 'Person', properties: { name: ['Ivan Sidorov'] } });
    expect(ids(index.search('petrov', { schemata: ['Person'] }))).toEqual([]);
    expect(ids(index.search('sidorov'))).toEqual(['p1']);
    expect(index.remove('p1')).toBe(true);
    expect(index.remove('p1')).toBe(false);
    expect(ids(index.search('sidorov'))).toEqual([]);
    expect(ids(index.search('sidor'))).toEqual([]);
    index.add({ id: 'p9', schema: 'Person', properties: { name: ['Ivan Sidorov'] } });
    expect(ids(index.search('sidor'))).toEqual(['p9']);
    expect(index.size).toBe(docs.length);
  });

  it('survives many adds and removes (slot reuse, vocabulary merge)', () => {
    const index = createSearchIndex();
    for (let i = 0; i < 3000; i++) {
      index.add({ id: `e${i}`, schema: 'Person', properties: { name: [`name${i} surname${i}`] } });
    }
    for (let i = 0; i < 3000; i += 2) index.remove(`e${i}`);
    expect(index.size).toBe(1500);
    expect(ids(index.search('name2999'))).toEqual(['e2999']);
    expect(ids(index.search('name2998'))).toEqual([]);
    // 'surname29' itself plus at most 40 completions of the term being typed.
    const hits = index.search('surname29', { limit: 100 });
    expect(hits.length).toBe(41);
    expect(hits[0].id).toBe('e29');
    expect(hits.every((h) => /^e29\d*$/.test(h.id))).toBe(true);
  });
});

describe('packed batches', () => {
  const word = fc.constantFrom('ivan', 'petrov', 'maria', 'varna', '+359 88 123 4567', '1999-04');
  const prop = fc.constantFrom(
    'name',
    'alias',
    'phone',
    'number',
    'notes',
    'birthDate',
    'country',
    'iban',
    'callerNumber',
  );
  const entityArb: fc.Arbitrary<EntityDoc> = fc.record({
    id: fc.integer({ min: 0, max: 20 }).map((n) => `d${n}`),
    schema: fc.constantFrom('Person', 'Phone', 'Call'),
    properties: fc.dictionary(prop, fc.array(word, { maxLength: 3 })),
  });

  it('indexes a packed batch exactly as adding each document does (the same bytes)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(entityArb, fc.integer({ min: 0, max: 20 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (ops, slice) => {
          const one = createSearchIndex();
          const packed = createSearchIndex();
          const batch: EntityDoc[] = [];
          const flush = () => {
            packed.addPacked(structuredClone(packEntities(batch.splice(0), (d) => d)));
          };
          for (const op of ops) {
            if (typeof op === 'number') {
              flush();
              one.remove(`d${op}`);
              packed.remove(`d${op}`);
              continue;
            }
            one.add(op);
            batch.push(op);
            if (batch.length >= slice) flush();
          }
          flush();
          expect(packed.serialize()).toEqual(one.serialize());
          // Packing keeps every document as it was.
          const all = ops.filter((op) => typeof op !== 'number') as EntityDoc[];
          expect(unpackEntities(packEntities(all, (d) => d))).toEqual(all);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('packs any documents losslessly, however many properties each has', () => {
    const many = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.array(fc.string(), { maxLength: 3 }),
      { maxKeys: 40 },
    );
    const docArb = fc.record({
      id: fc.string({ minLength: 1 }),
      schema: fc.string(),
      properties: many,
    });
    fc.assert(
      fc.property(fc.array(docArb, { maxLength: 8 }), (list) => {
        const docs: EntityDoc[] = list.map((d) => ({ ...d, properties: { ...d.properties } }));
        expect(unpackEntities(packEntities(docs, (d) => d))).toEqual(docs);
      }),
    );
  });

  it('refuses a batch whose shape does not match its strings', () => {
    const batch = packEntities(
      [{ id: 'x', schema: 'Person', properties: { name: ['A B'] } }],
      (d) => d,
    );
    const index = createSearchIndex();
    expect(() => index.addPacked({ ...batch, strings: batch.strings.slice(0, 2) })).toThrow();
    expect(() => index.addPacked({ ...batch, shape: Int32Array.from([1, 5, 1]) })).toThrow();
    expect(index.size).toBe(0);
    expect(index.addPacked(batch)).toBe(1);
  });
});

describe('top k', () => {
  it('picks the k best scores, ties to the lower number, as a full sort would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (raw, k) => {
          const score = Float64Array.from(raw, (v) => v / 4);
          const docs = [...raw.keys()].reverse();
          const expected = [...docs]
            .sort((a, b) => score[b]! - score[a]! || a - b)
            .slice(0, k)
            .sort((a, b) => a - b);
          expect(topK(docs, score, k).sort((a, b) => a - b)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('persisted index', () => {
  // Queries of every kind the engine answers: names, typos, completions, numbers, identifiers,
  // filter-only listings and filtered searches.
  const QUERIES: [string, SearchOptions?][] = [
    ['ivan petrov'],
    ['petorv'],
    ['ivan pet'],
    ['papdopolos'],
    ['0881234567'],
    ['+359 88 123 4567'],
    ['AT61 1904 3002 3457 3201'],
    ['cigar'],
    ['invoice'],
    ['petrov', { schemata: ['LegalEntity'] }],
    ['petrov', { schemata: ['note', 'attachment'] }],
    ['', { dateFrom: '1975-06-01', dateTo: '1975-06-30' }],
    ['', { countries: ['bg', 'de'] }],
    ['petrov', { countries: ['cy'], dateFrom: '2010' }],
    ['name7 surname', { limit: 100 }],
    ['surname1', { limit: 100 }],
  ];
  const answers = (index: SearchIndex) => QUERIES.map(([q, o]) => index.search(q, o));

  /** The fixture docs, an IBAN, and generated people of whom some were removed or replaced. */
  function busy(): SearchIndex {
    const index = build();
    index.add({ id: 'b1', schema: 'BankAccount', properties: { iban: ['AT611904300234573201'] } });
    for (let i = 0; i < 3000; i++) {
      index.add({ id: `e${i}`, schema: 'Person', properties: { name: [`name${i} surname${i}`] } });
    }
    // Enough removals that dead postings are swept and document numbers reused.
    for (let i = 0; i < 3000; i += 2) index.remove(`e${i}`);
    for (let i = 1; i < 3000; i += 7) {
      index.update({ id: `e${i}`, schema: 'Company', properties: { name: [`renamed${i}`] } });
    }
    return index;
  }

  it('loads without re-indexing and answers exactly as the index it was saved from', () => {
    const index = busy();
    const bytes = index.serialize();
    const copy = loadSearchIndex(bytes);
    expect(copy.size).toBe(index.size);
    expect(copy.ids().sort()).toEqual(index.ids().sort());
    expect(answers(copy)).toEqual(answers(index));
    // Saving the copy again gives the same bytes: nothing was lost or reordered on the way.
    const again = copy.serialize();
    expect(again.length === bytes.length && again.every((b, i) => b === bytes[i])).toBe(true);
  });

  it('keeps nothing of the bytes it was loaded from (the buffer can go)', () => {
    const index = busy();
    const bytes = index.serialize();
    const copy = loadSearchIndex(bytes);
    // What the caller does with its buffer afterwards (reuses it, or hands it away) changes
    // nothing in the loaded index.
    bytes.fill(0);
    expect(answers(copy)).toEqual(answers(index));
  });

  it('takes changes after loading like an index built from scratch', () => {
    const copy = loadSearchIndex(busy().serialize());
    const fresh = createSearchIndex();
    for (const doc of docs) fresh.add(doc);
    fresh.add({ id: 'b1', schema: 'BankAccount', properties: { iban: ['AT611904300234573201'] } });
    const change = (index: SearchIndex) => {
      index.remove('p3');
      index.update({ id: 'p2', schema: 'Person', properties: { name: ['Maria Kovacheva'] } });
      index.add({ kind: 'note', id: 'n2', caseId: 'c', body: 'Kovacheva flew to Varna.' });
    };
    change(copy);
    change(fresh);
    for (const id of copy.ids().filter((id) => id.startsWith('e'))) copy.remove(id);
    const byId = (hits: SearchHit[]) => [...hits].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(answers(copy).map(byId)).toEqual(answers(fresh).map(byId));
    expect(ids(copy.search('kovacheva')).sort()).toEqual(['n2', 'p2']);
    expect(ids(copy.search('muller'))).toEqual([]);
  });

  it('agrees with the live index on generated documents and changes', () => {
    const word = fc.constantFrom('ivan', 'petrov', 'maria', 'varna', 'sofia', 'müller', 'ltd');
    const docArb = fc.record({
      id: fc.integer({ min: 0, max: 30 }).map((n) => `d${n}`),
      schema: fc.constantFrom('Person', 'Company', 'Phone'),
      name: fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
      date: fc.constantFrom(undefined, '1980', '1999-04', '2004-02-29'),
      country: fc.constantFrom(undefined, 'bg', 'DE'),
      phone: fc.constantFrom(undefined, '+359 88 123 4567', '0043 664 1234567'),
    });
    const op = fc.oneof(
      docArb.map((d) => ({ add: d })),
      fc.integer({ min: 0, max: 30 }).map((n) => ({ remove: `d${n}` })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.nat(60), (ops, cut) => {
        const index = createSearchIndex();
        let copy: SearchIndex | null = null;
        ops.forEach((o, i) => {
          if (i === cut) copy = loadSearchIndex(index.serialize());
          for (const target of copy ? [index, copy] : [index]) {
            if ('remove' in o) target.remove(o.remove);
            else {
              const properties: Record<string, string[]> = { name: [o.add.name] };
              if (o.add.date) properties.birthDate = [o.add.date];
              if (o.add.country) properties.country = [o.add.country];
              // A Phone's number is indexed as a phone too (E.164 digits, national number).
              if (o.add.phone)
                properties[o.add.schema === 'Phone' ? 'number' : 'phone'] = [o.add.phone];
              target.add({ id: o.add.id, schema: o.add.schema, properties });
            }
          }
        });
        const loaded: SearchIndex = copy ?? loadSearchIndex(index.serialize());
        for (const [q, o] of [
          ['petrov', {}],
          ['ivan varn', {}],
          ['muler', {}],
          ['0881234567', {}],
          ['', { countries: ['bg'] }],
          ['', { dateFrom: '1999', dateTo: '2004-02' }],
          ['maria', { schemata: ['LegalEntity'] }],
        ] as [string, SearchOptions][]) {
          const byId = (hits: SearchHit[]) => [...hits].sort((a, b) => (a.id < b.id ? -1 : 1));
          expect(byId(loaded.search(q, { ...o, limit: 50 }))).toEqual(
            byId(index.search(q, { ...o, limit: 50 })),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('answers and saves the same whenever its postings are put in place (searches between changes)', () => {
    // Postings are logged as documents are added and sorted into place when first read (a
    // search, a save, a shard): small logs onto the terms' lists, large ones into a new base,
    // removals swept out with them. Reading at any point must not change an answer or a byte.
    const word = fc.constantFrom('ivan', 'petrov', 'maria', 'varna', '+359 88 123 4567', '2026');
    // Enough removals (ids from a range that fills up) for the sweep of dead postings to run.
    const op = fc.oneof(
      {
        arbitrary: fc.record({
          add: fc.integer({ min: 0, max: 1500 }),
          words: fc.array(word, { minLength: 1, maxLength: 3 }),
        }),
        weight: 6,
      },
      { arbitrary: fc.record({ remove: fc.integer({ min: 0, max: 1500 }) }), weight: 5 },
      {
        arbitrary: fc.record({
          read: fc.constantFrom('petrov', 'ivan varn', '0881234567', '2026'),
        }),
        weight: 1,
      },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 2500, maxLength: 4000 }), (ops) => {
        const eager = createSearchIndex();
        const lazy = createSearchIndex();
        for (const o of ops) {
          if ('read' in o) {
            eager.search(o.read);
            continue;
          }
          for (const target of [eager, lazy]) {
            if ('remove' in o) target.remove(`d${o.remove}`);
            else {
              target.add({
                id: `d${o.add}`,
                schema: o.add % 2 === 0 ? 'Phone' : 'Call',
                properties: { number: o.words, startDate: [`2026-01-${10 + (o.add % 9)}`] },
              });
            }
          }
        }
        for (const q of ['petrov', 'ivan varn', '0881234567', '2026', 'mari']) {
          expect(eager.search(q, { limit: 50 })).toEqual(lazy.search(q, { limit: 50 }));
        }
        expect(Buffer.from(eager.serialize()).equals(Buffer.from(lazy.serialize()))).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('refuses bytes that are not an index of this format, by code', () => {
    const bytes = build().serialize();
    const codeOf = (input: Uint8Array) => {
      try {
        loadSearchIndex(input);
        return 'loaded';
      } catch (error) {
        return error instanceof SearchIndexError ? error.code : 'other';
      }
    };
    expect(codeOf(new TextEncoder().encode('{"version":1,"docs":[]}'))).toBe('unsupported');
    expect(codeOf(bytes.slice(0, 40))).toBe('corrupt');
    const other = bytes.slice();
    const text = new TextDecoder().decode(other.subarray(8, 200));
    const at = text.indexOf(`"format":${SEARCH_INDEX_FORMAT}`) + 8 + '"format":'.length;
    other[at] = '9'.charCodeAt(0);
    expect(codeOf(other)).toBe('unsupported');
    // An index saved inside a larger buffer (at an odd offset) still loads.
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(codeOf(padded.subarray(3))).toBe('loaded');
  });
});
