import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_MIN_ROWS, packCase, packCases, readBlockedCase } from './blocks.ts';
import type { BlockedCase } from './blocks.ts';
import { TesseraDatabase } from './database.ts';
import type { StoredEntity } from './database.ts';
import type { SealedRow } from './encryption.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { testStoreKeys } from './testing/encryptedDatabase.ts';
import {
  FIXTURE_HLC,
  fixtureEntity,
  storeReady,
  testCaseStores,
  dropDatabasesAfterEach,
} from './testing/testRepository.ts';
import { VaultError } from './vaultError.ts';
import { rejectionCode } from '../../shared/testing/rejectionCode.ts';

let counter = 0;
const opened = dropDatabasesAfterEach();

const HLC = FIXTURE_HLC;

function entity(
  id: string,
  caseId: string,
  schema = 'Person',
  name = `Name ${id}`,
  updatedAt = HLC,
): StoredEntity {
  const properties: Record<string, string[]> =
    schema === 'Ownership' ? { owner: ['p-0'], asset: ['p-1'] } : { name: [name] };
  return { ...fixtureEntity(id, caseId, schema, properties, { updatedAt }), searchText: '' };
}

/** People and ownerships of one case, ids in order. */
function caseRows(caseId: string, people: number, links = 0): StoredEntity[] {
  return [
    ...Array.from({ length: people }, (_, i) => entity(`p-${String(i).padStart(4, '0')}`, caseId)),
    ...Array.from({ length: links }, (_, i) =>
      entity(`o-${String(i).padStart(4, '0')}`, caseId, 'Ownership'),
    ),
  ].map((row) => ({ ...row, id: `${caseId}/${row.id}` }));
}

async function setUp(migrations = MIGRATIONS) {
  counter += 1;
  const name = `blocks-test-${counter}`;
  const storeKeys = await testStoreKeys();
  const db = new TesseraDatabase(name, migrations, { encryption: () => storeKeys });
  await db.open();
  const raw = new TesseraDatabase(name, migrations);
  await raw.open();
  opened.push(raw, db);
  return { db, raw, storeKeys, name };
}

/** A bulk write as the unit of work makes one: a transaction over the entities and the blocks. */
function bulkWrite(db: TesseraDatabase, rows: readonly StoredEntity[]): Promise<unknown> {
  return db.transaction('rw', [db.entities, db.blocks], () => db.entities.bulkPut([...rows]));
}

async function readAll(blocked: BlockedCase | undefined): Promise<StoredEntity[]> {
  if (!blocked) throw new Error('the case was not read through its blocks');
  const rest = await blocked.rest();
  return [...blocked.first, ...rest].sort((a, b) => (a.id < b.id ? -1 : 1));
}

const codeOf = (work: Promise<unknown>) => rejectionCode(work, VaultError);

const sorted = (rows: readonly StoredEntity[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('block envelopes', () => {
  it('seal a bulk write in blocks that a cold read opens instead of every record', async () => {
    const { db, raw } = await setUp();
    const rows = caseRows('case-a', 300, 120);
    await bulkWrite(db, rows);
    // Every row labelled with a block; the blocks hold nothing readable.
    const stored = (await raw.entities.toArray()) as unknown as SealedRow[];
    expect(stored.every((row) => typeof row._p === 'string' && row._p !== '')).toBe(true);
    const blocks = (await raw.table('blocks').toArray()) as SealedRow[];
    // Slices of 250: people 250 + 50, then 120 ownerships (nodes and relationships apart).
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const text = blocks.map((row) => new TextDecoder('latin1').decode(row._e)).join('');
    expect(text.includes('Name ')).toBe(false);
    expect(JSON.stringify(blocks).includes('Person')).toBe(false);

    const blocked = await readBlockedCase(db, 'case-a');
    // Nodes come first, relationships after.
    expect(blocked!.first.every((row) => row.schema === 'Person')).toBe(true);
    expect(await readAll(blocked)).toEqual(sorted(rows));
    expect(blocked!.stats()).toMatchObject({ rows: 420, fromBlocks: 420, loose: 0, unused: 0 });
  });

  it('reads a record edited or deleted after its block was written as it is now', async () => {
    const { db } = await setUp();
    const rows = caseRows('case-a', 100);
    await bulkWrite(db, rows);
    const edited = { ...rows[3]!, properties: { name: ['Edited'] }, updatedAt: `${HLC}-2` };
    await db.entities.put(edited);
    await db.entities.delete(rows[7]!.id);
    const added = entity('case-a/late', 'case-a');
    await db.entities.put(added);
    const blocked = await readBlockedCase(db, 'case-a');
    const expected = sorted([...rows.filter((_, i) => i !== 3 && i !== 7), edited, added]);
    expect(await readAll(blocked)).toEqual(expected);
    expect(blocked!.stats()).toMatchObject({ fromBlocks: 98, loose: 2 });
  });

  it('drops the blocks of a case when one of its rows is deleted for good', async () => {
    const { db, raw } = await setUp();
    const rows = caseRows('case-a', 100);
    await bulkWrite(db, rows);
    await bulkWrite(db, caseRows('case-b', 40));
    await db.transaction('rw', [db.entities, db.blocks], () => db.entities.delete(rows[5]!.id));
    // No copy of it left anywhere, sealed or not; the other case keeps its blocks.
    expect(await raw.table('blocks').where('caseId').equals('case-a').count()).toBe(0);
    expect(await raw.table('blocks').where('caseId').equals('case-b').count()).toBe(1);
    // Read row by row (the caller's path) until packed again.
    expect(await readBlockedCase(db, 'case-a')).toBeUndefined();
    expect(sorted(await db.entities.where('caseId').equals('case-a').toArray())).toEqual(
      sorted(rows.filter((_, i) => i !== 5)),
    );
  });

  it('refuses a tampered block, one moved to another id or case, and one cut short', async () => {
    const { db, raw } = await setUp();
    await bulkWrite(db, caseRows('case-a', 60));
    await bulkWrite(db, caseRows('case-b', 60));
    const blocks = raw.table('blocks');
    const [a] = (await blocks.where('caseId').equals('case-a').toArray()) as SealedRow[];
    const [b] = (await blocks.where('caseId').equals('case-b').toArray()) as SealedRow[];
    const restore = () => blocks.bulkPut([a, b]);

    const flipped = a!._e.slice();
    flipped[30]! ^= 1;
    await blocks.put({ ...a!, _e: flipped });
    expect(await codeOf(readBlockedCase(db, 'case-a').then(readAll))).toBe('tampered');
    await restore();
    // A record dropped from the block: the ciphertext cut.
    await blocks.put({ ...a!, _e: a!._e.slice(0, a!._e.length - 200) });
    expect(await codeOf(readBlockedCase(db, 'case-a').then(readAll))).toBe('tampered');
    await restore();
    // Moved to another case: its clear case id changed.
    await blocks.put({ ...a!, caseId: 'case-b' });
    expect(await codeOf(readBlockedCase(db, 'case-b').then(readAll))).toBe('tampered');
    await blocks.delete(a!.id as string);
    await restore();
    // Case b's block under case a's block id (and case): fails authentication.
    await blocks.put({ ...b!, id: a!.id, caseId: 'case-a' });
    expect(await codeOf(readBlockedCase(db, 'case-a').then(readAll))).toBe('tampered');
    await restore();
    expect(await readAll(await readBlockedCase(db, 'case-a'))).toEqual(
      sorted(caseRows('case-a', 60)),
    );
  });

  it('ignores an older block put back, and reads rows whose block is gone on their own', async () => {
    const { db, raw } = await setUp();
    const rows = caseRows('case-a', 80);
    await bulkWrite(db, rows);
    const old = (await raw.table('blocks').toArray()) as SealedRow[];
    const newer = rows.map((row) => ({
      ...row,
      properties: { name: ['Newer'] },
      updatedAt: `${HLC}-2`,
    }));
    await bulkWrite(db, newer);
    await packCase(db, 'case-a');
    expect(await raw.table('blocks').bulkGet(old.map((row) => row.id as string))).toEqual(
      old.map(() => undefined),
    );
    // The old blocks replayed: no row points at them.
    await raw.table('blocks').bulkPut(old);
    let blocked = await readBlockedCase(db, 'case-a');
    expect(await readAll(blocked)).toEqual(sorted(newer));
    expect(blocked!.stats()).toMatchObject({ fromBlocks: 80, unused: old.length });
    // The current blocks dropped (the old ones left): every row read on its own, as it is.
    const current = (await raw.table('blocks').toArray()) as SealedRow[];
    await raw
      .table('blocks')
      .bulkDelete(
        current.filter((row) => !old.some((o) => o.id === row.id)).map((row) => row.id as string),
      );
    blocked = await readBlockedCase(db, 'case-a');
    expect(await readAll(blocked)).toEqual(sorted(newer));
    expect(blocked!.stats()).toMatchObject({ fromBlocks: 0, loose: 80 });
  });

  it('reads as the rows do after any sequence of puts, deletes, purges, bulk writes and packs', async () => {
    const { db } = await setUp();
    const ids = Array.from({ length: 70 }, (_, i) => `case-a/${String(i).padStart(3, '0')}`);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), at: fc.nat(69), name: fc.string() }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(69) }),
      fc.record({ kind: fc.constant('purge' as const), at: fc.nat(69) }),
      fc.record({
        kind: fc.constant('bulk' as const),
        from: fc.nat(69),
        count: fc.integer({ min: BLOCK_MIN_ROWS - 2, max: 60 }),
        edge: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('pack' as const) }),
    );
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 8 }), async (ops) => {
        round += 1;
        await db.entities.clear();
        await db.blocks.clear();
        for (const step of ops) {
          const version = `${HLC}-${round}-${ops.indexOf(step)}`;
          if (step.kind === 'put') {
            await db.entities.put(entity(ids[step.at]!, 'case-a', 'Person', step.name, version));
          } else if (step.kind === 'delete') {
            await db.entities.delete(ids[step.at]!);
          } else if (step.kind === 'purge') {
            // Deleted for good as the unit of work does it: the case's blocks go too.
            await db.transaction('rw', [db.entities, db.blocks], () =>
              db.entities.delete(ids[step.at]!),
            );
          } else if (step.kind === 'bulk') {
            const chosen = ids.slice(step.from, step.from + step.count);
            await bulkWrite(
              db,
              chosen.map((id) =>
                entity(id, 'case-a', step.edge ? 'Ownership' : 'Person', id, version),
              ),
            );
          } else {
            await packCase(db, 'case-a');
          }
        }
        const expected = sorted(await db.entities.where('caseId').equals('case-a').toArray());
        const blocked = await readBlockedCase(db, 'case-a');
        // Undefined only where no block exists (the caller reads row by row).
        if (!blocked) expect(await db.blocks.count()).toBe(0);
        else expect(await readAll(blocked)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('loads the case store from blocks as from the rows', async () => {
    const { db } = await setUp();
    const rows = caseRows('case-a', 120, 90);
    await bulkWrite(db, rows);
    await db.entities.put({ ...rows[0]!, deleted: true, updatedAt: `${HLC}-9` });
    const registry = testCaseStores(db, { sliceSize: 50, keepMs: 10 });
    const { store, release } = registry.acquire('case-a');
    await storeReady(store);
    const state = store.snapshot();
    expect(state.all!.map((r) => r.id).sort()).toEqual(
      rows
        .slice(1)
        .map((r) => r.id)
        .sort(),
    );
    expect(state.nodes!.length).toBe(119);
    expect(state.total).toBe(210);
    release();
    registry.dispose();
  });

  it('are left as they are by a case store opening the case, unless asked to repack', async () => {
    const { db, raw } = await setUp();
    const rows = caseRows('case-a', 120, 60);
    await bulkWrite(db, rows);
    // A third of the rows written again one by one: loose enough that a repack would be due.
    for (const row of rows.slice(0, 60)) await db.entities.put({ ...row, updatedAt: `${HLC}-2` });
    const blocksAsStored = async () =>
      ((await raw.table('blocks').toArray()) as SealedRow[]).map((block) =>
        JSON.stringify([block.id, Array.from(block._e)]),
      );
    const labels = async () =>
      ((await raw.entities.toArray()) as unknown as SealedRow[]).map((row) => row._p ?? '');
    const before = { blocks: await blocksAsStored(), labels: await labels() };
    expect(before.labels.filter((label) => label === '')).toHaveLength(60);

    const openAndWait = async (packBlocks?: boolean) => {
      const registry = testCaseStores(db, {
        sliceSize: 50,
        keepMs: 10,
        ...(packBlocks ? { packBlocks } : {}),
      });
      const { store, release } = registry.acquire('case-a');
      await storeReady(store);
      return { release, registry, total: store.snapshot().total };
    };

    const plain = await openAndWait();
    expect(plain.total).toBe(180);
    // A background repack would have started by now; give it time to land.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await blocksAsStored()).toEqual(before.blocks);
    expect(await labels()).toEqual(before.labels);
    plain.release();
    plain.registry.dispose();

    // The same open with the repack asked for does rewrite them: the case above was due for one.
    const packing = await openAndWait(true);
    for (let wait = 0; wait < 50 && (await labels()).includes(''); wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await labels()).includes('')).toBe(false);
    expect(await blocksAsStored()).not.toEqual(before.blocks);
    packing.release();
    packing.registry.dispose();
  });

  it('packs cases written before v7 one transaction each, resuming after a stop', async () => {
    const before = MIGRATIONS.filter((m) => m.version < 7);
    const old = await setUp(before);
    const cases = ['case-a', 'case-b', 'case-c'];
    for (const caseId of cases) {
      await old.db.cases.put({ id: caseId } as never);
      await old.db.entities.bulkPut(caseRows(caseId, 40, 35));
    }
    old.db.close();
    old.raw.close();
    // The keys hold for `budget` more store calls: a way to stop a pack at any point in it.
    let budget = Infinity;
    let calls = 0;
    const source = () => {
      calls += 1;
      return budget-- > 0 ? old.storeKeys : null;
    };
    const db = new TesseraDatabase(old.name, undefined, { encryption: source });
    await db.open();
    opened.push(db);
    // Rows outside the label index: the caller reads row by row.
    expect(await readBlockedCase(db, 'case-a')).toBeUndefined();

    // How many store calls one whole pack makes; then one stopped at its last call (after its
    // reads, its blocks' delete and its first writes): that case is left as it was.
    calls = 0;
    await packCase(db, 'case-c');
    const whole = calls;
    budget = whole - 1;
    expect(await codeOf(packCase(db, 'case-a'))).toBe('vault-locked');
    budget = Infinity;
    expect(await readBlockedCase(db, 'case-a')).toBeUndefined();
    expect(sorted(await db.entities.where('caseId').equals('case-a').toArray())).toEqual(
      sorted(caseRows('case-a', 40, 35)),
    );

    // Stopped between cases: one packed, the other not; run again, the rest.
    const stop = new AbortController();
    const first = await packCases(db, {
      signal: stop.signal,
      onCase: () => stop.abort(),
    });
    expect(first.packed).toBe(1);
    expect((await packCases(db)).packed).toBe(1);
    for (const caseId of cases) {
      expect(await readAll(await readBlockedCase(db, caseId))).toEqual(
        sorted(caseRows(caseId, 40, 35)),
      );
    }
    expect((await packCases(db)).packed).toBe(0);
  });

  it('leaves a plaintext database without blocks or labels', async () => {
    counter += 1;
    const db = new TesseraDatabase(`blocks-plain-${counter}`);
    await db.open();
    opened.push(db);
    await bulkWrite(db, caseRows('case-a', 60));
    expect(await db.blocks.count()).toBe(0);
    expect((await db.entities.toArray()).some((row) => '_p' in row)).toBe(false);
    expect(await readBlockedCase(db, 'case-a')).toBeUndefined();
    expect(await packCase(db, 'case-a')).toBe(0);
  });
});
