import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { isEdgeSchema } from '../../shared/model/index.ts';
import { CASE_CHART_IMPORT_LIMIT } from '../../shared/model/caseChart.ts';
import type { TesseraDatabase } from '../db/database.ts';
import { RecordValidationError } from '../db/repository.types.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import { mergeEntitiesInCase } from '../db/mergeRepository.ts';
import { dropTestDatabase, openTestRepository } from '../db/testing/testRepository.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';
import { exportFileName, exportText, importCaseText } from './caseTransfer.ts';
import type { ImportContext } from './caseTransfer.ts';

let db: TesseraDatabase;
let repo: CaseRepository;
let context: ImportContext;
let work: UnitOfWork;
beforeEach(async () => {
  ({ db, work, repo } = await openTestRepository('transfer-test'));
  context = {
    repository: repo,
    clock: work.clock,
    agencyId: 'test-agency',
    userName: 'Insp. Test',
    now: new Date(),
  };
});

afterEach(() => dropTestDatabase(db));

const YENTE = readFileSync(
  new URL('../../shared/interchange/fixtures/ftm/yente-zala.ftm.jsonl', import.meta.url),
  'utf8',
);

describe('importing FtM never changes another case (issue 11)', () => {
  it('imports the same file twice into two full cases', async () => {
    const first = await importCaseText('zala.ftm.json', YENTE, context);
    const second = await importCaseText('zala.ftm.json', YENTE, context);
    expect(first.caseId).not.toBe(second.caseId);
    expect(first.format).toBe('ftm');
    expect(first.entities).toBe(91);
    const a = await repo.listEntities(first.caseId);
    const b = await repo.listEntities(second.caseId);
    expect(a.length).toBeGreaterThan(91);
    expect(b).toHaveLength(a.length);
    const firstIds = new Set(a.map((e) => e.id));
    expect(b.filter((e) => firstIds.has(e.id))).toEqual([]);
  });

  it('exports the demo case as FtM and imports it back, leaving the demo case whole', async () => {
    const demo = createDemoCase({ agencyId: 'demo-agency', now: new Date() });
    const demoId = await repo.importCase(demo, { undoable: false });
    const before = await repo.exportCase(demoId);
    const lines = exportText(before, 'ftm');
    expect(exportFileName(before, 'ftm')).toMatch(/\.ftm\.json$/);
    const outcome = await importCaseText(exportFileName(before, 'ftm'), lines, context);
    expect(outcome.issues).toEqual([]);
    const after = await repo.exportCase(demoId);
    expect({ ...after, exportedAt: '' }).toEqual({ ...before, exportedAt: '' });
    const imported = await repo.exportCase(outcome.caseId);
    expect(imported.entities.filter((e) => !e.deleted)).toHaveLength(
      before.entities.filter((e) => !e.deleted).length,
    );
    // The imported case writes the same FtM back: same ids, same properties.
    const sorted = (text: string) => text.trim().split('\n').sort();
    expect(sorted(exportText(imported, 'ftm'))).toEqual(sorted(lines));
  });

  it('refuses a case file whose records are stored in another case, changing nothing', async () => {
    const demo = createDemoCase({ agencyId: 'demo-agency', now: new Date() });
    const demoId = await repo.importCase(demo, { undoable: false });
    const before = await repo.exportCase(demoId);
    const copy = structuredClone(before);
    const otherCase = 'OTHERCASE0000000000000000A';
    copy.case = { ...copy.case, id: otherCase, reference: 'COPY/1' };
    for (const list of [copy.entities, copy.notes, copy.attachments, copy.notices, copy.charts])
      for (const item of list) item.caseId = otherCase;
    const error = await repo.importCase(copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordValidationError);
    expect((error as RecordValidationError).code).toBe('invalid-record');
    const after = await repo.exportCase(demoId);
    expect({ ...after, exportedAt: '' }).toEqual({ ...before, exportedAt: '' });
    expect(await repo.getCase(otherCase)).toBeUndefined();
  });

  it('reports what a tolerant import kept and changed', async () => {
    const outcome = await importCaseText('zala.ftm.json', YENTE, context);
    const codes = new Set(outcome.issues.map((issue) => issue.code));
    expect(codes).toEqual(
      new Set(['ftm.unresolved-reference', 'ftm.split', 'ftm.unknown-property']),
    );
    const passport = (await repo.listEntities(outcome.caseId)).find(
      (entity) => entity.schema === 'Passport',
    );
    expect(passport?.properties.number).toBeUndefined();
    // Still editable without inventing a number.
    const edited = await repo.updateEntity(passport!.id, {
      properties: { ...passport!.properties, country: ['ru'] },
    });
    expect(edited.properties.country).toEqual(['ru']);
  });

  it('resolves an unresolved reference by merging: the export writes the real entity under the id the file used', async () => {
    const outcome = await importCaseText('zala.ftm.json', YENTE, context);
    const entities = await repo.listEntities(outcome.caseId);
    const standIn = entities.find(
      (entity) => entity.external?.id === 'addr-bb65387b6e14a1dba2427e79358ba418377b9f28',
    )!;
    expect(standIn.external?.unresolved).toBe(true);
    const before = exportText(await repo.exportCase(outcome.caseId), 'ftm');
    expect(before).not.toContain('"id":"addr-bb65387b6e14a1dba2427e79358ba418377b9f28"');
    const real = await repo.createEntity(outcome.caseId, 'Address', {
      full: ['Str. Pushkinskaya 272, Izhevsk'],
    });
    await mergeEntitiesInCase(work, standIn.id, real.id);
    const lines = exportText(await repo.exportCase(outcome.caseId), 'ftm')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; properties: Record<string, string[]> });
    const address = lines.find(
      (line) => line.id === 'addr-bb65387b6e14a1dba2427e79358ba418377b9f28',
    )!;
    expect(address.properties).toEqual({ full: ['Str. Pushkinskaya 272, Izhevsk'] });
    expect(
      lines.some((line) =>
        line.properties.addressEntity?.includes('addr-bb65387b6e14a1dba2427e79358ba418377b9f28'),
      ),
    ).toBe(true);
  });
});

describe('every interchange import makes a new case, whatever ids the file holds', () => {
  const fixture = (path: string) =>
    readFileSync(new URL(`../../shared/interchange/fixtures/${path}`, import.meta.url), 'utf8');
  it.each([
    ['stix/apt1.json', 'stix'],
    ['stix/sighting-of-an-indicator.json', 'stix'],
    ['anx/operation-harbour.anx', 'anx'],
  ])('imports %s twice into two cases with no record in common', async (path, format) => {
    const text = fixture(path);
    const first = await importCaseText(path, text, context);
    const second = await importCaseText(path, text, context);
    expect(first.format).toBe(format);
    expect(second.caseId).not.toBe(first.caseId);
    const a = await repo.exportCase(first.caseId);
    const b = await repo.exportCase(second.caseId);
    expect(b.entities.length).toBe(a.entities.length);
    expect(a.entities.length).toBeGreaterThan(0);
    const firstIds = new Set(a.entities.map((entity) => entity.id));
    expect(b.entities.filter((entity) => firstIds.has(entity.id))).toEqual([]);
  });
});

describe('an imported case has a chart from the start (issue 12)', () => {
  it('gives an FtM import a case chart of its entities, where its new entities land too', async () => {
    const outcome = await importCaseText('zala.ftm.json', YENTE, context);
    expect(outcome.caseChart).toBe('made');
    const charts = await repo.listCharts(outcome.caseId);
    expect(charts.map((c) => c.name)).toEqual(['Case chart']);
    const entities = await repo.listEntities(outcome.caseId);
    const nodeEntities = entities.filter((e) => !isEdgeSchema(e.schema));
    expect(Object.keys(charts[0]!.nodes).sort()).toEqual(nodeEntities.map((e) => e.id).sort());
    const added = await repo.createEntity(outcome.caseId, 'Person', { name: ['New Person'] });
    expect((await repo.getChart(charts[0]!.id))!.nodes[added.id]).toBeDefined();
  });

  it('draws none above the limit and says so', async () => {
    const lines = Array.from({ length: CASE_CHART_IMPORT_LIMIT + 1 }, (_, i) =>
      JSON.stringify({ id: `p${i}`, schema: 'Person', properties: { name: [`P ${i}`] } }),
    ).join('\n');
    const outcome = await importCaseText('many.ftm.json', lines, context);
    expect(outcome.caseChart).toBe('too-many');
    expect(await repo.listCharts(outcome.caseId)).toEqual([]);
  });
});
