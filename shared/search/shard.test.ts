import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createSearchIndex, SearchIndexError } from './searchIndex.ts';
import type { SearchIndex } from './searchIndex.ts';
import { packEntities } from './packed.ts';
import type { EntityDoc, SearchOptions } from './types.ts';
import { createSearchHandler, createSearchRpc } from './rpc.ts';
import type { SearchRpc } from './rpc.ts';
import { CaseIndexSync } from './indexSync.ts';
import type { ShardHelper } from './indexSync.ts';
import type { EntityRecord } from '../model/index.ts';

/** A worker as the sync sees it: calls copied both ways (buffers handed over), one at a time. */
function fakeWorker(calls: string[] = []): SearchRpc {
  const handle = createSearchHandler();
  let queue: Promise<unknown> = Promise.resolve();
  return createSearchRpc((call, transfer) => {
    calls.push(call.type);
    const copy = structuredClone(call, { transfer });
    const answer = queue.then(async () => structuredClone(await handle(copy)));
    queue = answer.catch(() => undefined);
    return answer;
  });
}

const record = (i: number, version = '1'): EntityRecord =>
  ({
    id: `r${i}`,
    kind: 'entity',
    caseId: 'c',
    updatedAt: version,
    schema: i % 3 === 0 ? 'Phone' : 'Call',
    properties:
      i % 3 === 0
        ? { number: [`+43664${1_000_000 + i}`] }
        : {
            callerNumber: [`+43664${1_000_000 + (i % 7)}`],
            startDate: [`2026-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00`],
            duration: [String(i % 5)],
          },
  }) as unknown as EntityRecord;

// A build split over two workers (issue 13): the second half is indexed on its own, exported as a
// shard and merged after the first. The merged index must be the index one worker would have
// built: the same bytes when serialised, the same answers.

const word = fc.constantFrom(
  'ivan',
  'petrov',
  'maria',
  'varna',
  '+359 88 123 4567',
  '+43 664 1234567',
  '1999-04',
  '2026-01-22T16:09+01:00',
  'AT61 1904 3002 3457 3201',
);
const prop = fc.constantFrom(
  'name',
  'alias',
  'phone',
  'number',
  'notes',
  'birthDate',
  'startDate',
  'country',
  'iban',
  'callerNumber',
);
const entityArb: fc.Arbitrary<EntityDoc> = fc.record({
  id: fc.integer({ min: 0, max: 25 }).map((n) => `d${n}`),
  schema: fc.constantFrom('Person', 'Phone', 'Call', 'Company'),
  properties: fc.dictionary(prop, fc.array(word, { maxLength: 3 })),
});
const removal = fc.integer({ min: 0, max: 25 }).map((n) => `d${n}`);

const QUERIES: [string, SearchOptions][] = [
  ['petrov', {}],
  ['ivan varn', {}],
  ['0881234567', {}],
  ['0664 1234567', {}],
  ['2026', {}],
  ['AT61 1904 3002 3457 3201', {}],
  ['', { countries: ['bg'] }],
  ['maria', { schemata: ['LegalEntity'], dateFrom: '1999' }],
];
const answers = (index: SearchIndex) =>
  QUERIES.map(([q, o]) => index.search(q, { ...o, limit: 50 }));

const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

describe('search index shards', () => {
  it('merges a shard exactly as indexing its documents after the first ones would (same bytes, same answers)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(entityArb, removal), { maxLength: 40 }),
        fc.array(entityArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        (first, second, slice) => {
          const one = createSearchIndex();
          const merged = createSearchIndex();
          const shard = createSearchIndex();
          for (const op of first) {
            for (const index of [one, merged]) {
              if (typeof op === 'string') index.remove(op);
              else index.add(op);
            }
          }
          for (const doc of second) one.add(doc);
          // The shard is fed as the worker is, in packed slices.
          for (let i = 0; i < second.length; i += slice) {
            shard.addPacked(structuredClone(packEntities(second.slice(i, i + slice), (d) => d)));
          }
          expect(merged.mergeShard(structuredClone(shard.exportShard()))).toBe(shard.size);
          expect(merged.size).toBe(one.size);
          expect(same(merged.serialize(), one.serialize())).toBe(true);
          expect(answers(merged)).toEqual(answers(one));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('indexes fresh batches and a fresh shard as the checked path does (ids not looked up)', () => {
    // `fresh`: the sender's promise that no id of the batch is indexed yet (a first sync). The
    // index then keeps no id map during the build; edits afterwards build it from the documents.
    const freshDoc = entityArb.chain((doc) =>
      fc.integer({ min: 0, max: 60 }).map((n) => ({ ...doc, id: `f${n}` })),
    );
    const unique = (docs: EntityDoc[]) => [...new Map(docs.map((d) => [d.id, d])).values()];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(entityArb, removal), { maxLength: 30 }),
        fc.array(freshDoc, { maxLength: 50 }).map(unique),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(
          fc.oneof(
            entityArb,
            freshDoc,
            removal,
            removal.map((id) => `f${id.slice(1)}`),
          ),
          {
            maxLength: 20,
          },
        ),
        (before, fresh, cut, slice, after) => {
          const checked = createSearchIndex();
          const trusted = createSearchIndex();
          const helper = createSearchIndex();
          for (const op of before) {
            for (const index of [checked, trusted]) {
              if (typeof op === 'string') index.remove(op);
              else index.add(op);
            }
          }
          const own = fresh.slice(0, cut);
          const theirs = fresh.slice(cut);
          for (let i = 0; i < own.length; i += slice) {
            const part = own.slice(i, i + slice);
            checked.addPacked(structuredClone(packEntities(part, (d) => d)));
            trusted.addPacked(structuredClone(packEntities(part, (d) => d, { fresh: true })));
          }
          for (let i = 0; i < theirs.length; i += slice) {
            const part = theirs.slice(i, i + slice);
            helper.addPacked(structuredClone(packEntities(part, (d) => d, { fresh: true })));
          }
          const shard = helper.exportShard();
          checked.mergeShard(shard.slice());
          trusted.mergeShard(shard, { fresh: true });
          expect(trusted.size).toBe(checked.size);
          expect(same(trusted.serialize(), checked.serialize())).toBe(true);
          expect(answers(trusted)).toEqual(answers(checked));
          // Edits after the build look ids up: the map is built from the documents then.
          for (const op of after) {
            if (typeof op === 'string') expect(trusted.remove(op)).toBe(checked.remove(op));
            else for (const index of [checked, trusted]) index.add(op);
          }
          expect(trusted.ids().sort()).toEqual(checked.ids().sort());
          expect(same(trusted.serialize(), checked.serialize())).toBe(true);
          expect(answers(trusted)).toEqual(answers(checked));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('looks no id up while indexing fresh batches and merging a fresh shard', () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({
      id: `id-${i}`,
      schema: 'Person',
      properties: { name: [`Name${i} Petrov`] },
    }));
    const ids = new Set(docs.map((d) => d.id));
    const index = createSearchIndex();
    const helper = createSearchIndex();
    helper.addPacked(packEntities(docs.slice(20), (d) => d, { fresh: true }));
    const shard = helper.exportShard();
    const lookups: unknown[] = [];
    const spies = (['get', 'has', 'set'] as const).map((method) => {
      const original = Reflect.get(Map.prototype, method) as (...args: unknown[]) => unknown;
      return vi.spyOn(Map.prototype, method).mockImplementation(function (
        this: Map<unknown, unknown>,
        ...args: unknown[]
      ) {
        if (ids.has(args[0] as string)) lookups.push(args[0]);
        return original.apply(this, args);
      });
    });
    try {
      index.addPacked(packEntities(docs.slice(0, 20), (d) => d, { fresh: true }));
      index.mergeShard(shard, { fresh: true });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(lookups).toEqual([]);
    expect(index.size).toBe(30);
    expect(index.has('id-25')).toBe(true);
  });

  it('keeps the later of two documents when a fresh batch broke its promise, once ids are looked up', () => {
    const checked = createSearchIndex();
    const trusted = createSearchIndex();
    const docs: EntityDoc[] = [
      { id: 'p1', schema: 'Person', properties: { name: ['Ivan Petrov'] } },
      { id: 'p2', schema: 'Person', properties: { name: ['Maria Kovacheva'] } },
      { id: 'p1', schema: 'Person', properties: { name: ['Ivan Ivanov'] } },
    ];
    checked.addPacked(packEntities(docs, (d) => d));
    trusted.addPacked(packEntities(docs, (d) => d, { fresh: true }));
    expect(trusted.has('p1')).toBe(true);
    expect(trusted.size).toBe(2);
    expect(same(trusted.serialize(), checked.serialize())).toBe(true);
    expect(trusted.search('petrov')).toEqual([]);
    expect(trusted.search('ivanov').map((h) => h.id)).toEqual(['p1']);
  });

  it('refuses bytes that are not a shard, or a damaged one, by code, and stays as it was', () => {
    const index = createSearchIndex();
    index.add({ id: 'p1', schema: 'Person', properties: { name: ['Ivan Petrov'] } });
    const other = createSearchIndex();
    other.add({ id: 'p2', schema: 'Person', properties: { name: ['Maria Kovacheva'] } });
    const codeOf = (bytes: Uint8Array) => {
      try {
        index.mergeShard(bytes);
        return 'merged';
      } catch (error) {
        return error instanceof SearchIndexError ? error.code : 'other';
      }
    };
    expect(codeOf(other.serialize())).toBe('unsupported');
    const shard = other.exportShard();
    // A posting that points past the shard's documents.
    const damaged = shard.slice();
    const text = new TextDecoder().decode(damaged.subarray(8, 2000));
    const entry = /"name":"postDocs","kind":"i32","offset":(\d+)/.exec(text)!;
    new DataView(damaged.buffer).setInt32(Number(entry[1]), 7, true);
    expect(codeOf(damaged)).toBe('corrupt');
    expect(index.size).toBe(1);
    expect(index.search('kovacheva')).toEqual([]);
    expect(codeOf(shard)).toBe('merged');
    expect(index.search('kovacheva').map((h) => h.id)).toEqual(['p2']);
  });
});

describe('a large sync split over two workers', () => {
  it('promises fresh ids on a first sync only (and the merge with them)', async () => {
    const seen: string[] = [];
    const watched = (into: string[]): SearchRpc => {
      const worker = fakeWorker();
      return {
        ...worker,
        updatePacked: (batch) => {
          into.push(`updatePacked ${batch.fresh === true}`);
          return worker.updatePacked(batch);
        },
        mergeShard: (bytes, options) => {
          into.push(`mergeShard ${options?.fresh === true}`);
          return worker.mergeShard(bytes, options);
        },
      };
    };
    const helperSeen: string[] = [];
    const sync = new CaseIndexSync(watched(seen), () => Promise.reject(new Error('none')), {
      startHelper: () => ({ ...watched(helperSeen), terminate: () => undefined }),
      shardMin: 50,
    });
    const records = Array.from({ length: 60 }, (_, i) => record(i));
    await sync.syncEntities(records);
    expect(new Set(seen)).toEqual(new Set(['updatePacked true', 'mergeShard true']));
    expect(new Set(helperSeen)).toEqual(new Set(['updatePacked true']));
    seen.length = 0;
    // A changed record is in the index: not fresh. A new one alone is.
    await sync.syncEntities([...records.slice(1), record(0, '2')]);
    await sync.syncEntities([...records.slice(1), record(0, '2'), record(99)]);
    expect(seen).toEqual(['updatePacked false', 'updatePacked true']);
  });

  it("gives the index one worker builds, and indexes a failed helper's half itself", async () => {
    const records = Array.from({ length: 120 }, (_, i) => record(i));
    const serialised = async (startHelper?: () => ShardHelper) => {
      const calls: string[] = [];
      const worker = fakeWorker(calls);
      const sync = new CaseIndexSync(worker, () => Promise.reject(new Error('none')), {
        ...(startHelper ? { startHelper } : {}),
        shardMin: 50,
      });
      expect(await sync.syncEntities(records)).toBe(true);
      // A later change lands after the merge.
      await sync.syncEntities([...records.slice(1, 100), record(100, '2'), record(500)]);
      return { bytes: await worker.serialize(), calls, size: await worker.size() };
    };
    const one = await serialised();
    let terminated = 0;
    const helperCalls: string[] = [];
    const split = await serialised(() => ({
      ...fakeWorker(helperCalls),
      terminate: () => void terminated++,
    }));
    expect(split.calls).toContain('mergeShard');
    expect(helperCalls.filter((c) => c === 'updatePacked').length).toBeGreaterThan(0);
    expect(terminated).toBe(1);
    expect(split.size).toBe(one.size);
    expect(same(split.bytes, one.bytes)).toBe(true);
    const failed = await serialised(() => {
      const helper = fakeWorker();
      return {
        ...helper,
        exportShard: () => Promise.reject(new Error('out of memory')),
        terminate: () => undefined,
      };
    });
    expect(failed.calls).not.toContain('mergeShard');
    expect(same(failed.bytes, one.bytes)).toBe(true);
  });
});
