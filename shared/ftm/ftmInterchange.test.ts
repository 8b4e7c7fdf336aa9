import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import { createDemoCase } from '../demo/demoCase.ts';
import { HybridLogicalClock } from '../model/index.ts';
import {
  caseFileFromFtm,
  exportFtmLines,
  FtmImportError,
  parseFtmLines,
} from './ftmInterchange.ts';

const options = (ids: string[]) => ({
  title: 'Imported from Aleph',
  reference: 'ALEPH/1',
  agencyId: 'at.bk',
  userName: 'analyst',
  source: 'aleph-export.ftm.json',
  now: new Date('2026-11-23T10:00:00Z'),
  clock: new HybridLogicalClock('at.bk.test', () => Date.UTC(2026, 10, 23)),
  newId: () => ids.shift() ?? 'case-x',
});

describe('FtM interchange', () => {
  it('round-trips the demo case entities through FtM JSON lines', () => {
    const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });
    const lines = exportFtmLines(demo);
    expect(lines.trim().split('\n')).toHaveLength(demo.entities.length);
    const parsed = parseFtmLines(lines);
    expect(parsed.map((entity) => entity.id).sort()).toEqual(demo.entities.map((e) => e.id).sort());
    const file = caseFileFromFtm(parsed, options(['case-1']));
    expect(caseFileSchema.safeParse(file).success).toBe(true);
    const original = demo.entities.find((entity) => entity.schema === 'Person')!;
    const imported = file.entities.find((entity) => entity.id === original.id)!;
    expect(imported.properties).toEqual(original.properties);
    expect(imported.caseId).toBe('case-1');
  });

  it('accepts a JSON array and nested entity references as FtM tools write them', () => {
    const parsed = parseFtmLines(
      JSON.stringify([
        { id: 'p1', schema: 'Person', properties: { name: ['Ana Vlad'] } },
        { id: 'c1', schema: 'Company', properties: { name: ['Nord SRL'] } },
        {
          id: 'd1',
          schema: 'Directorship',
          properties: { director: [{ id: 'p1', schema: 'Person' }], organization: ['c1'] },
        },
      ]),
    );
    expect(parsed.find((entity) => entity.id === 'd1')!.properties.director).toEqual(['p1']);
  });

  it('refuses a broken file as a whole, naming every problem with its line', () => {
    const text = [
      '{"id":"p1","schema":"Person","properties":{"name":["Ana"]}}',
      'not json',
      '{"id":"p2","schema":"Spaceship","properties":{}}',
      '{"id":"p3","schema":"Person","properties":{"name":["B"],"birthDate":["1990-02-30"]}}',
      '{"id":"d1","schema":"Directorship","properties":{"director":["p1"],"organization":["missing"]}}',
    ].join('\n');
    try {
      parseFtmLines(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FtmImportError);
      const problems = (error as FtmImportError).problems.join('\n');
      expect(problems).toContain('line 2: not valid JSON');
      expect(problems).toContain('line 3: unknown entity type "Spaceship"');
      expect(problems).toContain('line 4 (p3)');
      expect(problems).toContain('not in this case');
      expect((error as Error).message).toMatch(/^not imported, nothing was changed/);
    }
  });

  it('refuses an empty file', () => {
    expect(() => parseFtmLines('\n\n')).toThrow(/holds no entity/);
  });
});
