import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKINGS, HybridLogicalClock, newId, UNGRADED } from '../../shared/model/index.ts';
import type { EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import type { TesseraDatabase } from './database.ts';
import { ImportWriteError, removeStaleImports, startImportStaging } from './importWriter.ts';
import { createRepository } from './repository.ts';
import type { CaseRepository } from './repository.types.ts';
import { encryptedTestDatabase, testStoreKeys } from './testing/encryptedDatabase.ts';
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

/** An entity as the engine makes one (its clocks are replaced when the import commits). */
function draft(caseId: string, schema: string, properties: EntityProperties, row: number) {
  const at = new HybridLogicalClock('engine').now();
  return {
    kind: 'entity',
    id: newId(),
    caseId,
    schema,
    properties,
    createdAt: at,
    updatedAt: at,
    deleted: false,
    originAgency: 'test-agency',
    markings: DEFAULT_MARKINGS,
    grading: UNGRADED,
    provenance: {
      source: 'cdr.csv',
      originAgency: 'test-agency',
      recordedBy: 'Insp. Test',
      recordedAt: '2026-12-05T12:00:00.000Z',
      imported: {
        fileName: 'cdr.csv',
        fileSha256: 'ab'.repeat(32),
        row,
        spec: 'cdr',
        specVersion: 1,
      },
    },
  } satisfies EntityRecord;
}

const live = async (caseId: string) =>
  (await repo.listEntities(caseId)).filter((entity) => !entity.deleted);

const commitArgs = (baseVersions: ReadonlyMap<string, string> = new Map()) => ({
  label: 'import of cdr.csv: 3 entities',
  summary: 'Imported cdr.csv (spec cdr v1): 3 entities, 1 merged',
  baseVersions,
});

describe('an import is one change', () => {
  it('stays invisible while staged, then appears, audits and undoes as one change', async () => {
    const c = await repo.createCase({ reference: 'I/1', title: 'Import', leadInvestigator: 'X' });
    const existing = await repo.createEntity(c.id, 'Phone', { number: ['+43660111'] });
    const auditBefore = await db.audit.count();

    const staging = startImportStaging(work, c.id, newId());
    const a = draft(c.id, 'Phone', { number: ['+43660222'] }, 2);
    const b = draft(c.id, 'Phone', { number: ['+43660333'] }, 2);
    await staging.stage({ created: [a, b], updated: [] });
    // Batch 2: a merged again (created earlier: stored once, latest version) and the existing phone.
    const aLater = { ...a, properties: { number: ['+43660222'], provider: ['seen twice'] } };
    const existingMerged = {
      ...existing,
      properties: { ...existing.properties, provider: ['called from row 3'] },
    };
    const call = draft(c.id, 'Call', { caller: [a.id], receiver: [existing.id] }, 3);
    await staging.stage({ created: [call], updated: [aLater, existingMerged] });

    expect((await live(c.id)).map((e) => e.id)).toEqual([existing.id]);
    expect(repo.undoState().undoLabel).not.toContain('import');

    const result = await staging.commit(commitArgs(new Map([[existing.id, existing.updatedAt]])));
    expect(result).toEqual({ created: 3, merged: 1 });
    const after = await live(c.id);
    expect(after).toHaveLength(4);
    expect(after.find((e) => e.id === a.id)?.properties.provider).toEqual(['seen twice']);
    expect(after.find((e) => e.id === existing.id)?.properties.provider).toEqual([
      'called from row 3',
    ]);
    expect(after.find((e) => e.id === call.id)?.provenance.imported?.row).toBe(3);
    // One summary entry for the import and one for the merged existing entity (its history).
    const entries = (await db.audit.toArray()).slice(auditBefore);
    expect(entries.map((e) => e.action).sort()).toEqual(['import', 'update']);
    expect(await db.meta.count()).toBe(0);

    expect(repo.undoState().undoLabel).toBe('import of cdr.csv: 3 entities');
    expect(await repo.undo()).toBe('import of cdr.csv: 3 entities');
    const undone = await live(c.id);
    expect(undone.map((e) => e.id)).toEqual([existing.id]);
    // The merged entity is back as it was (before the fix, undo deleted it with the new records).
    expect(undone[0]?.properties).toEqual(existing.properties);
    expect(await db.entities.count()).toBe(1);

    expect(await repo.redo()).toBe('import of cdr.csv: 3 entities');
    expect(await live(c.id)).toHaveLength(4);
  });

  it('a page closed halfway leaves nothing visible, and the next start removes the staged rows', async () => {
    const c = await repo.createCase({ reference: 'I/2', title: 'Crash', leadInvestigator: 'X' });
    const staging = startImportStaging(work, c.id, newId());
    await staging.stage({ created: [draft(c.id, 'Phone', { number: ['+4311'] }, 2)], updated: [] });
    await staging.stage({ created: [draft(c.id, 'Phone', { number: ['+4312'] }, 3)], updated: [] });
    expect(await db.meta.count()).toBe(2);
    // "Killed": neither commit nor discard; the database is opened again as at the next start.
    db.close();
    await open();
    expect(await live(c.id)).toEqual([]);
    expect(await removeStaleImports(db)).toBe(1);
    expect(await db.meta.count()).toBe(0);
    expect(await live(c.id)).toEqual([]);
  });

  it('cancel discards the staged batches', async () => {
    const c = await repo.createCase({ reference: 'I/3', title: 'Cancel', leadInvestigator: 'X' });
    const staging = startImportStaging(work, c.id, newId());
    await staging.stage({ created: [draft(c.id, 'Phone', { number: ['+4311'] }, 2)], updated: [] });
    await staging.discard();
    expect(await db.meta.count()).toBe(0);
    expect(await live(c.id)).toEqual([]);
    await expect(staging.stage({ created: [], updated: [] })).rejects.toMatchObject({
      code: 'import-closed',
    });
  });

  it('refuses, writing nothing, to merge into an entity changed while the file was read', async () => {
    const c = await repo.createCase({ reference: 'I/4', title: 'Race', leadInvestigator: 'X' });
    const existing = await repo.createEntity(c.id, 'Phone', { number: ['+43660111'] });
    const staging = startImportStaging(work, c.id, newId());
    const fresh = draft(c.id, 'Phone', { number: ['+4399'] }, 2);
    await staging.stage({
      created: [fresh],
      updated: [{ ...existing, properties: { number: ['+43660111'], provider: ['x'] } }],
    });
    await repo.updateEntity(existing.id, {
      properties: { number: ['+43660111'], provider: ['edit'] },
    });
    const error = await staging
      .commit(commitArgs(new Map([[existing.id, existing.updatedAt]])))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportWriteError);
    expect((error as ImportWriteError).code).toBe('import-conflict');
    expect((await live(c.id)).map((e) => e.properties.provider)).toEqual([['edit']]);
    await staging.discard();
    expect(await db.meta.count()).toBe(0);
  });

  it('refuses records of another case', async () => {
    const c = await repo.createCase({ reference: 'I/5', title: 'Case', leadInvestigator: 'X' });
    const staging = startImportStaging(work, c.id, newId());
    await staging.stage({
      created: [draft('other', 'Phone', { number: ['+4311'] }, 2)],
      updated: [],
    });
    await expect(staging.commit(commitArgs())).rejects.toMatchObject({ code: 'import-wrong-case' });
    expect(await db.entities.count()).toBe(0);
  });
});
