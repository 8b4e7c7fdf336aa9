import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { createRepository } from './repository.ts';
import { encryptedTestDatabase } from './testing/encryptedDatabase.ts';
import { createUnitOfWork } from './unitOfWork.ts';
import { readViewState, readViewStateAdopting, saveViewState, viewStateKey } from './viewState.ts';
import type { LegacyStorage } from './viewState.ts';
import type { TesseraDatabase } from './database.ts';
import { chartRulesView, legacyChartRulesKey, restoreRules } from '../chart/chartOverlay.ts';
import {
  DISMISSED_VIEW,
  legacyDismissedKey,
  restoreDismissed,
} from '../resolution/duplicatesModel.ts';

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

/** The `meta` entry as IndexedDB holds it, read below Dexie and its encrypting middleware. */
function rawMeta(db: TesseraDatabase, key: string): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const request = indexedDB.open(db.name);
    request.onsuccess = () => {
      const get = request.result.transaction('meta').objectStore('meta').get(key);
      get.onsuccess = () => {
        resolve(get.result);
        request.result.close();
      };
      get.onerror = () => reject(new Error('read failed'));
    };
    request.onerror = () => reject(new Error('open failed'));
  });
}

/** localStorage as far as the move uses it, over a Map. */
function fakeLocalStorage(entries: Record<string, string>): LegacyStorage & {
  readonly keys: () => string[];
} {
  const map = new Map(Object.entries(entries));
  return {
    getItem: (key) => map.get(key) ?? null,
    removeItem: (key) => void map.delete(key),
    keys: () => [...map.keys()],
  };
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
    const raw = await rawMeta(db, viewStateKey(c.id, 'entity-table'));
    expect(raw).toBeDefined();
    expect(JSON.stringify(raw)).not.toContain('Petrov');

    await repo.purgeCase(c.id);
    expect(await readViewState(db, c.id, 'entity-table')).toBeUndefined();
  });
});

describe('values older builds left in localStorage', () => {
  it("moves a chart's formatting rules into the encrypted store once and removes the old key", async () => {
    const { db, work, repo } = await setup();
    const c = await repo.createCase({ reference: 'V/2', title: 'Rules', leadInvestigator: 'Test' });
    const rules = [
      {
        id: 'r1',
        when: { kind: 'property', property: 'name', op: 'contains', value: 'Kowalczyk' },
        color: '#e15759',
      },
    ];
    const legacy = fakeLocalStorage({
      [legacyChartRulesKey('chart-1')]: JSON.stringify(rules),
      'tessera.chartCombineLinks': 'off',
    });
    const move = () =>
      readViewStateAdopting(db, work, c.id, chartRulesView('chart-1'), {
        storage: legacy,
        key: legacyChartRulesKey('chart-1'),
      });

    expect(restoreRules(await move())).toEqual(rules);
    // Gone from localStorage; the switch that is not case content stays where it was.
    expect(legacy.keys()).toEqual(['tessera.chartCombineLinks']);
    expect(await readViewState(db, c.id, chartRulesView('chart-1'))).toEqual(rules);
    // Stored encrypted: the rule's value is not in what IndexedDB holds.
    const raw = await rawMeta(db, viewStateKey(c.id, chartRulesView('chart-1')));
    expect(raw).toBeDefined();
    expect(JSON.stringify(raw)).not.toContain('Kowalczyk');
    // Later reads come from the store.
    expect(restoreRules(await move())).toEqual(rules);
    // Not undoable: the move does not replace the case creation on the undo stack.
    expect(repo.undoState().undoLabel).toBe('Create case V/2');
  });

  it('moves the "not a duplicate" pairs; a value already in the store wins over an old copy', async () => {
    const { db, work, repo } = await setup();
    const c = await repo.createCase({ reference: 'V/3', title: 'Pairs', leadInvestigator: 'Test' });
    const key = legacyDismissedKey(c.id);
    const legacy = fakeLocalStorage({ [key]: JSON.stringify(['01AAA|01BBB']) });
    const move = () =>
      readViewStateAdopting(db, work, c.id, DISMISSED_VIEW, { storage: legacy, key });

    expect(restoreDismissed(await move())).toEqual(new Set(['01AAA|01BBB']));
    expect(legacy.getItem(key)).toBeNull();
    const raw = await rawMeta(db, viewStateKey(c.id, DISMISSED_VIEW));
    expect(JSON.stringify(raw)).not.toContain('01AAA|01BBB');

    // A copy left behind (a crash between the store write and the removal) does not win.
    await saveViewState(work, c.id, DISMISSED_VIEW, ['01AAA|01BBB', '01CCC|01DDD']);
    const stale = fakeLocalStorage({ [key]: JSON.stringify(['01EEE|01FFF']) });
    const value = await readViewStateAdopting(db, work, c.id, DISMISSED_VIEW, {
      storage: stale,
      key,
    });
    expect(restoreDismissed(value)).toEqual(new Set(['01AAA|01BBB', '01CCC|01DDD']));
    expect(stale.keys()).toEqual([]);
  });

  it('drops old text that is not JSON, and leaves the store empty', async () => {
    const { db, work, repo } = await setup();
    const c = await repo.createCase({ reference: 'V/4', title: 'Junk', leadInvestigator: 'Test' });
    const legacy = fakeLocalStorage({ [legacyChartRulesKey('x')]: '{not json' });
    const value = await readViewStateAdopting(db, work, c.id, chartRulesView('x'), {
      storage: legacy,
      key: legacyChartRulesKey('x'),
    });
    expect(value).toBeUndefined();
    expect(legacy.keys()).toEqual([]);
    expect(await readViewState(db, c.id, chartRulesView('x'))).toBeUndefined();
  });
});
