import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_SPECS } from '../../shared/importer/index.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { StoreKeys } from '../db/encryption.ts';
import { encryptedTestDatabase, testStoreKeys } from '../db/testing/encryptedDatabase.ts';
import {
  deleteSavedSpec,
  listSavedSpecs,
  saveSpec,
  specFileText,
  specFromFileText,
} from './savedSpecs.ts';
import { addEntity, addProperty, blankSpec, updateEntity } from './wizardModel.ts';

let counter = 0;
let name: string;
let keys: StoreKeys;
let db: TesseraDatabase;

beforeEach(async () => {
  counter += 1;
  name = `specs-${counter}`;
  keys = await testStoreKeys();
  ({ db } = await encryptedTestDatabase(name, keys));
  await db.open();
});

afterEach(async () => {
  db.close();
  await db.delete();
});

function customSpec() {
  const spec = addEntity(blankSpec('Seizure list'), 'Person');
  return updateEntity(spec, 0, (entity) => addProperty(entity, 'name', 'Name'));
}

describe('saved import specifications', () => {
  it('are versioned on each save and remembered when the store is opened again', async () => {
    const first = await saveSpec(db, customSpec());
    expect(first.version).toBe(1);
    const second = await saveSpec(db, { ...first, description: 'with a note' });
    expect(second.version).toBe(2);
    db.close();
    ({ db } = await encryptedTestDatabase(name, keys));
    const saved = await listSavedSpecs(db);
    expect(saved.map((entry) => [entry.spec.name, entry.spec.version])).toEqual([
      ['Seizure list', 2],
    ]);
    expect(saved[0]!.spec.description).toBe('with a note');
    // Stored encrypted: the name is not in the row's clear fields.
    await db.open();
    const request = db.backendDB().transaction('meta').objectStore('meta').getAll();
    const raw = await new Promise<unknown>((resolve) => {
      request.onsuccess = () => resolve(request.result);
    });
    expect(JSON.stringify(raw)).toContain('import-spec:');
    expect(JSON.stringify(raw)).not.toContain('Seizure');
  });

  it('round-trips through an exported file and refuses a broken one with a code', () => {
    const text = specFileText(BUILT_IN_SPECS.cdr);
    expect(specFromFileText(text)).toEqual(BUILT_IN_SPECS.cdr);
    expect(() => specFromFileText('{ not json')).toThrow(
      expect.objectContaining({ code: 'spec.not-json' }),
    );
    expect(() => specFromFileText('{"format":"tessera-import-spec"}')).toThrow(
      expect.objectContaining({ code: 'spec.invalid' }),
    );
  });

  it('deletes by name', async () => {
    await saveSpec(db, customSpec());
    await saveSpec(db, BUILT_IN_SPECS.bank);
    await deleteSavedSpec(db, 'Seizure list');
    expect((await listSavedSpecs(db)).map((entry) => entry.spec.name)).toEqual(['bank']);
  });
});
