import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../shared/model/index.ts';
import type { StoredEntity } from './database.ts';
import { TesseraDatabase } from './database.ts';
import { storeEntity } from './records.ts';
import { importedEntity } from './testing/importedEntity.ts';

let db: TesseraDatabase;
let counter = 0;

beforeEach(async () => {
  counter += 1;
  db = new TesseraDatabase(`pending-imports-${counter}`);
  await db.open();
});

afterEach(async () => {
  db.close();
  await db.delete();
});

let sequence = 0;

function entity(caseId: string, name: string, importId?: string): StoredEntity {
  // Ids in creation order: ULIDs made within one millisecond are not ordered, and the test pages by id.
  sequence += 1;
  const { provenance, ...made } = importedEntity(caseId, 'Person', { name: [name] }, 2);
  const { imported, ...typedIn } = provenance;
  return storeEntity({
    ...made,
    id: `01TEST${String(sequence).padStart(20, '0')}`,
    provenance:
      importId && imported ? { ...typedIn, imported: { ...imported, importId } } : typedIn,
  });
}

describe('records of a pending import are hidden from every read', () => {
  it('hides them from get, bulkGet, queries, keys, counts, cursors and pages; shows them once the import leaves the set', async () => {
    const importId = newId();
    // The hidden ones first: their ids (ULIDs) come first in key order.
    const hidden = [entity('c1', 'Cleo', importId), entity('c1', 'Dan', importId)];
    const shown = [entity('c1', 'Anna'), entity('c1', 'Boris', newId())];
    await db.entities.bulkAdd([...shown, ...hidden]);
    db.pendingImports.add(importId);

    const names = (rows: readonly (StoredEntity | undefined)[]) =>
      rows.map((row) => row?.properties.name?.[0]).sort();
    const inCase = () => db.entities.where('caseId').equals('c1');
    expect(await db.entities.get(hidden[0]!.id)).toBeUndefined();
    expect(await db.entities.bulkGet([hidden[0]!.id, shown[0]!.id])).toMatchObject([
      undefined,
      { id: shown[0]!.id },
    ]);
    expect(names(await inCase().toArray())).toEqual(['Anna', 'Boris']);
    expect((await inCase().primaryKeys()).sort()).toEqual(shown.map((e) => e.id).sort());
    expect(await inCase().count()).toBe(2);
    expect(await db.entities.count()).toBe(2);
    const seen: string[] = [];
    await inCase().each((row) => {
      seen.push(row.properties.name![0]!);
    });
    expect(seen.sort()).toEqual(['Anna', 'Boris']);
    expect(
      names(
        await inCase()
          .filter(() => true)
          .toArray(),
      ),
    ).toEqual(['Anna', 'Boris']);
    // A page is full though hidden rows come first in key order.
    expect(names(await db.entities.orderBy('id').limit(2).toArray())).toEqual(['Anna', 'Boris']);
    expect(names(await db.entities.orderBy('id').offset(1).toArray())).toEqual(['Boris']);

    db.pendingImports.delete(importId);
    expect(await inCase().count()).toBe(4);
    expect(names(await inCase().toArray())).toEqual(['Anna', 'Boris', 'Cleo', 'Dan']);
  });
});
