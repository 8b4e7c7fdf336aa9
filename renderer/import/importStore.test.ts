import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock, newId } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { TesseraDatabase } from '../db/database.ts';
import { startImportWriter } from '../db/importWriter.ts';
import { createRepository } from '../db/repository.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import { encryptedTestDatabase } from '../db/testing/encryptedDatabase.ts';
import { importedEntity } from '../db/testing/importedEntity.ts';
import type { StoreKeys } from '../db/encryption.ts';
import { createUnitOfWork } from '../db/unitOfWork.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';
import { openImportStore } from './importStore.ts';
import type { ImportStoreTarget } from './importStore.ts';

let counter = 0;
let db: TesseraDatabase;
let storeKeys: StoreKeys;
let work: UnitOfWork;
let repo: CaseRepository;

beforeEach(async () => {
  counter += 1;
  ({ db, storeKeys } = await encryptedTestDatabase(`import-store-${counter}`));
  await db.open();
  work = createUnitOfWork(db, {
    actor: () => ({ userName: 'Insp. Test', agencyId: 'test-agency' }),
    clock: new HybridLogicalClock('test.node'),
  });
  repo = createRepository(work);
});

afterEach(async () => {
  db.close();
  await db.delete();
});

function phone(caseId: string, number: string, row: number): EntityRecord {
  return importedEntity(caseId, 'Phone', { number: [number] }, row);
}

describe("the import worker's store", () => {
  it("writes under the page's keys what the page then shows, and once closed it holds no keys and writes nothing", async () => {
    const c = await repo.createCase({ reference: 'S/1', title: 'Store', leadInvestigator: 'X' });
    const importId = newId();
    const writer = startImportWriter(work, c.id, importId, { baseVersions: new Map() });
    await writer.ready();
    const target: ImportStoreTarget = {
      name: db.name,
      keys: storeKeys,
      caseId: c.id,
      importId,
      createdAt: writer.createdAt,
      clock: { node: work.clock.node, after: work.clock.now() },
      actor: { userName: 'Insp. Test', agencyId: 'test-agency' },
    };
    // Sent to the worker as a message would be: the keys are structured-cloned.
    const store = openImportStore(structuredClone(target), new Set());
    const first = phone(c.id, '+43660111', 2);
    const written = await store.write({ created: [first], updated: [] });
    expect(written.created).toBe(1);
    await store.flush();
    store.close();
    // A late write is refused: the connection is gone, and the keys with it.
    await store.write({ created: [phone(c.id, '+43660222', 3)], updated: [] });
    await expect(store.flush()).rejects.toThrow();
    const pending = [...db.pendingImports];
    db.pendingImports.clear();
    expect(await db.entities.count()).toBe(1);
    for (const id of pending) db.pendingImports.add(id);
    // Hidden until the page commits; then shown, opened with the page's keys.
    expect(await repo.listEntities(c.id)).toEqual([]);
    writer.adopt(written);
    await writer.commit({ label: 'import', summary: 'Imported' });
    const shown = await repo.listEntities(c.id);
    expect(shown.map((entity) => entity.properties.number)).toEqual([['+43660111']]);
    expect(shown[0]!.provenance.imported?.importId).toBe(importId);
  });
});
