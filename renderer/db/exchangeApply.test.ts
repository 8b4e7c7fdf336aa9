import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import type { AnyRecord, EntityRecord } from '../../shared/model/index.ts';
import { TesseraDatabase } from './database.ts';
import {
  applyAccepted,
  buildReview,
  markSynced,
  outgoingOperations,
  patchMarkings,
  purgeExpired,
  requiredClosure,
  setMarkingsBulk,
} from './exchangeApply.ts';
import type { ExchangeDeps } from './exchangeApply.ts';
import { createRepository } from './repository.ts';
import { RecordValidationError } from './repository.types.ts';
import type { CaseRepository } from './repository.types.ts';
import { createUnitOfWork } from './unitOfWork.ts';

interface Agency {
  readonly id: string;
  readonly db: TesseraDatabase;
  readonly repo: CaseRepository;
  readonly deps: ExchangeDeps;
}

let counter = 0;
/**
 * Both agencies' clocks read one injected wall clock that moves on at every reading, so a write
 * made after another (in this test's order) always carries the later time, without sleeping.
 */
let wallMs = Date.UTC(2026, 0, 1);
const physicalNow = (): number => (wallMs += 1);
const open: TesseraDatabase[] = [];

async function agency(id: string): Promise<Agency> {
  counter += 1;
  const db = new TesseraDatabase(`exchange-test-${id}-${counter}`);
  await db.open();
  open.push(db);
  const actor = () => ({ userName: `officer ${id}`, agencyId: id });
  const clock = new HybridLogicalClock(`${id}.repo`, physicalNow);
  const work = createUnitOfWork(db, { actor, clock });
  const repo = createRepository(work);
  const deps: ExchangeDeps = { db, clock, actor, work, localNodes: [`${id}.repo`] };
  return { id, db, repo, deps };
}

afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await db.delete();
  }
});

async function allRecords(a: Agency, caseId: string): Promise<AnyRecord[]> {
  const file = await a.repo.exportCase(caseId);
  return [file.case, ...file.entities, ...file.notes, ...file.notices, ...file.charts];
}

/** Sends everything of the case changed since the last exchange from `from` to `to`. */
async function send(from: Agency, to: Agency, caseId: string, since: string | null = null) {
  const ops = await outgoingOperations(from.deps, caseId, await allRecords(from, caseId), since);
  await markSynced(from.db, caseId, to.id, from.deps.clock.now());
  return buildReview(to.deps, { caseId, sender: from.id, operations: ops });
}

let A: Agency;
let B: Agency;
let caseId: string;
let ivan: EntityRecord;
let firm: EntityRecord;
let link: EntityRecord;

beforeEach(async () => {
  A = await agency('AGA');
  B = await agency('AGB');
  const record = await A.repo.createCase({
    reference: 'A/1',
    title: 'Shared case',
    leadInvestigator: 'Lead A',
  });
  caseId = record.id;
  ivan = await A.repo.createEntity(caseId, 'Person', { name: ['Ivan Petrov'] });
  firm = await A.repo.createEntity(caseId, 'Company', { name: ['Danube Freight'] });
  link = await A.repo.createEntity(caseId, 'Directorship', {
    director: [ivan.id],
    organization: [firm.id],
  });
});

describe('bulk marking', () => {
  it('patches markings field by field', () => {
    const m = patchMarkings(
      {
        classification: 'UNCLASSIFIED',
        tlp: 'AMBER',
        releasableTo: ['X'],
        referToOriginator: false,
      },
      { tlp: 'RED', releasableTo: { mode: 'add', partners: ['Y', 'X'] }, handlingCode: 'H2' },
    );
    expect(m).toEqual({
      classification: 'UNCLASSIFIED',
      tlp: 'RED',
      releasableTo: ['X', 'Y'],
      referToOriginator: false,
      handlingCode: 'H2',
    });
  });

  it('marks several records in one change and never lowers foreign material', async () => {
    const review = await send(A, B, caseId);
    await applyAccepted(B.deps, review, { acceptedIds: new Set(review.items.map((i) => i.id)) });
    const own = await B.repo.createEntity(caseId, 'Person', { name: ['Local person'] });
    const result = await setMarkingsBulk(B.deps, [ivan.id, own.id], {
      releasableTo: { mode: 'add', partners: ['AGC'] },
      classification: 'RESTRICTED',
    });
    expect(result.updated).toEqual([own.id]);
    expect(result.refused.map((r) => r.id)).toEqual([ivan.id]);
    expect(result.refused[0]?.reasons[0]).toMatch(/widened/);
    expect((await B.repo.getEntity(own.id))?.markings.releasableTo).toEqual(['AGC']);
    // Raising foreign markings is allowed.
    const raised = await setMarkingsBulk(B.deps, [ivan.id], { tlp: 'RED' });
    expect(raised.updated).toEqual([ivan.id]);
    const history = await B.repo.history(own.id);
    expect(history.at(-1)?.summary).toMatch(/bulk marking/);
    await expect(setMarkingsBulk(B.deps, [own.id], { classification: 'NOPE' })).rejects.toThrow(
      RecordValidationError,
    );
  });
});

describe('import review and apply', () => {
  it('lists new items, applies the accepted ones in one transaction and keeps the originator', async () => {
    const review = await send(A, B, caseId);
    expect(review.items.map((i) => i.status)).toEqual(['new', 'new', 'new', 'new']);
    expect(requiredClosure(review, link.id).sort()).toEqual([caseId, firm.id, ivan.id].sort());
    // A relationship without its end is refused, and nothing is written.
    await expect(
      applyAccepted(B.deps, review, { acceptedIds: new Set([caseId, ivan.id, link.id]) }),
    ).rejects.toThrow(/needs/);
    expect(await B.db.entities.count()).toBe(0);
    await applyAccepted(B.deps, review, { acceptedIds: new Set([caseId, ivan.id]) });
    const stored = await B.repo.getEntity(ivan.id);
    expect(stored?.originAgency).toBe('AGA');
    expect(await B.repo.getEntity(firm.id)).toBeUndefined();
    const history = await B.repo.history(ivan.id);
    expect(history.map((h) => h.action)).toEqual(['import']);
  });

  it('shows field-level changes, reports a concurrent conflict and lets either side win', async () => {
    const first = await send(A, B, caseId);
    await applyAccepted(B.deps, first, { acceptedIds: new Set(first.items.map((i) => i.id)) });
    await markSynced(B.db, caseId, 'AGA', B.deps.clock.now());
    // B edits the firm's name; A and B both edit Ivan's name.
    await B.repo.updateEntity(firm.id, { properties: { name: ['Danube Freight SRL'] } });
    await A.repo.updateEntity(ivan.id, { properties: { name: ['Ivan A. Petrov'] } });
    await B.repo.updateEntity(ivan.id, { properties: { name: ['Ivan B. Petrov'] } });
    const reply = await send(B, A, caseId);
    const byId = new Map(reply.items.map((i) => [i.id, i]));
    expect(byId.get(firm.id)?.status).toBe('changed');
    expect(byId.get(firm.id)?.changes).toEqual([
      { field: 'properties.name', before: ['Danube Freight'], after: ['Danube Freight SRL'] },
    ]);
    const conflict = byId.get(ivan.id);
    expect(conflict?.status).toBe('conflict');
    expect(conflict?.conflicts[0]).toMatchObject({
      field: 'properties.name',
      local: ['Ivan A. Petrov'],
      remote: ['Ivan B. Petrov'],
      winner: 'remote',
    });
    // A keeps its own value: a fresh edit that will win at B as well.
    await applyAccepted(A.deps, reply, { acceptedIds: new Set([firm.id]) });
    expect((await A.repo.getEntity(ivan.id))?.properties.name).toEqual(['Ivan A. Petrov']);
    expect((await A.repo.getEntity(firm.id))?.properties.name).toEqual(['Danube Freight SRL']);
    const back = await send(A, B, caseId);
    const ivanBack = back.items.find((i) => i.id === ivan.id);
    expect(ivanBack?.incoming.kind === 'entity' && ivanBack.incoming.properties.name).toEqual([
      'Ivan A. Petrov',
    ]);
  });

  it('turns changes to originator fields into proposals and replays into nothing', async () => {
    const first = await send(A, B, caseId);
    await applyAccepted(B.deps, first, { acceptedIds: new Set(first.items.map((i) => i.id)) });
    await B.repo.updateEntity(ivan.id, { grading: { source: 'A', information: '1' } });
    const reply = await send(B, A, caseId);
    expect(reply.proposals).toHaveLength(1);
    expect(reply.proposals[0]).toMatchObject({
      recordId: ivan.id,
      field: 'grading',
      acceptable: true,
    });
    await applyAccepted(A.deps, reply, {
      acceptedIds: new Set(),
      acceptedProposals: new Set([reply.proposals[0]!.key]),
    });
    expect((await A.repo.getEntity(ivan.id))?.grading).toEqual({ source: 'A', information: '1' });
    // The same bundle again changes nothing.
    const again = await buildReview(B.deps, {
      caseId,
      sender: 'AGA',
      operations: await outgoingOperations(A.deps, caseId, await allRecords(A, caseId), null),
    });
    expect(again.items.filter((i) => i.id !== ivan.id)).toEqual([]);
  });

  it('refuses to apply when the case changed since the review was opened', async () => {
    const first = await send(A, B, caseId);
    await applyAccepted(B.deps, first, { acceptedIds: new Set(first.items.map((i) => i.id)) });
    await A.repo.updateEntity(firm.id, { properties: { name: ['Renamed'] } });
    const reply = await send(A, B, caseId);
    await B.repo.updateEntity(firm.id, { properties: { name: ['Local rename'] } });
    await expect(applyAccepted(B.deps, reply, { acceptedIds: new Set([firm.id]) })).rejects.toThrow(
      /changed here/,
    );
  });
});

describe('undo and sync state', () => {
  it('an accepted review and a bulk marking are each one undoable change', async () => {
    const review = await send(A, B, caseId);
    await B.repo.createCase({ reference: 'B/0', title: 'Before', leadInvestigator: 'Lead B' });
    await applyAccepted(B.deps, review, { acceptedIds: new Set(review.items.map((i) => i.id)) });
    expect(B.repo.undoState().undoLabel).toBe('Accept 4 changes from AGA');
    await setMarkingsBulk(B.deps, [ivan.id], { tlp: 'RED' });
    expect(B.repo.undoState().undoLabel).toBe('Set markings of 1 record');

    await B.repo.undo();
    expect((await B.repo.getEntity(ivan.id))?.markings.tlp).not.toBe('RED');
    expect(await B.repo.undo()).toBe('Accept 4 changes from AGA');
    expect(await B.repo.listEntities(caseId)).toEqual([]);
    expect(await B.repo.getCase(caseId)).toBeUndefined();
    expect(B.repo.undoState().undoLabel).toBe('Create case B/0');
    await B.repo.redo();
    expect((await B.repo.listEntities(caseId)).map((e) => e.id).sort()).toEqual(
      [ivan.id, firm.id, link.id].sort(),
    );
  });

  it('keeps sync state in typed tables and removes it with its case', async () => {
    const review = await send(A, B, caseId);
    await applyAccepted(B.deps, review, {
      acceptedIds: new Set(review.items.map((i) => i.id)),
      retainUntil: '2030-01-01',
    });
    expect(await B.db.syncClocks.where('caseId').equals(caseId).count()).toBe(4);
    expect(await B.db.syncReceived.where('caseId').equals(caseId).count()).toBe(4);
    expect(await B.db.syncPartners.where('caseId').equals(caseId).count()).toBe(1);
    expect(await B.db.syncPending.where('caseId').equals(caseId).count()).toBe(1);
    expect(await B.db.meta.count()).toBe(0);
    await B.repo.purgeCase(caseId);
    for (const table of [B.db.syncClocks, B.db.syncReceived, B.db.syncPartners, B.db.syncPending]) {
      expect(await table.count()).toBe(0);
    }
    expect(B.repo.undoState().undoLabel).toBeUndefined();
  });
});

describe('retention', () => {
  it('purges received material past its retention, with an audit entry and no copies left', async () => {
    const review = await send(A, B, caseId);
    await applyAccepted(B.deps, review, {
      acceptedIds: new Set(review.items.map((i) => i.id)),
      retainUntil: '2030-01-01',
    });
    const own = await B.repo.createEntity(caseId, 'Person', { name: ['B own'] });
    expect((await purgeExpired(B.deps, new Date('2029-12-31T12:00:00Z'))).purged).toEqual([]);
    const result = await purgeExpired(B.deps, new Date('2030-01-02T00:00:00Z'));
    expect(result.purged.map((p) => p.id).sort()).toEqual([firm.id, ivan.id, link.id].sort());
    expect(await B.repo.getEntity(ivan.id)).toBeUndefined();
    expect(await B.repo.getEntity(own.id)).toBeDefined();
    expect(await B.repo.getCase(caseId)).toBeDefined();
    const trail = await B.repo.history(ivan.id);
    expect(trail).toHaveLength(1);
    expect(trail[0]?.summary).toMatch(
      /purged entity .* received from AGA: retention ended 2030-01-01/,
    );
    expect(trail[0]?.before ?? trail[0]?.after).toBeUndefined();
    expect(await B.db.syncReceived.get(ivan.id)).toBeUndefined();
    expect(await B.db.syncClocks.get(ivan.id)).toBeUndefined();
    // The law's limit is not undoable: Ctrl+Z reaches B's own change, and the purged stay gone.
    expect(B.repo.undoState().undoLabel).toBe('Add B own');
  });
});
