import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { isEdgeSchema, model } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import { createCaseStoreRegistry } from './caseStore.ts';
import type {
  CaseEntities,
  CaseEntityStore,
  CaseStoreRegistry,
  ChangeChannel,
} from './caseStore.ts';
import type { TesseraDatabase } from './database.ts';
import type { StoreKeys } from './encryption.ts';
import { createRepository } from './repository.ts';
import type { CaseRepository } from './repository.types.ts';
import { encryptedTestDatabase, stripBlockLabels } from './testing/encryptedDatabase.ts';
import { storeReady, storeUntil, testUnitOfWork } from './testing/testRepository.ts';

let db: TesseraDatabase;
let storeKeys: StoreKeys;
let repo: CaseRepository;
let registry: CaseStoreRegistry;
let counter = 0;

/** A channel that only records and lets the test deliver messages "from another tab". */
function testChannel(): ChangeChannel & { posted: string[][]; deliver(ids: string[]): void } {
  const listeners = new Set<(ids: readonly string[]) => void>();
  const posted: string[][] = [];
  return {
    posted,
    post: (ids) => posted.push([...ids]),
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => listeners.clear(),
    deliver: (ids) => listeners.forEach((listener) => listener(ids)),
  };
}

let channel: ReturnType<typeof testChannel>;

beforeEach(async () => {
  counter += 1;
  ({ db, storeKeys } = await encryptedTestDatabase(`case-store-test-${counter}`));
  await db.open();
  const work = testUnitOfWork(db);
  repo = createRepository(work);
  channel = testChannel();
  // A registry of its own, with tiny slices, fed by the same unit of work.
  registry = createCaseStoreRegistry(work, { sliceSize: 3, keepMs: 10, channel });
  work.subscribeCommitted((change) => registry.apply(change));
});

afterEach(async () => {
  registry.dispose();
  db.close();
  await db.delete();
});

async function demoCase(options: { undoable?: boolean } = {}): Promise<string> {
  const file = createDemoCase({ agencyId: 'test-agency', now: new Date(2026, 0, 1) });
  return repo.importCase(file, options);
}

const versions = (records: readonly EntityRecord[] | undefined) =>
  new Map((records ?? []).map((record) => [record.id, record.updatedAt]));

describe('the per-case entity store', () => {
  it('loads every live record, nodes first, in slices, with progress', async () => {
    const caseId = await demoCase();
    const expected = await repo.listEntities(caseId);
    const { store, release } = registry.acquire(caseId);
    const seen: CaseEntities[] = [];
    const stop = store.subscribe(() => seen.push(store.snapshot()));
    const state = await storeReady(store);
    stop();
    expect(versions(state.all)).toEqual(versions(expected));
    expect(state.nodes).toEqual(state.all!.filter((record) => !isEdgeSchema(record.schema)));
    // Nodes were published while relationships still loaded, and progress moved slice by slice.
    const nodesFirst = seen.find((s) => s.nodes !== undefined);
    expect(nodesFirst?.all).toBeUndefined();
    expect(new Set(seen.map((s) => s.loaded)).size).toBeGreaterThan(3);
    expect(state.loaded).toBe(state.total);
    expect(store.get(expected[0]!.id)).toEqual(expected[0]);
    release();
  });

  it('after a change: a new array, unchanged records the same objects, the ids named', async () => {
    const caseId = await demoCase();
    const { store, release } = registry.acquire(caseId);
    const before = await storeReady(store);
    const edge = before.all!.find((record) => isEdgeSchema(record.schema))!;
    const node = before.nodes![0]!;

    await repo.updateEntity(node.id, { properties: { ...node.properties, notes: ['checked'] } });
    const afterNode = store.snapshot();
    expect(afterNode.all).not.toBe(before.all);
    expect(afterNode.nodes).not.toBe(before.nodes);
    expect(afterNode.lastChange).toEqual({ added: [], updated: [node.id], removed: [] });
    expect(store.get(node.id)!.properties['notes']).toEqual(['checked']);
    for (const [k, record] of before.all!.entries()) {
      if (record.id !== node.id) expect(afterNode.all![k]).toBe(record);
    }

    // A relationship's change leaves the nodes array as it was.
    await repo.updateEntity(edge.id, { properties: { ...edge.properties, summary: ['x'] } });
    const afterEdge = store.snapshot();
    expect(afterEdge.nodes).toBe(afterNode.nodes);
    expect(afterEdge.all).not.toBe(afterNode.all);

    await repo.deleteEntity(node.id);
    const afterDelete = store.snapshot();
    expect(afterDelete.lastChange?.removed).toContain(node.id);
    expect(store.get(node.id)).toBeUndefined();
    expect(afterDelete.all!.some((record) => record.id === node.id)).toBe(false);

    await repo.undo();
    expect(store.snapshot().lastChange?.added).toContain(node.id);
    expect(versions(store.snapshot().all)).toEqual(versions(await repo.listEntities(caseId)));
    release();
  });

  it('an undone import and a purge empty the store; other tabs are told', async () => {
    const caseId = await demoCase();
    const { store, release } = registry.acquire(caseId);
    await storeReady(store);
    expect(channel.posted).toEqual([]);
    await repo.undo();
    expect(store.snapshot().all).toEqual([]);
    expect(channel.posted).toEqual([[caseId]]);
    await repo.redo();
    expect(versions(store.snapshot().all)).toEqual(versions(await repo.listEntities(caseId)));
    await repo.purgeCase(caseId);
    const purged = await storeUntil(store, (s) => s.phase === 'ready' && s.all?.length === 0);
    expect(purged.lastChange).toBeUndefined();
    release();
  });

  it('reloads when another tab says the case changed', async () => {
    const caseId = await demoCase();
    const { store, release } = registry.acquire(caseId);
    const first = await storeReady(store);
    // Written behind the unit of work's back, as another tab's would be for this one.
    const victim = first.nodes![0]!;
    await db.entities.put({ ...victim, deleted: true, searchText: '' });
    expect(store.get(victim.id)).toBeDefined();
    channel.deliver([caseId]);
    const reloaded = await storeUntil(
      store,
      (s) => s.phase === 'ready' && s.version > first.version,
    );
    expect(reloaded.all!.some((record) => record.id === victim.id)).toBe(false);
    release();
  });

  it('keeps changes committed while it is still loading', async () => {
    const caseId = await demoCase();
    const listed = await repo.listEntities(caseId);
    const { store, release } = registry.acquire(caseId);
    // Edit the last relationship (read in the last slice) and the first node before the end.
    const edge = listed.filter((record) => isEdgeSchema(record.schema)).at(-1)!;
    await repo.updateEntity(edge.id, { properties: { ...edge.properties, summary: ['early'] } });
    const state = await storeReady(store);
    expect(store.get(edge.id)!.properties['summary']).toEqual(['early']);
    expect(versions(state.all)).toEqual(versions(await repo.listEntities(caseId)));
    release();
  });

  it('remembers a first page and shows its current records at the next load', async () => {
    const caseId = await demoCase();
    const first = registry.acquire(caseId);
    const state = await storeReady(first.store);
    const [a, b] = state.nodes!;
    registry.rememberFirstPage(caseId, 'by-name', [b!.id, a!.id]);
    await storeUntil(first.store, () => true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stored = await db.meta.where('key').startsWith(`case:${caseId}:`).toArray();
    expect(stored.map((row) => row.value)).toContainEqual({ key: 'by-name', ids: [b!.id, a!.id] });
    await repo.updateEntity(a!.id, { properties: { ...a!.properties, summary: ['newer'] } });
    first.release();
    await new Promise((resolve) => setTimeout(resolve, 30));

    const again = registry.acquire(caseId);
    const shown = await storeUntil(
      again.store,
      (s) => s.firstPage !== undefined || s.phase === 'ready',
    );
    // Shown while the nodes still load (tiny slices here).
    expect(shown.phase).toBe('loading');
    expect(shown.nodes).toBeUndefined();
    expect(shown.firstPage!.key).toBe('by-name');
    expect(shown.firstPage!.records.map((r) => r.id)).toEqual([b!.id, a!.id]);
    expect(shown.firstPage!.records[1]!.properties['summary']).toEqual(['newer']);
    await storeReady(again.store);
    again.release();
  });

  it('drops a store nobody holds', async () => {
    const caseId = await demoCase();
    const looked = registry.store(caseId);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(registry.store(caseId)).not.toBe(looked);
    const { store, release } = registry.acquire(caseId);
    await storeReady(store);
    release();
  });

  it('agrees with a fresh read after any sequence of edits, deletes, undos and redos', async () => {
    // Not undoable: the undos below take back edits, never the case itself.
    const caseId = await demoCase({ undoable: false });
    const { store, release } = registry.acquire(caseId);
    await storeReady(store);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), text: fc.string() }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('create' as const), text: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant('undo' as const) }),
      fc.record({ kind: fc.constant('redo' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 6 }), async (ops) => {
        for (const step of ops) {
          const all = store.snapshot().all!;
          const previous = store.snapshot();
          if (step.kind === 'edit' || step.kind === 'delete') {
            const target = all[step.pick % Math.max(1, all.length)];
            if (!target) continue;
            if (step.kind === 'edit') {
              // The case is shared by the runs: an earlier one may have deleted what this record
              // refers to (an identification's holder), and the repository then refuses the edit.
              // A refused edit changes nothing, which the comparison below checks all the same.
              await repo
                .updateEntity(target.id, {
                  properties: { ...target.properties, summary: [step.text || '-'] },
                })
                .catch((error: unknown) => {
                  if ((error as { code?: unknown }).code !== 'invalid-record') throw error;
                });
            } else await repo.deleteEntity(target.id);
          } else if (step.kind === 'create') {
            // A blank name is refused (and must change nothing); any other name is written.
            const created = repo.createEntity(caseId, 'Person', { name: [step.text] });
            if (step.text.trim() === '') {
              await expect(created).rejects.toMatchObject({ code: 'invalid-record' });
            } else await created;
          } else if (step.kind === 'undo') await repo.undo().catch(() => undefined);
          else await repo.redo().catch(() => undefined);
          const now = store.snapshot();
          const fresh = await repo.listEntities(caseId);
          expect(versions(now.all)).toEqual(versions(fresh));
          // The contract: what did not change is the very same object.
          const changed = new Set([
            ...(now.lastChange?.added ?? []),
            ...(now.lastChange?.updated ?? []),
          ]);
          const old = new Map(previous.all!.map((record) => [record.id, record]));
          for (const record of now.all!) {
            if (!changed.has(record.id) && old.has(record.id)) {
              expect(record).toBe(old.get(record.id));
            }
          }
        }
      }),
      // The blank name CI's run found (seed -49240020) is tried on every run.
      { numRuns: 15, examples: [[[{ kind: 'create', text: ' ' }]]] },
    );
    release();
  });
});

/**
 * A second connection to the test's database, with a DBCore middleware of the test's own below
 * the store that counts what is read from `entities`, and a registry over it.
 */
async function countingRegistry() {
  const { db: counted } = await encryptedTestDatabase(db.name, storeKeys);
  const reads = { rows: 0, byKey: 0, ranges: 0, counts: [] as string[] };
  counted.use({
    stack: 'dbcore',
    name: 'count-entity-reads',
    create: (down) => ({
      ...down,
      table(name) {
        const table = down.table(name);
        if (name !== 'entities') return table;
        return {
          ...table,
          get: (req) => {
            reads.rows += 1;
            reads.byKey += 1;
            return table.get(req);
          },
          getMany: (req) => {
            reads.rows += req.keys.length;
            reads.byKey += req.keys.length;
            return table.getMany(req);
          },
          query: (req) => {
            if (req.values) {
              reads.rows += 1;
              reads.ranges += 1;
            }
            return table.query(req);
          },
          openCursor: (req) => {
            reads.rows += 1;
            return table.openCursor(req);
          },
          count: (req) => {
            reads.counts.push(req.query.index.name ?? '');
            return table.count(req);
          },
        };
      },
    }),
  });
  const work = testUnitOfWork(counted, 'test.other');
  const other = createCaseStoreRegistry(work, { sliceSize: 3, keepMs: 10, channel: null });
  return { counted, reads, other };
}

describe('reading a case', () => {
  it('reads each slice of a type with one range request, never a record by key', async () => {
    const caseId = await demoCase();
    const expected = await repo.listEntities(caseId);
    const { counted, reads, other } = await countingRegistry();
    const { store, release } = other.acquire(caseId);
    const state = await storeReady(store);
    expect(versions(state.all)).toEqual(versions(expected));
    expect(reads.byKey).toBe(0);
    // Slices of 3: about a third as many range reads as records (one more per type to end it).
    expect(reads.ranges).toBeLessThan(expected.length / 3 + 40);
    release();
    other.dispose();
    counted.close();
  });

  it('counts each node type, then the case once: no count per relationship type', async () => {
    const caseId = await demoCase();
    // Row by row, as a case written before schema v7 is read (blocks.ts; see the next test).
    await stripBlockLabels(db.name);
    const expected = await repo.listEntities(caseId);
    const { counted, reads, other } = await countingRegistry();
    const { store, release } = other.acquire(caseId);
    const state = await storeReady(store);
    expect(versions(state.all)).toEqual(versions(expected));
    expect(state.all!.some((record) => isEdgeSchema(record.schema))).toBe(true);
    expect(state.loaded).toBe(state.total);
    // Counting walks the index in IndexedDB: a million calls counted per type and again with
    // the case held every read behind it for seconds. The relationships are counted only once.
    const nodeTypes = Object.keys(model.schemata).filter((name) => !isEdgeSchema(name));
    expect(reads.counts.filter((index) => index === '[caseId+schema]')).toHaveLength(
      nodeTypes.length,
    );
    // Plus, first, the look whether the case can be read through blocks (blocks.ts): the rows
    // in the label index against the case's rows.
    expect(reads.counts.filter((index) => index === 'caseId')).toHaveLength(2);
    // (all of the case's rows, and those without a copy).
    expect(reads.counts.filter((index) => index === '[caseId+_p]')).toHaveLength(2);
    expect(reads.counts).toHaveLength(nodeTypes.length + 4);
    release();
    other.dispose();
    counted.close();
  });

  it('reads a case written in bulk through its blocks: no count per type, nothing by key', async () => {
    const caseId = await demoCase();
    const expected = await repo.listEntities(caseId);
    const { counted, reads, other } = await countingRegistry();
    const { store, release } = other.acquire(caseId);
    const state = await storeReady(store);
    expect(versions(state.all)).toEqual(versions(expected));
    expect(state.loaded).toBe(state.total);
    expect(reads.counts.sort()).toEqual(['[caseId+_p]', '[caseId+_p]', 'caseId']);
    expect(reads.byKey).toBe(0);
    release();
    other.dispose();
    counted.close();
  });

  it('loads records of a type the model does not know, after the rest', async () => {
    const caseId = await demoCase();
    const known = (await repo.listEntities(caseId))[0]!;
    // As a newer build might have stored it (written behind the unit of work).
    await db.entities.put({ ...known, id: 'zz-unknown', schema: 'FutureThing', searchText: '' });
    const { store, release } = registry.acquire(caseId);
    const state = await storeReady(store);
    expect(store.get('zz-unknown')?.schema).toBe('FutureThing');
    expect(state.loaded).toBe(state.total);
    release();
  });
});

describe('the remembered first page snapshot', () => {
  /** Remembers nodes `picks` of the loaded case as its first page; waits for the write. */
  async function rememberPage(caseId: string, store: CaseEntityStore, count = 4) {
    const ids = (await storeReady(store)).nodes!.slice(0, count).map((record) => record.id);
    registry.rememberFirstPage(caseId, 'by-name', ids);
    await settle();
    return ids;
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 40));

  /** Every `firstPage` a fresh store publishes until it is ready. */
  async function pagesOfReopen(caseId: string): Promise<(readonly EntityRecord[])[]> {
    const { store, release } = registry.acquire(caseId);
    const pages: (readonly EntityRecord[])[] = [];
    const stop = store.subscribe(() => {
      const page = store.snapshot().firstPage?.records;
      if (page && page !== pages.at(-1)) pages.push(page);
    });
    await storeReady(store);
    stop();
    release();
    await settle();
    return pages;
  }

  const current = async (ids: readonly string[]) =>
    (await db.entities.bulkGet([...ids])).flatMap((row) =>
      row && !row.deleted ? [{ id: row.id, updatedAt: row.updatedAt }] : [],
    );
  const shape = (records: readonly EntityRecord[]) =>
    records.map(({ id, updatedAt }) => ({ id, updatedAt }));

  it('is drawn before any entity row is read, from one meta entry', async () => {
    const caseId = await demoCase();
    const first = registry.acquire(caseId);
    const ids = await rememberPage(caseId, first.store);
    first.release();
    await settle();
    const { counted, reads, other } = await countingRegistry();
    const { store, release } = other.acquire(caseId);
    const readsAtFirstPage = await new Promise<number>((resolve, reject) => {
      const stop = store.subscribe(() => {
        if (store.snapshot().phase === 'failed') reject(store.snapshot().error as Error);
        if (store.snapshot().firstPage) {
          stop();
          resolve(reads.rows);
        }
      });
    });
    expect(readsAtFirstPage).toBe(0);
    expect(shape(store.snapshot().firstPage!.records)).toEqual(await current(ids));
    await storeReady(store);
    release();
    other.dispose();
    counted.close();
  });

  it('a record changed behind the unit of work is shown current once checked', async () => {
    const caseId = await demoCase();
    const first = registry.acquire(caseId);
    const ids = await rememberPage(caseId, first.store);
    first.release();
    await settle();
    // Another writer (a test seeding directly) leaves the snapshot stale.
    const row = (await db.entities.get(ids[1]!))!;
    await db.entities.put({ ...row, updatedAt: `${row.updatedAt}z`, properties: { name: ['X'] } });
    const pages = await pagesOfReopen(caseId);
    expect(pages).toHaveLength(2);
    expect(pages[0]![1]!.updatedAt).toBe(row.updatedAt);
    expect(shape(pages[1]!)).toEqual(await current(ids));
    expect(pages[1]![1]!.properties['name']).toEqual(['X']);
  });

  it('a change to a case with no store open drops its snapshot', async () => {
    const caseId = await demoCase();
    const first = registry.acquire(caseId);
    const ids = await rememberPage(caseId, first.store);
    first.release();
    await new Promise((resolve) => setTimeout(resolve, 60)); // the store is dropped (keepMs 10)
    const target = (await repo.getEntity(ids[0]!))!;
    await repo.updateEntity(target.id, { properties: { ...target.properties, notes: ['later'] } });
    await settle();
    const keys = (await db.meta.toCollection().primaryKeys()).map(String);
    expect(keys.some((key) => key.endsWith(':view:first-page-records'))).toBe(false);
    expect(keys.some((key) => key.endsWith(':view:first-page'))).toBe(true);
    const pages = await pagesOfReopen(caseId);
    // No snapshot: the first page shown is the one read by id, current.
    expect(pages).toHaveLength(1);
    expect(pages[0]![0]!.properties['notes']).toEqual(['later']);
  });

  it('stays current through any edits, deletes, undos and redos while the case is open', async () => {
    const caseId = await demoCase({ undoable: false });
    const { store, release } = registry.acquire(caseId);
    const ids = await rememberPage(caseId, store, 6);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), text: fc.string() }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('undo' as const) }),
      fc.record({ kind: fc.constant('redo' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 5 }), async (ops) => {
        for (const step of ops) {
          if (step.kind === 'undo') await repo.undo().catch(() => undefined);
          else if (step.kind === 'redo') await repo.redo().catch(() => undefined);
          else {
            const target = store.get(ids[step.pick % ids.length]!);
            if (!target) continue;
            if (step.kind === 'delete') await repo.deleteEntity(target.id);
            else {
              await repo.updateEntity(target.id, {
                properties: { ...target.properties, summary: [step.text || '-'] },
              });
            }
          }
        }
        await settle();
        const stored = await db.meta.get(`case:${caseId}:view:first-page-records`);
        const snapshot = (stored?.value as { records: EntityRecord[] }).records;
        expect(shape(snapshot)).toEqual(await current(ids));
      }),
      { numRuns: 12 },
    );
    release();
    await settle();
    const pages = await pagesOfReopen(caseId);
    expect(pages).toHaveLength(1);
    expect(shape(pages[0]!)).toEqual(await current(ids));
  });
});
