import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setPropertyBulk } from './bulkEdit.ts';
import type { TesseraDatabase } from './database.ts';
import { setMarkingsBulk } from './exchangeApply.ts';
import { RecordValidationError } from './repository.types.ts';
import type { CaseRepository } from './repository.types.ts';
import type { UnitOfWork } from './unitOfWork.ts';
import { dropTestDatabase, openTestRepository, testActor } from './testing/testRepository.ts';

let db: TesseraDatabase;
let work: UnitOfWork;
let repo: CaseRepository;

beforeEach(async () => {
  ({ db, work, repo } = await openTestRepository('bulk-edit-test'));
});

afterEach(() => dropTestDatabase(db));

async function threePeopleAndAPhone() {
  const c = await repo.createCase({ reference: 'B/1', title: 'Bulk', leadInvestigator: 'Test' });
  const people = [];
  for (const name of ['Ana Pop', 'Ion Rusu', 'Dan Luca']) {
    people.push(await repo.createEntity(c.id, 'Person', { name: [name], nationality: ['ro'] }));
  }
  const phone = await repo.createEntity(c.id, 'Phone', { number: ['+40 721 000 111'] });
  return { c, people, phone };
}

describe('bulk edit', () => {
  it('sets a property on every selected entity as one change that one undo reverts', async () => {
    const { people, phone } = await threePeopleAndAPhone();
    const auditBefore = await db.audit.count();
    const result = await setPropertyBulk(work, [...people.map((p) => p.id), phone.id], {
      property: 'nationality',
      values: ['md'],
      mode: 'add',
    });
    expect(result.updated).toEqual(people.map((p) => p.id));
    // A phone has no nationality: skipped, not failed.
    expect(result.skipped).toEqual([phone.id]);
    for (const person of people) {
      expect((await repo.getEntity(person.id))?.properties.nationality).toEqual(['ro', 'md']);
    }
    const entries = await db.audit.where('changeId').notEqual('').toArray();
    const bulkEntries = entries.slice(auditBefore);
    expect(new Set(bulkEntries.map((e) => e.changeId)).size).toBe(1);
    expect(bulkEntries).toHaveLength(3);
    expect(repo.undoState().undoLabel).toBe('Set nationality of 3 entities');

    await repo.undo();
    for (const person of people) {
      expect((await repo.getEntity(person.id))?.properties.nationality).toEqual(['ro']);
    }
    // The entity created before the bulk edit is still there: one undo reverted exactly one change.
    expect(repo.undoState().undoLabel).toBe('Add +40 721 000 111');
  });

  it('writes nothing when a value is refused by the property type', async () => {
    const { people } = await threePeopleAndAPhone();
    const error = await setPropertyBulk(
      work,
      people.map((p) => p.id),
      {
        property: 'nationality',
        values: ['not a country'],
        mode: 'set',
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordValidationError);
    expect((error as RecordValidationError).code).toBe('invalid-record');
    for (const person of people) {
      expect((await repo.getEntity(person.id))?.properties.nationality).toEqual(['ro']);
    }
  });

  it('bulk marking of the selection is one undo entry too', async () => {
    const { people } = await threePeopleAndAPhone();
    const deps = { work, db, clock: work.clock, actor: testActor };
    const result = await setMarkingsBulk(
      deps,
      people.map((p) => p.id),
      {
        classification: 'RESTRICTED',
        tlp: 'AMBER',
        handlingCode: 'H3',
      },
    );
    expect(result.updated).toHaveLength(3);
    expect((await repo.getEntity(people[0]!.id))?.markings).toMatchObject({
      classification: 'RESTRICTED',
      tlp: 'AMBER',
      handlingCode: 'H3',
    });
    await repo.undo();
    for (const person of people) {
      expect((await repo.getEntity(person.id))?.markings.classification).toBe('UNCLASSIFIED');
    }
  });
});
