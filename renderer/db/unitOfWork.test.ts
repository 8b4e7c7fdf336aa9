import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import type { CaseRecord, EntityRecord } from '../../shared/model/index.ts';
import { TesseraDatabase } from './database.ts';
import { mergeEntitiesInCase, undoMergeInCase } from './mergeRepository.ts';
import { createRepository } from './repository.ts';
import { UndoConflictError } from './repository.types.ts';
import type { CaseRepository } from './repository.types.ts';
import { createUnitOfWork } from './unitOfWork.ts';
import type { UnitOfWork } from './unitOfWork.ts';
import type { CommittedEntities } from './caseStore.ts';
import { dropTestDatabase, openTestRepository, testActor } from './testing/testRepository.ts';

let db: TesseraDatabase;
let work: UnitOfWork;
let repo: CaseRepository;
let counter = 0;

beforeEach(async () => {
  ({ db, work, repo } = await openTestRepository('uow-test'));
});

afterEach(() => dropTestDatabase(db));

async function newCase(): Promise<CaseRecord> {
  return repo.createCase({ reference: 'UOW/1', title: 'Undo', leadInvestigator: 'Insp. Test' });
}

/** Everything stored but the bookkeeping that undo legitimately changes (clocks). */
async function contents(): Promise<unknown> {
  const strip = <T extends { updatedAt: string }>({ updatedAt: _u, ...rest }: T) => rest;
  return {
    cases: (await db.cases.toArray()).map(strip),
    entities: (await db.entities.toArray()).map(strip),
    notes: (await db.notes.toArray()).map(strip),
    charts: (await db.charts.toArray()).map(strip),
  };
}

describe('one undo stack for every writer', () => {
  it('Ctrl+Z after "edit B, merge B into A" reverts the merge, not the edit', async () => {
    const c = await newCase();
    const a = await repo.createEntity(c.id, 'Person', { name: ['Ivan Petrov'] });
    const b = await repo.createEntity(c.id, 'Person', { name: ['Ivan Petroff'] });
    await repo.updateEntity(b.id, {
      properties: { name: ['Ivan Petroff'], birthDate: ['1980-02-03'] },
    });
    await mergeEntitiesInCase(work, a.id, b.id);
    expect(repo.undoState().undoLabel).toBe('Merge Ivan Petroff into Ivan Petrov');

    expect(await repo.undo()).toBe('Merge Ivan Petroff into Ivan Petrov');
    // Before the fix the stack only knew the edit: B came back and A kept both names.
    expect((await repo.getEntity(a.id))?.properties).toEqual({ name: ['Ivan Petrov'] });
    expect((await repo.getEntity(b.id))?.properties).toEqual({
      name: ['Ivan Petroff'],
      birthDate: ['1980-02-03'],
    });
    expect(repo.undoState()).toEqual({
      undoLabel: 'Edit Ivan Petroff',
      redoLabel: 'Merge Ivan Petroff into Ivan Petrov',
    });

    expect(await repo.redo()).toBe('Merge Ivan Petroff into Ivan Petrov');
    expect((await repo.getEntity(a.id))?.properties.name).toEqual(['Ivan Petrov', 'Ivan Petroff']);
    expect(await repo.getEntity(b.id)).toBeUndefined();
  });

  it('a merge undone from the Duplicates panel is itself one undoable change', async () => {
    const c = await newCase();
    const a = await repo.createEntity(c.id, 'Person', { name: ['Ana Pop'] });
    const b = await repo.createEntity(c.id, 'Person', { name: ['Ana Popp'] });
    const { changeId } = await mergeEntitiesInCase(work, a.id, b.id);
    await undoMergeInCase(work, changeId);
    expect(await repo.getEntity(b.id)).toBeDefined();
    expect(repo.undoState().undoLabel).toBe("Undo merge of Person 'Ana Popp'");
    await repo.undo();
    expect(await repo.getEntity(b.id)).toBeUndefined();
    await repo.undo();
    expect(await repo.getEntity(b.id)).toBeDefined();
    expect((await repo.getEntity(a.id))?.properties.name).toEqual(['Ana Pop']);
  });

  it('an import is one undoable change; the demo case at first start is not', async () => {
    const c = await newCase();
    await repo.createEntity(c.id, 'Person', { name: ['Kept'] });
    const photo = await repo.addAttachment(c.id, {
      fileName: 'photo.bin',
      mediaType: 'application/octet-stream',
      content: new Blob([new Uint8Array([1, 2, 3])]),
    });
    const file = await repo.exportCase(c.id);
    await repo.purgeCase(c.id);
    expect(repo.undoState().undoLabel).toBeUndefined();

    await repo.importCase(file);
    expect(repo.undoState().undoLabel).toBe('Import case UOW/1');
    await repo.undo();
    expect(await repo.listCases()).toEqual([]);
    expect(await repo.listEntities(c.id)).toEqual([]);
    expect(await db.attachmentBlobs.count()).toBe(0);
    await repo.redo();
    expect((await repo.listEntities(c.id)).map((e) => e.properties.name)).toEqual([['Kept']]);
    expect((await repo.getAttachmentContent(photo.id)).size).toBe(3);
    // Undo and redo of an import write one summary entry each, as the import did.
    const history = await repo.history(c.id);
    expect(history.map((e) => e.action)).toEqual(['import', 'delete', 'import']);
    expect(history[1]?.summary).toBe('Undo Import case UOW/1: 3 records removed');

    // Undo leaves nothing behind (no tombstones), so the same file can be imported again.
    await repo.undo();
    expect(await db.cases.get(c.id)).toBeUndefined();
    await repo.importCase(file);
    expect((await repo.listEntities(c.id)).map((e) => e.properties.name)).toEqual([['Kept']]);

    await repo.purgeCase(c.id);
    await repo.importCase(file, { undoable: false });
    expect(repo.undoState().undoLabel).toBeUndefined();
  });
});

describe('undo refuses when a record changed since', () => {
  it('names the record, changes nothing and carries the code undo-conflict', async () => {
    const c = await newCase();
    const person = await repo.createEntity(c.id, 'Person', { name: ['Ivan P.'] });
    await repo.updateEntity(person.id, { properties: { name: ['Ivan Petrov'] } });
    // Another window on the same database edits the record: not on this page's stack.
    const other = createRepository(
      createUnitOfWork(db, { actor: testActor, clock: new HybridLogicalClock('other.window') }),
    );
    await other.updateEntity(person.id, { properties: { name: ['Ivan Petrov Jr'] } });
    const before = await contents();
    const audit = await db.audit.count();

    const error = await repo.undo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndoConflictError);
    expect(error).toMatchObject({ code: 'undo-conflict', records: ["Person 'Ivan Petrov Jr'"] });
    expect((error as Error).message).toMatch(
      /^Cannot undo: Person 'Ivan Petrov Jr' was changed after this/,
    );
    expect(await contents()).toEqual(before);
    expect(await db.audit.count()).toBe(audit);
    // The entry can never apply: it leaves the stack, and the one below it conflicts too.
    expect(repo.undoState().undoLabel).toBe('Add Ivan P.');
    await expect(repo.undo()).rejects.toMatchObject({ code: 'undo-conflict' });
    expect(repo.undoState().undoLabel).toBe('Create case UOW/1');
  });

  it('treats a change that cannot be undone as a change since', async () => {
    const c = await newCase();
    const person = await repo.createEntity(c.id, 'Person', { name: ['A'] });
    await repo.updateEntity(person.id, { properties: { name: ['B'] } });
    await work.commit({
      label: 'not undoable',
      undoable: false,
      async write(tx) {
        const current = (await tx.get('entity', person.id)) as EntityRecord;
        await tx.put({ ...current, properties: { name: ['C'] }, updatedAt: work.clock.now() });
      },
    });
    await expect(repo.undo()).rejects.toBeInstanceOf(UndoConflictError);
    expect((await repo.getEntity(person.id))?.properties.name).toEqual(['C']);
  });

  it('never brings back a record removed for good since', async () => {
    const c = await newCase();
    const note = await repo.createNote(c.id, { title: 'Received', body: 'x' });
    await work.commit({
      label: 'retention purge',
      undoable: false,
      async write(tx) {
        await tx.deleteForGood(note);
      },
    });
    await expect(repo.undo()).rejects.toMatchObject({ code: 'undo-conflict' });
    expect(await db.notes.get(note.id)).toBeUndefined();
  });

  it('redo refuses the same way', async () => {
    const c = await newCase();
    const note = await repo.createNote(c.id, { title: 'One', body: 'x' });
    await repo.updateNote(note.id, { title: 'Two' });
    await repo.undo();
    const other = createRepository(
      createUnitOfWork(db, { actor: testActor, clock: new HybridLogicalClock('other.window') }),
    );
    await other.updateNote(note.id, { title: 'Three' });
    const error = await repo.redo().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'undo-conflict', direction: 'redo' });
    expect((error as Error).message).toMatch(/^Cannot redo: note 'Three' was changed after this/);
    expect((await db.notes.get(note.id))?.title).toBe('Three');
    expect(repo.undoState().redoLabel).toBeUndefined();
  });
});

describe('undo and redo as inverses', () => {
  type Step =
    | { op: 'rename'; who: number; name: string }
    | { op: 'delete'; who: number }
    | { op: 'merge'; keep: number; drop: number }
    | { op: 'note'; who: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      op: fc.constant('rename' as const),
      who: fc.nat(3),
      name: fc.constantFrom('Ana', 'Ion', 'Ștefan', 'Иван'),
    }),
    fc.record({ op: fc.constant('delete' as const), who: fc.nat(3) }),
    fc.record({ op: fc.constant('merge' as const), keep: fc.nat(3), drop: fc.nat(3) }),
    fc.record({ op: fc.constant('note' as const), who: fc.nat(3) }),
  );

  it('undoing every change restores the case exactly; redoing them all comes back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        counter += 1;
        const local = new TesseraDatabase(`uow-prop-${counter}`);
        await local.open();
        const w = createUnitOfWork(local, {
          actor: testActor,
          clock: new HybridLogicalClock('prop.node'),
        });
        const r = createRepository(w);
        try {
          const c = await r.createCase({ reference: 'P/1', title: 'P', leadInvestigator: 'L' });
          const people: EntityRecord[] = [];
          for (const name of ['Ana Pop', 'Ana Popp', 'Ion Ionescu', 'Ion Ionesco']) {
            people.push(await r.createEntity(c.id, 'Person', { name: [name] }));
          }
          await r.createEntity(c.id, 'Family', {
            person: [people[0]!.id],
            relative: [people[2]!.id],
          });
          const snapshot = async () => {
            const strip = <T extends { updatedAt: string }>({ updatedAt: _u, ...rest }: T) => rest;
            return {
              entities: (await local.entities.toArray()).map(strip),
              // Undoing a note's creation leaves its tombstone (deletions travel to partners).
              notes: (await local.notes.toArray()).filter((n) => !n.deleted).map(strip),
            };
          };
          const start = await snapshot();
          let applied = 0;
          for (const s of steps) {
            const live = async (i: number) => r.getEntity(people[i]!.id);
            try {
              if (s.op === 'rename' && (await live(s.who))) {
                await r.updateEntity(people[s.who]!.id, { properties: { name: [s.name] } });
              } else if (s.op === 'delete' && (await live(s.who))) {
                await r.deleteEntity(people[s.who]!.id);
              } else if (
                s.op === 'merge' &&
                s.keep !== s.drop &&
                (await live(s.keep)) &&
                (await live(s.drop))
              ) {
                await mergeEntitiesInCase(w, people[s.keep]!.id, people[s.drop]!.id);
              } else if (s.op === 'note' && (await live(s.who))) {
                await r.createNote(c.id, { title: 'n', body: 'b', entityId: people[s.who]!.id });
              } else continue;
              applied += 1;
            } catch {
              // A step the model refuses (e.g. an invalid merge) writes nothing and is skipped.
            }
          }
          const end = await snapshot();
          for (let i = 0; i < applied; i += 1) await r.undo();
          expect(await snapshot()).toEqual(start);
          for (let i = 0; i < applied; i += 1) await r.redo();
          expect(await snapshot()).toEqual(end);
        } finally {
          local.close();
          await local.delete();
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('committed changes are published (the case stores apply them)', () => {
  it('names the entity records stored, those removed for good and cases purged', async () => {
    const heard: CommittedEntities[] = [];
    const stop = work.subscribeCommitted((change) => heard.push(change));
    const c = await newCase();
    const a = await repo.createEntity(c.id, 'Person', { name: ['Ivan Petrov'] });
    expect(heard.at(-1)!.entities.map((record) => record.id)).toEqual([a.id]);

    await work.commit({
      label: 'Purge',
      undoable: false,
      write: async (tx) => tx.deleteForGood((await tx.get('entity', a.id))!),
    });
    expect(heard.at(-1)).toEqual({
      entities: [],
      removed: [{ id: a.id, caseId: c.id }],
      reloadCases: [],
    });

    await repo.purgeCase(c.id);
    expect(heard.at(-1)!.reloadCases).toEqual([c.id]);

    // A change that failed publishes nothing.
    const count = heard.length;
    await expect(repo.createEntity(c.id, 'Person', { name: ['Gone'] })).rejects.toThrow();
    expect(heard).toHaveLength(count);
    stop();
  });

  it('a failing listener does not fail the change it hears', async () => {
    const stop = work.subscribeCommitted(() => {
      throw new Error('listener broke');
    });
    const c = await newCase();
    const seen = new Promise<unknown>((resolve) => {
      const onError = (error: unknown) => {
        process.off('uncaughtException', onError);
        resolve(error);
      };
      process.on('uncaughtException', onError);
    });
    const a = await repo.createEntity(c.id, 'Person', { name: ['Still stored'] });
    expect(await repo.getEntity(a.id)).toEqual(a);
    expect(await seen).toMatchObject({ message: 'listener broke' });
    stop();
  });
});
