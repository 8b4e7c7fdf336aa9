import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { ITEM_KINDS, RECORD_KIND_NAMES, RECORD_TABLES } from '../../shared/model/recordKinds.ts';
import { TesseraDatabase } from './database.ts';
import { recordTable } from './records.ts';

/** Tables of the database that hold no records of a kind: contents, audit trail, sync state. */
const BOOKKEEPING = [
  'attachmentBlobs',
  'audit',
  // Sealed copies of entity records for the cold open (schema v7, blocks.ts): not a kind.
  'blocks',
  // Chart node positions stored per node (schema v5): part of the chart records, not a kind.
  'chartNodes',
  'keyring',
  'meta',
  'syncClocks',
  'syncPartners',
  'syncPending',
  'syncReceived',
];

let db: TesseraDatabase | undefined;

afterEach(async () => {
  db?.close();
  await db?.delete();
  db = undefined;
});

describe('record tables', () => {
  it('are exactly the tables the registry of record kinds names', async () => {
    db = new TesseraDatabase('record-tables-test');
    await db.open();
    const declared = db.tables.map((table) => table.name).filter((n) => !BOOKKEEPING.includes(n));
    expect(declared.sort()).toEqual([...RECORD_TABLES].sort());
  });

  it('are found by kind, and every item table is indexed by case', async () => {
    db = new TesseraDatabase('record-tables-kinds');
    await db.open();
    for (const kind of RECORD_KIND_NAMES) {
      expect(recordTable(db, kind).name).toBe(RECORD_TABLES[RECORD_KIND_NAMES.indexOf(kind)]);
    }
    for (const kind of ITEM_KINDS) {
      expect(recordTable(db, kind).schema.idxByName.caseId, kind).toBeDefined();
    }
  });
});
