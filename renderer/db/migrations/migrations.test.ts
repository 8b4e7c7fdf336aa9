import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../../shared/model/index.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../../../shared/model/index.ts';
import { TesseraDatabase } from '../database.ts';
import { LATEST_VERSION, MIGRATIONS } from './index.ts';

function entity(id: string, schema: string, properties: Record<string, string[]>): EntityRecord {
  const hlc = '0018f00000000-0000-fixture';
  return {
    kind: 'entity',
    id,
    caseId: 'case-1',
    schema,
    properties,
    createdAt: hlc,
    updatedAt: hlc,
    deleted: false,
    originAgency: 'fixture',
    markings: DEFAULT_MARKINGS,
    grading: UNGRADED,
    provenance: {
      source: 'fixture',
      originAgency: 'fixture',
      recordedBy: 'x',
      recordedAt: '2024-01-01',
    },
  };
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

    const db = new TesseraDatabase(name);
    await db.open();
    expect(db.verno).toBe(LATEST_VERSION);
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
});
