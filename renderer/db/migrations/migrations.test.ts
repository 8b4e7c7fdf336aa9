import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartRecord, EntityRecord } from '../../../shared/model/index.ts';
import { DEFAULT_MARKINGS } from '../../../shared/model/index.ts';
import { packCases, readBlockedCase } from '../blocks.ts';
import { readChart } from '../chartNodes.ts';
import { Dexie } from 'dexie';
import { TesseraDatabase } from '../database.ts';
import { testStoreKeys } from '../testing/encryptedDatabase.ts';
import { FIXTURE_HLC, fixtureEntity } from '../testing/testRepository.ts';
import { entitySearchText } from '../searchText.ts';
import { readLastSync, readPending, readReceived, readRecordMeta } from '../syncState.ts';
import { LATEST_VERSION, MIGRATIONS } from './index.ts';
import { v2SearchText } from './v2.ts';

function entity(id: string, schema: string, properties: Record<string, string[]>): EntityRecord {
  return fixtureEntity(id, 'case-1', schema, properties);
}

describe('schema migrations', () => {
  it('are numbered in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('v1 → v2 backfills the search text and adds the [caseId+schema] index', async () => {
    const name = 'migration-v1-v2';
    const old = new TesseraDatabase(name, MIGRATIONS.slice(0, 1));
    await old.open();
    expect(old.verno).toBe(1);
    await old
      .table('entities')
      .bulkPut([
        entity('e1', 'Person', { name: ['Ștefan Ionescu'], alias: ['Fane'] }),
        entity('e2', 'Company', { name: ['Fictional Freight SRL'] }),
        entity('e3', 'Phone', { number: ['+40 700 000 001'] }),
      ]);
    await old.table('audit').put({ id: 'a1', recordId: 'e1', caseId: 'case-1', changeId: 'c1' });
    old.close();

    // Opened at version 2: version 4 drops the searchText index again (issue 10).
    const db = new TesseraDatabase(name, MIGRATIONS.slice(0, 2));
    await db.open();
    expect(db.verno).toBe(2);
    const e1 = await db.entities.get('e1');
    expect(e1?.searchText).toBe('stefan ionescu fane');
    expect((await db.entities.get('e3'))?.searchText).toBe('+40 700 000 001');
    const people = await db.entities
      .where('[caseId+schema]')
      .equals(['case-1', 'Person'])
      .toArray();
    expect(people.map((e) => e.id)).toEqual(['e1']);
    const found = await db.entities.where('searchText').startsWith('fictional').primaryKeys();
    expect(found).toEqual(['e2']);
    expect(await db.audit.count()).toBe(1);
    db.close();
    await db.delete();
  });

  it('v3 → v4 drops the indexes that show content, keeps every row as it was, adds the keyring', async () => {
    const name = 'migration-v3-v4';
    const old = new TesseraDatabase(name, MIGRATIONS.slice(0, 3));
    await old.open();
    const stored = { ...entity('e1', 'Person', { name: ['Ana'] }), searchText: 'ana' };
    await old.table('entities').put(stored);
    await old.table('cases').put({ kind: 'case', id: 'case-1', updatedAt: 'x' });
    await old
      .table('audit')
      .put({ id: 'a1', recordId: 'e1', caseId: 'case-1', changeId: 'c1', hlc: 'h' });
    old.close();

    // Opened at v4 itself: later versions add indexes of their own (v6).
    const db = new TesseraDatabase(name, MIGRATIONS.slice(0, 4));
    await db.open();
    expect(db.verno).toBe(4);
    const indexes = (table: string) => db.table(table).schema.indexes.map((index) => index.name);
    expect(indexes('entities').sort()).toEqual(['[caseId+schema]', 'caseId']);
    expect(indexes('cases')).toEqual([]);
    expect(indexes('audit').sort()).toEqual(['caseId', 'changeId', 'recordId']);
    expect(await db.entities.get('e1')).toEqual(stored);
    expect(await db.keyring.count()).toBe(0);
    db.close();
    await db.delete();
  });

  it('v4 → v5 adds per-node chart rows; a stored chart reads as it was and moves by rows', async () => {
    const name = 'migration-v4-v5';
    const old = new TesseraDatabase(name, MIGRATIONS.slice(0, 4));
    await old.open();
    const hlc = FIXTURE_HLC;
    const chart: ChartRecord = {
      kind: 'chart',
      id: 'chart-1',
      caseId: 'case-1',
      name: 'Chart',
      nodes: { e1: { x: 1, y: 2 }, e2: { x: 3, y: 4, color: '#00ff00' } },
      layout: 'manual',
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: 'fixture',
      markings: DEFAULT_MARKINGS,
    };
    await old.table('charts').put(chart);
    old.close();

    const db = new TesseraDatabase(name);
    await db.open();
    expect(db.verno).toBe(LATEST_VERSION);
    expect(db.chartNodes.schema.primKey.name).toBe('[chartId+entityId]');
    expect(await db.chartNodes.count()).toBe(0);
    expect(await db.charts.get('chart-1')).toEqual(chart);
    expect(await readChart(db, 'chart-1')).toEqual(chart);
    const later = '0018f00000001-0000-fixture';
    await db.chartNodes.put({
      chartId: 'chart-1',
      entityId: 'e2',
      caseId: 'case-1',
      updatedAt: later,
      node: { x: 30, y: 40, color: '#00ff00' },
    });
    expect(await readChart(db, 'chart-1')).toEqual({
      ...chart,
      nodes: { e1: { x: 1, y: 2 }, e2: { x: 30, y: 40, color: '#00ff00' } },
      updatedAt: later,
    });
    db.close();
    await db.delete();
  });

  it('v5 → v6 indexes [caseId+schema+id]: a type read by id range, sealed rows too', async () => {
    const keys = await testStoreKeys();
    const name = 'migration-v5-v6';
    const old = new TesseraDatabase(name, MIGRATIONS.slice(0, 5), { encryption: () => keys });
    await old.open();
    const rows = ['p3', 'p1', 'c1', 'p2'].map((id) => ({
      ...entity(id, id.startsWith('p') ? 'Person' : 'Company', { name: [id] }),
      searchText: id,
    }));
    await old.entities.bulkPut([...rows, { ...rows[0]!, id: 'x1', caseId: 'case-2' }]);
    old.close();

    const db = new TesseraDatabase(name, MIGRATIONS.slice(0, 6), { encryption: () => keys });
    await db.open();
    expect(db.verno).toBe(6);
    const people = db.entities
      .where('[caseId+schema+id]')
      .between(['case-1', 'Person', 'p1'], ['case-1', 'Person', Dexie.maxKey], false, true);
    // After p1, in id order, only this case's people, each opened and checked.
    expect((await people.toArray()).map((row) => row.id)).toEqual(['p2', 'p3']);
    expect(await people.limit(1).toArray()).toEqual([rows[3]]);
    db.close();
    await db.delete();
  });

  it('v6 → v7 adds blocks: sealed rows read as before, then through blocks once packed', async () => {
    const keys = await testStoreKeys();
    const name = 'migration-v6-v7';
    const old = new TesseraDatabase(name, MIGRATIONS.slice(0, 6), { encryption: () => keys });
    await old.open();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      ...entity(`p${String(i).padStart(2, '0')}`, 'Person', { name: [`P ${i}`] }),
      searchText: '',
    }));
    await old.cases.put({ id: 'case-1' } as never);
    await old.entities.bulkPut(rows);
    old.close();

    const db = new TesseraDatabase(name, undefined, { encryption: () => keys });
    await db.open();
    expect(db.verno).toBe(LATEST_VERSION);
    expect(await db.entities.where('caseId').equals('case-1').toArray()).toEqual(rows);
    // Written before v7: outside the label index, so read row by row until packed.
    expect(await readBlockedCase(db, 'case-1')).toBeUndefined();
    expect((await packCases(db)).packed).toBe(1);
    const blocked = await readBlockedCase(db, 'case-1');
    expect([...blocked!.first, ...(await blocked!.rest())]).toEqual(rows);
    expect(blocked!.stats()).toMatchObject({ fromBlocks: 40, loose: 0 });
    db.close();
    await db.delete();

    // A plaintext store upgrades untouched: no blocks, no labels.
    const plainName = 'migration-v6-v7-plain';
    const plainOld = new TesseraDatabase(plainName, MIGRATIONS.slice(0, 6));
    await plainOld.open();
    await plainOld.entities.bulkPut(rows);
    plainOld.close();
    const plain = new TesseraDatabase(plainName);
    await plain.open();
    expect(await plain.entities.toArray()).toEqual(rows);
    expect(await plain.blocks.count()).toBe(0);
    expect(await packCases(plain)).toEqual({ packed: 0 });
    plain.close();
    await plain.delete();
  });

  it('v2 runs a frozen copy of the search normalisation that still matches the live one', () => {
    const letters = [...'aăâîșțßæøłđ ÄÖÜéèçñ Иванчщюяїєђљ Δημήτρης ουαυγγ محمدعلي ½-.'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...letters), { maxLength: 24 }).map((chars) => chars.join('')),
        fc.constantFrom('Person', 'Company', 'Vessel', 'NoSuchSchema'),
        (name, schema) => {
          const properties = { name: [name], alias: [name.toUpperCase()] };
          expect(v2SearchText(schema, properties)).toBe(entitySearchText(schema, properties));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('v2 → v3 moves sync metadata out of `meta` into typed tables, parsed on read', async () => {
    const name = 'migration-v2-v3';
    const hlc = '0018f00000000-0000-fixture';
    const later = '0018f00000001-0000-partner';
    const old = new TesseraDatabase(name, MIGRATIONS.slice(0, 2));
    await old.open();
    expect(old.verno).toBe(2);
    const caseId = 'case-1';
    await old.table('cases').put({ kind: 'case', id: caseId });
    await old
      .table('entities')
      .put({ ...entity('e1', 'Person', { name: ['Ana'] }), searchText: 'ana' });
    await old.table('meta').bulkPut([
      { key: 'sync.meta.e1', value: { base: hlc, clocks: { 'properties.name': later } } },
      { key: 'sync.meta.gone', value: { base: hlc, clocks: {} } },
      { key: 'sync.meta.case-1', value: { base: 'not a clock', clocks: {} } },
      {
        key: 'sync.received.e1',
        value: {
          caseId,
          sender: 'DE.BKA',
          receivedAt: '2024-01-02T00:00:00Z',
          retainUntil: '2025-01-01',
        },
      },
      { key: `sync.pending.${caseId}`, value: [] },
      { key: `sync.last.${caseId}.DE.BKA`, value: later },
      { key: 'tessera.other', value: 42 },
    ]);
    old.close();

    const db = new TesseraDatabase(name);
    await db.open();
    expect(db.verno).toBe(LATEST_VERSION);
    const [e1, gone, badClock] = await readRecordMeta(db, ['e1', 'gone', 'case-1']);
    expect(e1).toEqual({ base: hlc, clocks: { 'properties.name': later } });
    // A clock of a record that is gone is dropped; one that does not parse reads as absent.
    expect(gone).toBeUndefined();
    expect(await db.syncClocks.get('gone')).toBeUndefined();
    expect(badClock).toBeUndefined();
    expect(await readReceived(db, 'e1')).toEqual({
      recordId: 'e1',
      caseId,
      sender: 'DE.BKA',
      receivedAt: '2024-01-02T00:00:00Z',
      retainUntil: '2025-01-01',
    });
    expect(await readPending(db, caseId)).toEqual([]);
    // The partner id holds a dot: the key is split at the stored case id, not at the first dot.
    expect(await readLastSync(db, caseId, 'DE.BKA')).toBe(later);
    expect((await db.meta.toArray()).map((m) => m.key)).toEqual(['tessera.other']);
    db.close();
    await db.delete();
  });
});
