import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock, newId } from '../../shared/model/index.ts';
import type { TesseraDatabase } from './database.ts';
import { liveQuery } from 'dexie';
import {
  hidePendingImports,
  ImportWriteError,
  removeStaleImports,
  startImportWriter,
} from './importWriter.ts';
import { createRepository } from './repository.ts';
import type { CaseRepository } from './repository.types.ts';
import { encryptedTestDatabase, testStoreKeys } from './testing/encryptedDatabase.ts';
import { importedEntity } from './testing/importedEntity.ts';
import type { StoreKeys } from './encryption.ts';
import { createUnitOfWork } from './unitOfWork.ts';
import type { UnitOfWork } from './unitOfWork.ts';

const actor = () => ({ userName: 'Insp. Test', agencyId: 'test-agency' });
let counter = 0;
let name: string;
let keys: StoreKeys;
let db: TesseraDatabase;
let work: UnitOfWork;
let repo: CaseRepository;

async function open(): Promise<void> {
  ({ db } = await encryptedTestDatabase(name, keys));
  await db.open();
  work = createUnitOfWork(db, { actor, clock: new HybridLogicalClock('test.node') });
  repo = createRepository(work);
}

beforeEach(async () => {
  counter += 1;
  name = `import-writer-${counter}`;
  keys = await testStoreKeys();
  await open();
});

afterEach(async () => {
  db.close();
  await db.delete();
});

/** An entity as the engine makes one (the writer replaces its clocks and tags it). */
const draft = importedEntity;

const live = async (caseId: string) =>
  (await repo.listEntities(caseId)).filter((entity) => !entity.deleted);

/** Every stored entity row, hidden or not (the pending set is emptied for the read). */
async function rawCount(): Promise<number> {
  const hidden = [...db.pendingImports];
  db.pendingImports.clear();
  try {
    return await db.entities.count();
  } finally {
    for (const id of hidden) db.pendingImports.add(id);
  }
}

/** Waits until no import is pending (an undo's removal runs on after undo returns). */
async function settled(): Promise<void> {
  for (let i = 0; i < 500 && db.pendingImports.size > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(db.pendingImports.size).toBe(0);
}

const commitArgs = {
  label: 'import of cdr.csv: 3 entities',
  summary: 'Imported cdr.csv (spec cdr v1): 3 entities, 1 merged',
};

describe('an import is one change, written in slices', () => {
  it('stays invisible while written, then appears, audits, and one undo hides it and restores the merged entity', async () => {
    const c = await repo.createCase({ reference: 'I/1', title: 'Import', leadInvestigator: 'X' });
    const existing = await repo.createEntity(c.id, 'Phone', { number: ['+43660111'] });
    const auditBefore = await db.audit.count();

    const writer = startImportWriter(work, c.id, newId(), {
      baseVersions: new Map([[existing.id, existing.updatedAt]]),
      sliceRecords: 2,
    });
    const a = draft(c.id, 'Phone', { number: ['+43660222'] }, 2);
    const b = draft(c.id, 'Phone', { number: ['+43660333'] }, 2);
    const extra = draft(c.id, 'Phone', { number: ['+43660444'] }, 2);
    await writer.write({ created: [a, b, extra], updated: [] });
    // Batch 2: a merged again (created earlier: written again, latest version) and the existing
    // phone (held for the commit: writing it now would show the change).
    const aLater = { ...a, properties: { number: ['+43660222'], provider: ['seen twice'] } };
    const existingMerged = {
      ...existing,
      properties: { ...existing.properties, provider: ['called from row 3'] },
    };
    const call = draft(c.id, 'Call', { caller: [a.id], receiver: [existing.id] }, 3);
    await writer.write({ created: [call], updated: [aLater, existingMerged] });

    // Written (in slices of two: three id lists), yet no read shows any of it.
    expect(await rawCount()).toBe(5);
    expect((await live(c.id)).map((e) => e.id)).toEqual([existing.id]);
    expect((await live(c.id))[0]?.properties.provider).toBeUndefined();
    expect(await db.entities.count()).toBe(1);
    expect(await db.entities.get(a.id)).toBeUndefined();
    expect(await db.entities.bulkGet([a.id, existing.id])).toMatchObject([
      undefined,
      { id: existing.id },
    ]);
    expect(await db.entities.where('caseId').equals(c.id).primaryKeys()).toEqual([existing.id]);
    expect(await db.meta.where('key').startsWith('import-ids:').count()).toBe(3);
    expect(repo.undoState().undoLabel).not.toContain('import');

    const result = await writer.commit(commitArgs);
    expect(result).toEqual({ created: 4, merged: 1 });
    const after = await live(c.id);
    expect(after).toHaveLength(5);
    expect(after.find((e) => e.id === a.id)?.properties.provider).toEqual(['seen twice']);
    expect(after.find((e) => e.id === existing.id)?.properties.provider).toEqual([
      'called from row 3',
    ]);
    expect(after.find((e) => e.id === call.id)?.provenance.imported).toMatchObject({
      row: 3,
      importId: writer.importId,
    });
    // One summary entry for the import and one for the merged existing entity (its history).
    const entries = (await db.audit.toArray()).slice(auditBefore);
    expect(entries.map((e) => e.action).sort()).toEqual(['import', 'update']);
    expect(await db.meta.where('key').startsWith('import-pending:').count()).toBe(0);

    expect(repo.undoState().undoLabel).toBe('import of cdr.csv: 3 entities');
    expect(await repo.undo()).toBe('import of cdr.csv: 3 entities');
    // Hidden at once, in undo's own change, the merged entity back as it was.
    const undone = await live(c.id);
    expect(undone.map((e) => e.id)).toEqual([existing.id]);
    expect(undone[0]?.properties).toEqual(existing.properties);
    expect(await rawCount()).toBe(5);
    // Redo shows it again (the same records, and the merge).
    expect(await repo.redo()).toBe('import of cdr.csv: 3 entities');
    expect(await live(c.id)).toHaveLength(5);
    expect((await live(c.id)).find((e) => e.id === existing.id)?.properties.provider).toEqual([
      'called from row 3',
    ]);
    // Undone again and then out of redo's reach (a new change): removed for good, slice by slice.
    await repo.undo();
    await repo.createEntity(c.id, 'Person', { name: ['Later'] });
    await settled();
    expect(await rawCount()).toBe(2);
    expect(await db.meta.count()).toBe(0);
    expect(repo.undoState().redoLabel).toBeUndefined();
  });

  it("keeps an open case's in-memory store current: the commit shows the import, undo hides it, redo shows it again", async () => {
    const c = await repo.createCase({ reference: 'I/9', title: 'Store', leadInvestigator: 'X' });
    const existing = await repo.createEntity(c.id, 'Phone', { number: ['+43660999'] });
    const held = repo.caseStores.acquire(c.id);
    const ids = () => new Set((held.store.snapshot().all ?? []).map((entity) => entity.id));
    const until = async (predicate: () => boolean) => {
      for (let i = 0; i < 400 && !predicate(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(predicate()).toBe(true);
    };
    try {
      await until(() => ids().has(existing.id));
      const writer = startImportWriter(work, c.id, newId(), {
        baseVersions: new Map(),
        sliceRecords: 2,
      });
      const a = draft(c.id, 'Phone', { number: ['+43660777'] }, 2);
      const b = draft(c.id, 'Phone', { number: ['+43660888'] }, 3);
      await writer.write({ created: [a, b], updated: [] });
      await writer.commit(commitArgs);
      await until(() => ids().has(a.id) && ids().has(b.id));
      await work.undo();
      await until(() => !ids().has(a.id) && !ids().has(b.id) && ids().has(existing.id));
      await work.redo();
      await until(() => ids().has(a.id) && ids().has(b.id));
    } finally {
      held.release();
    }
  });

  it('a failure midway leaves nothing, visible or stored', async () => {
    const c = await repo.createCase({ reference: 'I/6', title: 'Fail', leadInvestigator: 'X' });
    const writer = startImportWriter(work, c.id, newId(), {
      baseVersions: new Map(),
      sliceRecords: 2,
    });
    await writer.write({
      created: [1, 2, 3, 4, 5].map((n) => draft(c.id, 'Phone', { number: [`+431${n}`] }, n + 1)),
      updated: [],
    });
    // A record another case names: refused, as the pipeline's failure path then discards.
    const error = await writer
      .write({ created: [draft('other', 'Phone', { number: ['+4399'] }, 9)], updated: [] })
      .catch((e: unknown) => e);
    expect((error as ImportWriteError).code).toBe('import-wrong-case');
    expect(await live(c.id)).toEqual([]);
    await writer.discard();
    expect(db.pendingImports.size).toBe(0);
    expect(await rawCount()).toBe(0);
    expect(await db.meta.count()).toBe(0);
    expect(repo.undoState().undoLabel).not.toContain('import');
  });

  it('a page closed halfway leaves nothing visible, and the next start removes the records', async () => {
    const c = await repo.createCase({ reference: 'I/2', title: 'Crash', leadInvestigator: 'X' });
    const writer = startImportWriter(work, c.id, newId(), { baseVersions: new Map() });
    await writer.write({ created: [draft(c.id, 'Phone', { number: ['+4311'] }, 2)], updated: [] });
    await writer.write({ created: [draft(c.id, 'Phone', { number: ['+4312'] }, 3)], updated: [] });
    // "Killed": neither commit nor discard; the database is opened again as at the next start.
    db.close();
    await open();
    expect(await hidePendingImports(db)).toEqual([writer.importId]);
    expect(await live(c.id)).toEqual([]);
    expect(await removeStaleImports(work)).toBe(1);
    expect(db.pendingImports.size).toBe(0);
    expect(await db.meta.count()).toBe(0);
    expect(await db.entities.count()).toBe(0);
  });

  it('the next start drops the id lists of committed imports, and the staged rows of the earlier writer', async () => {
    const c = await repo.createCase({ reference: 'I/7', title: 'Lists', leadInvestigator: 'X' });
    const writer = startImportWriter(work, c.id, newId(), { baseVersions: new Map() });
    await writer.write({ created: [draft(c.id, 'Phone', { number: ['+4311'] }, 2)], updated: [] });
    await writer.commit(commitArgs);
    await db.meta.put({ key: 'import-stage:old:000000000', value: { caseId: c.id } });
    db.close();
    await open();
    expect(await removeStaleImports(work)).toBe(0);
    expect(await db.meta.count()).toBe(0);
    expect(await live(c.id)).toHaveLength(1);
  });

  it('cancel removes what was written', async () => {
    const c = await repo.createCase({ reference: 'I/3', title: 'Cancel', leadInvestigator: 'X' });
    const writer = startImportWriter(work, c.id, newId(), { baseVersions: new Map() });
    await writer.write({ created: [draft(c.id, 'Phone', { number: ['+4311'] }, 2)], updated: [] });
    await writer.discard();
    expect(await db.meta.count()).toBe(0);
    expect(await rawCount()).toBe(0);
    expect(await live(c.id)).toEqual([]);
    await expect(writer.write({ created: [], updated: [] })).rejects.toMatchObject({
      code: 'import-closed',
    });
  });

  it('refuses, showing nothing, to merge into an entity changed while the file was read', async () => {
    const c = await repo.createCase({ reference: 'I/4', title: 'Race', leadInvestigator: 'X' });
    const existing = await repo.createEntity(c.id, 'Phone', { number: ['+43660111'] });
    const writer = startImportWriter(work, c.id, newId(), {
      baseVersions: new Map([[existing.id, existing.updatedAt]]),
    });
    const fresh = draft(c.id, 'Phone', { number: ['+4399'] }, 2);
    await writer.write({
      created: [fresh],
      updated: [{ ...existing, properties: { number: ['+43660111'], provider: ['x'] } }],
    });
    await repo.updateEntity(existing.id, {
      properties: { number: ['+43660111'], provider: ['edit'] },
    });
    const error = await writer.commit(commitArgs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportWriteError);
    expect((error as ImportWriteError).code).toBe('import-conflict');
    // The refused commit left the import hidden (the pending set is restored on abort).
    expect((await live(c.id)).map((e) => e.properties.provider)).toEqual([['edit']]);
    await writer.discard();
    expect(await db.meta.count()).toBe(0);
    expect(await db.entities.count()).toBe(1);
  });

  it('tells live queries nothing while slices are written, and shows the import when it commits', async () => {
    const c = await repo.createCase({ reference: 'I/8', title: 'Live', leadInvestigator: 'X' });
    const seen: number[] = [];
    const subscription = liveQuery(() => repo.listEntities(c.id)).subscribe((list) => {
      seen.push(list.length);
    });
    const until = async (check: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    try {
      await until(() => seen.length > 0);
      const writer = startImportWriter(work, c.id, newId(), {
        baseVersions: new Map(),
        sliceRecords: 1,
      });
      for (let n = 0; n < 3; n++) {
        await writer.write({
          created: [draft(c.id, 'Phone', { number: [`+431${n}`] }, n + 2)],
          updated: [],
        });
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([0]);
      await writer.commit(commitArgs);
      await until(() => seen.at(-1) === 3);
      expect(seen).toEqual([0, 3]);
      await repo.undo();
      await until(() => seen.at(-1) === 0);
      expect(seen.at(-1)).toBe(0);
      await repo.redo();
      await until(() => seen.at(-1) === 3);
      expect(seen.at(-1)).toBe(3);
    } finally {
      subscription.unsubscribe();
    }
  });
});
