import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../shared/model/index.ts';
import type { TesseraDatabase } from './database.ts';
import { listMerges, mergeEntitiesInCase, undoMergeInCase } from './mergeRepository.ts';
import type { CaseRepository } from './repository.types.ts';
import type { UnitOfWork } from './unitOfWork.ts';
import { dropTestDatabase, openTestRepository } from './testing/testRepository.ts';

let db: TesseraDatabase;
let repo: CaseRepository;
let work: UnitOfWork;

beforeEach(async () => {
  ({ db, work, repo } = await openTestRepository('merge-test'));
});

afterEach(() => dropTestDatabase(db));

async function newCase(): Promise<CaseRecord> {
  return repo.createCase({ reference: 'TST/1', title: 'Merge', leadInvestigator: 'Insp. Test' });
}

async function fixture() {
  const c = await newCase();
  const keep = await repo.createEntity(c.id, 'Person', {
    name: ['Ivan Petrov'],
    phone: ['+359 88 123 4567'],
  });
  const drop = await repo.createEntity(c.id, 'Person', {
    name: ['Ivan Petroff'],
    birthDate: ['1980-02-03'],
    phone: ['+359881234567'],
  });
  const company = await repo.createEntity(c.id, 'Company', { name: ['Acme Ltd'] });
  const directorship = await repo.createEntity(c.id, 'Directorship', {
    director: [drop.id],
    organization: [company.id],
  });
  const family = await repo.createEntity(c.id, 'Family', {
    person: [keep.id],
    relative: [drop.id],
  });
  const note = await repo.createNote(c.id, {
    title: 'Seen',
    body: 'at the port',
    entityId: drop.id,
  });
  const notice = await repo.createNotice(c.id, {
    noticeType: 'red',
    reference: 'RN-1',
    issuingAgency: 'Interpol',
    status: 'issued',
    summary: 'wanted',
    subjectId: drop.id,
  });
  const attachment = await repo.addAttachment(c.id, {
    fileName: 'a.txt',
    mediaType: 'text/plain',
    content: new Blob(['hello']),
    entityId: drop.id,
  });
  const chart = await repo.createChart(c.id, 'Main', {
    [drop.id]: { x: 10, y: 20 },
    [company.id]: { x: 0, y: 0 },
  });
  return { c, keep, drop, company, directorship, family, note, notice, attachment, chart };
}

describe('mergeEntitiesInCase', () => {
  it('merges properties, tombstones the dropped entity and re-points everything to the kept one', async () => {
    const f = await fixture();
    const auditBefore = await db.audit.count();
    const outcome = await mergeEntitiesInCase(work, f.keep.id, f.drop.id);
    expect(outcome.repointed).toBe(6);

    const kept = await repo.getEntity(f.keep.id);
    expect(kept?.properties.name).toEqual(['Ivan Petrov', 'Ivan Petroff']);
    expect(kept?.properties.birthDate).toEqual(['1980-02-03']);
    expect(kept?.properties.phone).toEqual(['+359 88 123 4567', '+359881234567']);
    expect(await repo.getEntity(f.drop.id)).toBeUndefined();
    expect((await repo.getEntity(f.directorship.id))?.properties.director).toEqual([f.keep.id]);
    // The family link would join the person to itself: removed.
    expect(await repo.getEntity(f.family.id)).toBeUndefined();
    expect((await db.notes.get(f.note.id))?.entityId).toBe(f.keep.id);
    expect((await db.notices.get(f.notice.id))?.subjectId).toBe(f.keep.id);
    expect((await db.attachments.get(f.attachment.id))?.entityId).toBe(f.keep.id);
    expect((await repo.getChart(f.chart.id))?.nodes).toEqual({
      [f.keep.id]: { x: 10, y: 20 },
      [f.company.id]: { x: 0, y: 0 },
    });

    // One change id; the merge entries hold both before-versions.
    const entries = await db.audit.where('changeId').equals(outcome.changeId).toArray();
    expect(await db.audit.count()).toBe(auditBefore + entries.length);
    expect(entries).toHaveLength(8);
    const merges = entries.filter((e) => e.action === 'merge');
    expect(merges.map((e) => e.before?.id).sort()).toEqual([f.keep.id, f.drop.id].sort());
    expect(merges.find((e) => e.recordId === f.keep.id)?.summary).toContain(f.drop.id);

    const listed = await listMerges(db, f.c.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      changeId: outcome.changeId,
      keptId: f.keep.id,
      droppedId: f.drop.id,
      droppedCaption: 'Ivan Petroff',
      undoable: true,
    });
  });

  it('undoes a merge exactly, in one step', async () => {
    const f = await fixture();
    const snapshot = async () => ({
      entities: (await repo.listEntities(f.c.id))
        .map(({ id, schema, properties }) => ({ id, schema, properties }))
        .sort((a, b) => a.id.localeCompare(b.id)),
      note: (await db.notes.get(f.note.id))?.entityId,
      notice: (await db.notices.get(f.notice.id))?.subjectId,
      attachment: (await db.attachments.get(f.attachment.id))?.entityId,
      chart: (await repo.getChart(f.chart.id))?.nodes,
    });
    const original = await snapshot();
    const { changeId } = await mergeEntitiesInCase(work, f.keep.id, f.drop.id);
    expect(await snapshot()).not.toEqual(original);
    await undoMergeInCase(work, changeId);
    expect(await snapshot()).toEqual(original);
    expect((await listMerges(db, f.c.id))[0]?.undoable).toBe(false);
    await expect(undoMergeInCase(work, changeId)).rejects.toMatchObject({ code: 'undo-conflict' });
  });

  it('puts a chart node back even when the chart moved after the merge', async () => {
    const f = await fixture();
    const { changeId } = await mergeEntitiesInCase(work, f.keep.id, f.drop.id);
    await repo.updateChart(f.chart.id, {
      nodes: { [f.keep.id]: { x: 99, y: 99 }, [f.company.id]: { x: 5, y: 5 } },
    });
    await undoMergeInCase(work, changeId);
    expect((await repo.getChart(f.chart.id))?.nodes).toEqual({
      [f.drop.id]: { x: 10, y: 20 },
      [f.company.id]: { x: 5, y: 5 },
    });
  });

  it('refuses to undo over a later edit of the kept entity, writing nothing', async () => {
    const f = await fixture();
    const { changeId } = await mergeEntitiesInCase(work, f.keep.id, f.drop.id);
    await repo.updateEntity(f.keep.id, { properties: { name: ['Ivan Petrov Jr'] } });
    const audit = await db.audit.count();
    await expect(undoMergeInCase(work, changeId)).rejects.toMatchObject({ code: 'undo-conflict' });
    expect(await db.audit.count()).toBe(audit);
    expect(await repo.getEntity(f.drop.id)).toBeUndefined();
  });

  it('rejects incompatible or missing entities without writing', async () => {
    const f = await fixture();
    const audit = await db.audit.count();
    await expect(mergeEntitiesInCase(work, f.keep.id, f.company.id)).rejects.toThrow(
      /cannot merge/,
    );
    await expect(mergeEntitiesInCase(work, f.keep.id, 'nope')).rejects.toThrow(/not exist/);
    await expect(mergeEntitiesInCase(work, f.keep.id, f.keep.id)).rejects.toThrow(/itself/);
    expect(await db.audit.count()).toBe(audit);
  });
});
