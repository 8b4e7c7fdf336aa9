import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { createRepository } from './repository.ts';
import { encryptedTestDatabase } from './testing/encryptedDatabase.ts';
import { createUnitOfWork } from './unitOfWork.ts';
import { readViewState, saveViewState, viewStateKey } from './viewState.ts';
import type { TesseraDatabase } from './database.ts';

const actor = () => ({ userName: 'Insp. Test', agencyId: 'test-agency' });
let opened: TesseraDatabase | undefined;
let counter = 0;

afterEach(async () => {
  opened?.close();
  if (opened) await opened.delete();
  opened = undefined;
});

async function setup() {
  counter += 1;
  const { db } = await encryptedTestDatabase(`view-state-test-${counter}`);
  opened = db;
  await db.open();
  const work = createUnitOfWork(db, { actor, clock: new HybridLogicalClock('test.node') });
  return { db, work, repo: createRepository(work) };
}

describe('remembered view state', () => {
  it('is stored encrypted, read back, kept off the undo stack and purged with its case', async () => {
    const { db, work, repo } = await setup();
    const c = await repo.createCase({ reference: 'V/1', title: 'View', leadInvestigator: 'Test' });
    const view = { columns: [{ id: 'caption', width: 300 }], secretFilter: 'Petrov' };
    await saveViewState(work, c.id, 'entity-table', view);
    expect(await readViewState(db, c.id, 'entity-table')).toEqual(view);
    expect(await readViewState(db, 'other-case', 'entity-table')).toBeUndefined();
    // Not undoable: Ctrl+Z still reverts the case creation.
    expect(repo.undoState().undoLabel).toBe('Create case V/1');
    expect(await db.audit.where('caseId').equals(c.id).count()).toBe(1);

    // What IndexedDB holds (below the encrypting middleware) has no filter text in it.
    const raw = await new Promise<unknown>((resolve, reject) => {
      const request = indexedDB.open(db.name);
      request.onsuccess = () => {
        const get = request.result
          .transaction('meta')
          .objectStore('meta')
          .get(viewStateKey(c.id, 'entity-table'));
        get.onsuccess = () => {
          resolve(get.result);
          request.result.close();
        };
        get.onerror = () => reject(new Error('read failed'));
      };
      request.onerror = () => reject(new Error('open failed'));
    });
    expect(raw).toBeDefined();
    expect(JSON.stringify(raw)).not.toContain('Petrov');

    await repo.purgeCase(c.id);
    expect(await readViewState(db, c.id, 'entity-table')).toBeUndefined();
  });
});
