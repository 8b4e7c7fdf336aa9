import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../shared/model/index.ts';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import type { TesseraDatabase } from './database.ts';
import { STORAGE_FULL_MESSAGE } from './records.ts';
import {
  DuplicateAttachmentError,
  RecordValidationError,
  StorageFullError,
} from './repository.types.ts';
import type { CaseRepository } from './repository.types.ts';
import { dropTestDatabase, openTestRepository } from './testing/testRepository.ts';

let db: TesseraDatabase;
let repo: CaseRepository;

beforeEach(async () => {
  ({ db, repo } = await openTestRepository('repo-test'));
});

afterEach(() => dropTestDatabase(db));

async function newCase(): Promise<CaseRecord> {
  return repo.createCase({
    reference: 'TST/2024/1',
    title: 'Test case',
    leadInvestigator: 'Insp. Test',
    jurisdictions: ['RO', 'at'],
  });
}

async function count(): Promise<number> {
  const counts = await Promise.all([
    db.cases.count(),
    db.entities.count(),
    db.notes.count(),
    db.attachments.count(),
    db.attachmentBlobs.count(),
    db.notices.count(),
    db.charts.count(),
    db.audit.count(),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

describe('repository writes', () => {
  it('creates, updates and tombstones an entity with audit before/after', async () => {
    const c = await newCase();
    expect(c.jurisdictions).toEqual(['ro', 'at']);
    const person = await repo.createEntity(c.id, 'Person', { name: [' Ivan P. '] });
    expect(person.properties).toEqual({ name: ['Ivan P.'] });
    expect(person.provenance.source).toBe('Recorded in Tessera');
    expect(person.grading).toEqual({ source: 'F', information: '6' });
    expect(person.markings.tlp).toBe('AMBER');

    const updated = await repo.updateEntity(person.id, {
      properties: { name: ['Ivan Petrov'] },
      grading: { source: 'B', information: '2' },
    });
    expect(updated.updatedAt > person.updatedAt).toBe(true);

    await repo.deleteEntity(person.id);
    expect(await repo.getEntity(person.id)).toBeUndefined();
    expect(await repo.listEntities(c.id)).toEqual([]);
    expect((await db.entities.get(person.id))?.deleted).toBe(true);

    const history = await repo.history(person.id);
    expect(history.map((entry) => entry.action)).toEqual(['create', 'update', 'delete']);
    expect(history[1].summary).toContain("name: 'Ivan P.' → 'Ivan Petrov'");
    expect(history[1].summary).toContain('grading: F6 → B2');
    expect(history[1].before).toMatchObject({ properties: { name: ['Ivan P.'] } });
    expect(history[1].after).toMatchObject({ properties: { name: ['Ivan Petrov'] } });
    expect(history[1].after).not.toHaveProperty('searchText');
    expect(history[1].actor).toBe('Insp. Test');
  });

  it('saves nothing when validation fails', async () => {
    const c = await newCase();
    const before = await count();
    await expect(
      repo.createEntity(c.id, 'Person', { birthDate: ['2024-02-30'] }),
    ).rejects.toBeInstanceOf(RecordValidationError);
    await expect(repo.createEntity(c.id, 'Nope', { name: ['x'] })).rejects.toThrow(
      /unknown entity type/,
    );
    await expect(
      repo.createEntity(c.id, 'Ownership', { owner: ['missing-1'], asset: ['missing-2'] }),
    ).rejects.toThrow(/not in this case/);
    await expect(
      repo.updateCase(c.id, { closedOn: '2001-01-01', status: 'closed' }),
    ).rejects.toThrow(/before opened on/);
    await expect(
      repo.createNotice(c.id, {
        noticeType: 'red',
        reference: 'A-1/2024',
        issuingAgency: 'Interpol',
        status: 'issued',
        summary: '',
        issuedOn: '2024-13-01',
      }),
    ).rejects.toBeInstanceOf(RecordValidationError);
    await expect(
      repo.createCase({ reference: '', title: 'x', leadInvestigator: 'y' }),
    ).rejects.toThrow(/Reference is required/);
    expect(await count()).toBe(before);
    expect(repo.undoState().undoLabel).toBe('Create case TST/2024/1');
  });

  it('refuses a 2 MB note and a 20,000-character title with their size and the limit', async () => {
    const c = await newCase();
    const note = await repo
      .createNote(c.id, { title: 'Big', body: 'a'.repeat(2_000_000) })
      .catch((error: unknown) => error);
    expect(note).toBeInstanceOf(RecordValidationError);
    expect((note as RecordValidationError).errors.body).toBe('Note is 2.0 MB; the limit is 1 MB');
    const renamed = await repo
      .updateCase(c.id, { title: 'x'.repeat(20_000) })
      .catch((error: unknown) => error);
    expect((renamed as RecordValidationError).errors.title).toBe(
      'Title is 20,000 characters; the limit is 1,024',
    );
    expect(await repo.listNotes(c.id)).toEqual([]);
  });

  it('tombstones the relationships of a deleted entity in the same change', async () => {
    const c = await newCase();
    const a = await repo.createEntity(c.id, 'Person', { name: ['A'] });
    const b = await repo.createEntity(c.id, 'Person', { name: ['B'] });
    const d = await repo.createEntity(c.id, 'Person', { name: ['D'] });
    const ab = await repo.createEntity(c.id, 'Associate', { person: [a.id], associate: [b.id] });
    const bd = await repo.createEntity(c.id, 'Family', { person: [b.id], relative: [d.id] });
    const ad = await repo.createEntity(c.id, 'Associate', { person: [a.id], associate: [d.id] });
    await repo.deleteEntity(b.id);
    const live = (await repo.listEntities(c.id)).map((e) => e.id).sort();
    expect(live).toEqual([a.id, d.id, ad.id].sort());
    const entries = await db.audit.where('recordId').anyOf([b.id, ab.id, bd.id]).toArray();
    const deletes = entries.filter((e) => e.action === 'delete');
    expect(deletes).toHaveLength(3);
    expect(new Set(deletes.map((e) => e.changeId)).size).toBe(1);
    // One undo brings all three back.
    expect(await repo.undo()).toBe('Delete B');
    expect((await repo.listEntities(c.id)).length).toBe(6);
  });

  it('undoes and redoes changes', async () => {
    const c = await newCase();
    const states: (string | undefined)[] = [];
    const unsubscribe = repo.subscribeUndo((state) => states.push(state.undoLabel));
    const person = await repo.createEntity(c.id, 'Person', { name: ['Ivan P.'] });
    await repo.updateEntity(person.id, { properties: { name: ['Ivan Petrov'] } });
    expect(repo.undoState().undoLabel).toBe('Edit Ivan Petrov');

    expect(await repo.undo()).toBe('Edit Ivan Petrov');
    expect((await repo.getEntity(person.id))?.properties.name).toEqual(['Ivan P.']);
    expect(repo.undoState()).toEqual({ undoLabel: 'Add Ivan P.', redoLabel: 'Edit Ivan Petrov' });

    expect(await repo.undo()).toBe('Add Ivan P.');
    expect(await repo.getEntity(person.id)).toBeUndefined();

    expect(await repo.redo()).toBe('Add Ivan P.');
    expect(await repo.redo()).toBe('Edit Ivan Petrov');
    expect((await repo.getEntity(person.id))?.properties.name).toEqual(['Ivan Petrov']);
    expect(await repo.redo()).toBeUndefined();

    await repo.undo();
    await repo.createNote(c.id, { title: 'New', body: 'x' });
    expect(repo.undoState().redoLabel).toBeUndefined();
    unsubscribe();
    expect(states.length).toBeGreaterThan(5);

    const history = await repo.history(person.id);
    expect(history.filter((e) => e.action === 'restore').map((e) => e.summary)).toEqual([
      "Undo Edit Ivan Petrov: name: 'Ivan Petrov' → 'Ivan P.'",
      "Undo Add Ivan P.: deleted Person 'Ivan P.'",
      "Redo Add Ivan P.: restored Person 'Ivan P.'",
      "Redo Edit Ivan Petrov: name: 'Ivan P.' → 'Ivan Petrov'",
      "Undo Edit Ivan Petrov: name: 'Ivan Petrov' → 'Ivan P.'",
    ]);
  });

  it('hashes attachments and detects tampering', async () => {
    const c = await newCase();
    const attachment = await repo.addAttachment(c.id, {
      fileName: 'log.txt',
      mediaType: 'text/plain',
      content: new Blob(['surveillance log']),
    });
    expect(attachment.sha256).toBe(createHash('sha256').update('surveillance log').digest('hex'));
    expect(attachment.size).toBe(16);
    const content = await repo.getAttachmentContent(attachment.id);
    expect(await content.text()).toBe('surveillance log');

    await db.attachmentBlobs.put({ id: attachment.id, content: new Blob(['surveillance lag']) });
    await expect(repo.getAttachmentContent(attachment.id)).rejects.toThrow(/has been altered/);
  });

  it('refuses the same file attached twice to the same target, by SHA-256', async () => {
    const c = await newCase();
    const file = { fileName: 'call-log.csv', mediaType: 'text/csv', content: new Blob(['a,b']) };
    const first = await repo.addAttachment(c.id, file);
    const again = await repo
      .addAttachment(c.id, { ...file, fileName: 'renamed copy.csv' })
      .catch((error: unknown) => error);
    expect(again).toBeInstanceOf(DuplicateAttachmentError);
    expect((again as DuplicateAttachmentError).code).toBe('duplicate-attachment');
    expect((again as DuplicateAttachmentError).existing.id).toBe(first.id);
    expect(await repo.listAttachments(c.id)).toHaveLength(1);

    // Different content, or the person's explicit choice, still attach.
    await repo.addAttachment(c.id, { ...file, content: new Blob(['a,c']) });
    await repo.addAttachment(c.id, { ...file, allowDuplicate: true });
    expect(await repo.listAttachments(c.id)).toHaveLength(3);
  });

  it('maps a quota error to StorageFullError and writes nothing', async () => {
    const c = await newCase();
    const person = await repo.createEntity(c.id, 'Person', { name: ['A'] });
    await repo.createEntity(c.id, 'Associate', { person: [person.id], associate: [person.id] });
    const before = await count();
    const original = db.audit.bulkAdd.bind(db.audit);
    db.audit.bulkAdd = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const error = await repo.deleteEntity(person.id).catch((e: unknown) => e);
    db.audit.bulkAdd = original;
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as Error).message).toBe(STORAGE_FULL_MESSAGE);
    expect(await count()).toBe(before);
    expect((await repo.listEntities(c.id)).length).toBe(2);
    expect(repo.undoState().undoLabel).toBe('Add Associate');
  });
});

describe('whole cases', () => {
  async function populated(): Promise<string> {
    const c = await newCase();
    const a = await repo.createEntity(c.id, 'Person', {
      name: ['Ana Pop'],
      birthDate: ['1980-05-01'],
    });
    const b = await repo.createEntity(c.id, 'Company', { name: ['Fictional Freight SRL'] });
    await repo.createEntity(c.id, 'Directorship', { director: [a.id], organization: [b.id] });
    await repo.createNote(c.id, { title: 'Met', body: 'Met at the border', entityId: a.id });
    await repo.createNotice(c.id, {
      noticeType: 'red',
      reference: 'A-1/1-2024',
      issuingAgency: 'ICPO-Interpol',
      status: 'issued',
      summary: 'Wanted',
      subjectId: a.id,
      issuedOn: '2024-01-02',
    });
    await repo.addAttachment(c.id, {
      fileName: 'x.bin',
      mediaType: 'application/octet-stream',
      content: new Blob([new Uint8Array([0, 1, 2, 250, 251, 252, 253])]),
    });
    await repo.createChart(c.id, 'Overview', { [a.id]: { x: 1, y: 2 }, [b.id]: { x: 3, y: 4 } });
    return c.id;
  }

  it('round-trips export → purge → import', async () => {
    const caseId = await populated();
    const file = await repo.exportCase(caseId);
    expect(file.entities).toHaveLength(3);
    expect(file.entities[0]).not.toHaveProperty('searchText');
    await repo.purgeCase(caseId);
    expect(await count()).toBe(0);
    expect(await repo.importCase(file)).toBe(caseId);
    const again = await repo.exportCase(caseId);
    expect({ ...again, exportedAt: '' }).toEqual({ ...file, exportedAt: '' });
    const blob = await repo.getAttachmentContent(file.attachments[0].id);
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0, 1, 2, 250, 251, 252, 253]);
    const history = await repo.history(caseId);
    expect(history.at(-1)?.action).toBe('import');
    await expect(repo.importCase(file)).rejects.toThrow(/already stored/);
  });

  it('exports the records without attachment content for the exchange (content goes in pieces)', async () => {
    const caseId = await populated();
    const records = await repo.exportCaseRecords(caseId);
    const file = await repo.exportCase(caseId);
    expect(records.attachments).toHaveLength(1);
    expect(records.attachments[0]).not.toHaveProperty('contentBase64');
    const inline = file.attachments.map(({ contentBase64: _content, ...record }) => record);
    expect({ ...records, exportedAt: '' }).toEqual({
      ...file,
      attachments: inline,
      exportedAt: '',
    });
  });

  it('imports all or nothing', async () => {
    const caseId = await populated();
    const file = await repo.exportCase(caseId);
    await repo.purgeCase(caseId);
    const broken = structuredClone(file);
    const middle = broken.entities[1];
    broken.entities[1] = {
      ...middle,
      properties: { ...middle.properties, incorporationDate: ['2023-02-31'] },
    };
    const error = await repo.importCase(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordValidationError);
    expect((error as RecordValidationError).errors['entities[1]']).toMatch(
      /2023-02-31 does not exist/,
    );
    expect(await count()).toBe(0);

    const tampered = structuredClone(file);
    tampered.attachments[0] = { ...tampered.attachments[0], contentBase64: 'AAECAwQFBg==' };
    await expect(repo.importCase(tampered)).rejects.toThrow(/SHA-256 does not match/);
    expect(await count()).toBe(0);

    // A failure inside the write transaction also leaves nothing behind.
    const original = db.charts.bulkAdd.bind(db.charts);
    db.charts.bulkAdd = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    await expect(repo.importCase(file)).rejects.toBeInstanceOf(StorageFullError);
    db.charts.bulkAdd = original;
    expect(await count()).toBe(0);
  });

  it('imports the demo case', async () => {
    const demo = createDemoCase({ agencyId: 'demo-agency', now: new Date() });
    const caseId = await repo.importCase(demo);
    expect((await repo.listEntities(caseId)).length).toBe(demo.entities.length);
    expect((await repo.listCases()).map((c) => c.reference)).toEqual([demo.case.reference]);
    const photo = demo.attachments[0];
    expect((await repo.getAttachmentContent(photo.id)).size).toBe(photo.size);
    const person = await repo.createEntity(caseId, 'Person', { name: ['New'] });
    expect(person.updatedAt > demo.case.updatedAt).toBe(true);
  });
});
