import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import { createDemoCase } from '../demo/demoCase.ts';
import { validateEntity } from '../model/index.ts';
import {
  exportFtmLines,
  FTM_ID_MAX,
  FtmImportError,
  importFtm,
  parseFtmLines,
  sniffFtm,
} from './ftmLines.ts';

const options = {
  caseTitle: 'Imported: zala',
  now: '2026-11-23T10:00:00Z',
  userName: 'analyst',
  agencyId: 'at.bk',
};

const YENTE = readFileSync(new URL('./fixtures/ftm/yente-zala.ftm.jsonl', import.meta.url), 'utf8');

interface Line {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  [key: string]: unknown;
}

const lines = (text: string): Line[] =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);

function byExternalId(file: CaseFile, id: string) {
  return file.entities.find((entity) => entity.external?.id === id)!;
}

describe('FtM import of real OpenSanctions data (yente, 91 entities)', () => {
  const { file, issues } = importFtm(YENTE, options);
  const original = lines(YENTE);

  it('imports every entity into a valid case with fresh record ids', () => {
    expect(caseFileSchema.safeParse(file).success).toBe(true);
    const imported = file.entities.filter((entity) => !entity.external?.unresolved);
    expect(imported).toHaveLength(91);
    const originalIds = new Set(original.map((line) => line.id));
    for (const entity of file.entities) expect(originalIds.has(entity.id)).toBe(false);
    // Every reference points at a record of the case: the file's ids were all rewritten.
    const recordIds = new Set(file.entities.map((entity) => entity.id));
    for (const entity of file.entities) {
      const errors = validateEntity(entity.schema, entity.properties, recordIds, {
        allowMissingRequired: true,
      });
      expect(errors, entity.external?.id).toEqual({});
    }
  });

  it('keeps references to ids not in the file as unresolved stand-ins and reports them', () => {
    const standIns = file.entities.filter((entity) => entity.external?.unresolved);
    expect(standIns.length).toBeGreaterThan(0);
    const address = standIns.find((e) => e.external?.id === 'NK-2EJjLZWRPLrLuKNQcJggpB')!;
    expect(address.schema).toBe('Address');
    expect(address.properties.name).toEqual(['Unresolved: NK-2EJjLZWRPLrLuKNQcJggpB']);
    const unresolved = issues.filter((issue) => issue.code === 'ftm.unresolved-reference');
    expect(unresolved).toHaveLength(standIns.length);
  });

  it('splits the phone field holding three numbers', () => {
    const company = file.entities.find((entity) =>
      (entity.properties.phone ?? []).includes('+7 (3412) 43-05-05'),
    )!;
    expect(company.properties.phone).toEqual([
      '+7 (3412) 43-05-05',
      '+7 (951) 210-81-28',
      '+7 (912) 769-33-11',
    ]);
    expect(issues.some((issue) => issue.code === 'ftm.split')).toBe(true);
  });

  it('keeps a property missing from the model in the extra bag, and the Passport without number', () => {
    const withAbbreviation = original.find((line) => line.properties.abbreviation)!;
    const company = byExternalId(file, withAbbreviation.id);
    expect(company.external?.extra?.abbreviation).toEqual(withAbbreviation.properties.abbreviation);
    expect(issues.some((issue) => issue.code === 'ftm.unknown-property')).toBe(true);
    const passport = file.entities.find((entity) => entity.schema === 'Passport')!;
    expect(passport.properties.number).toBeUndefined();
    expect(passport.properties.holder).toHaveLength(1);
  });

  it('writes the same entities back: ids, properties, caption, datasets, referents, dates, target', () => {
    const back = new Map(lines(exportFtmLines(file)).map((line) => [line.id, line]));
    expect(back.size).toBe(91);
    for (const line of original) {
      const again = back.get(line.id)!;
      expect(again, line.id).toBeDefined();
      for (const key of [
        'schema',
        'caption',
        'datasets',
        'referents',
        'first_seen',
        'last_seen',
        'last_change',
        'target',
      ]) {
        expect(again[key], `${line.id} ${key}`).toEqual(line[key]);
      }
      for (const [name, values] of Object.entries(line.properties)) {
        const expected = values.flatMap((value) =>
          name === 'phone' ? value.split(';').map((part) => part.trim()) : [value.trim()],
        );
        expect(new Set(again.properties[name]), `${line.id} ${name}`).toEqual(new Set(expected));
      }
      expect(Object.keys(again.properties).sort()).toEqual(Object.keys(line.properties).sort());
    }
  });
});

describe('FtM interchange', () => {
  it('round-trips the demo case entities with their ids through FtM JSON lines', () => {
    const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });
    const text = exportFtmLines(demo);
    expect(text.trim().split('\n')).toHaveLength(demo.entities.length);
    const { file, issues } = importFtm(text, options);
    expect(issues).toEqual([]);
    const person = demo.entities.find((entity) => entity.schema === 'Person')!;
    const imported = byExternalId(file, person.id);
    expect(imported.id).not.toBe(person.id);
    expect(imported.properties).toEqual(person.properties);
    expect(imported.caseId).toBe(file.case.id);
    expect(lines(exportFtmLines(file))).toEqual(lines(text));
  });

  it('reads a JSON array and entities nested inside properties as yente writes them', () => {
    const { file } = importFtm(
      JSON.stringify([
        { id: 'c1', schema: 'Company', properties: { name: ['Nord SRL'] } },
        {
          id: 'd1',
          schema: 'Directorship',
          properties: {
            director: [{ id: 'p1', schema: 'Person', properties: { name: ['Ana Vlad'] } }],
            organization: ['c1'],
          },
        },
      ]),
      options,
    );
    const person = byExternalId(file, 'p1');
    expect(person.properties.name).toEqual(['Ana Vlad']);
    expect(byExternalId(file, 'd1').properties.director).toEqual([person.id]);
  });

  it('keeps what it cannot use apart and says so, instead of refusing the file', () => {
    const text = [
      '{"id":"p1","schema":"Person","properties":{"name":["Ana"]}}',
      'not json',
      '{"id":"p2","schema":"Spaceship","properties":{}}',
      '{"id":"p3","schema":"Person","properties":{"name":["B",null],"birthDate":["1990-02-30"],"notes":[{"a":1}]}}',
      '{"id":"d1","schema":"Directorship","properties":{"director":["p1"]}}',
      `{"id":"${'x'.repeat(FTM_ID_MAX + 1)}","schema":"Person","properties":{"name":["C"]}}`,
      `{"id":"p4","schema":"Passport","properties":{"holder":["${'y'.repeat(FTM_ID_MAX + 1)}"]}}`,
    ].join('\n');
    const { file, issues } = importFtm(text, options);
    const codes = issues.map((issue) => `${issue.where} ${issue.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'line 2 ftm.bad-line',
        'line 3 ftm.unknown-schema',
        'line 4 ftm.null-value',
        'line 4 ftm.invalid-value',
        'line 4 ftm.object-value',
        'line 5 ftm.edge-without-end',
        'line 6 ftm.id-too-long',
        'line 7 ftm.id-too-long',
      ]),
    );
    expect(issues.find((issue) => issue.code === 'ftm.id-too-long')!.message).toContain(
      String(FTM_ID_MAX),
    );
    const p3 = byExternalId(file, 'p3');
    expect(p3.properties.name).toEqual(['B']);
    expect(p3.external?.extra).toEqual({ birthDate: ['1990-02-30'], 'notes:json': ['{"a":1}'] });
    expect(file.entities).toHaveLength(3);
  });

  it('refuses only a file with nothing to import', () => {
    const codeOf = (text: string) => {
      try {
        parseFtmLines(text);
      } catch (error) {
        expect(error).toBeInstanceOf(FtmImportError);
        return (error as FtmImportError).code;
      }
      return 'imported';
    };
    expect(codeOf('\n\n')).toBe('empty');
    expect(codeOf('not json\nnor this')).toBe('unreadable');
    expect(codeOf('[1, 2')).toBe('unreadable');
    expect(codeOf('[1, 2]')).toBe('empty');
  });

  it('recognises FtM by its content', () => {
    expect(sniffFtm(YENTE)).toBe(true);
    expect(sniffFtm('{"format":"tessera.case"}')).toBe(false);
    expect(sniffFtm('<?xml version="1.0"?><graphml/>')).toBe(false);
  });

  it('never stores "null" or "[object Object]", and never throws but FtmImportError, on hostile values', () => {
    const hostile = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.object(),
      fc.array(fc.oneof(fc.constant(null), fc.string(), fc.object())),
      fc.record({ id: fc.string(), schema: fc.constantFrom('Person', 'Nope', 'Address') }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.oneof(fc.string({ minLength: 1 }), fc.constant(null), fc.integer()),
            schema: fc.constantFrom('Person', 'Company', 'Ownership', 'Passport', 'Unknown'),
            properties: fc.oneof(fc.dictionary(fc.string(), hostile), hostile),
            caption: hostile,
            datasets: hostile,
            referents: hostile,
            first_seen: hostile,
            last_change: hostile,
            target: hostile,
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (entities) => {
          const text = entities.map((entity) => JSON.stringify(entity)).join('\n');
          let file: CaseFile;
          try {
            ({ file } = importFtm(text, options));
          } catch (error) {
            expect(error).toBeInstanceOf(FtmImportError);
            return;
          }
          expect(caseFileSchema.safeParse(file).success).toBe(true);
          for (const entity of file.entities) {
            for (const values of Object.values(entity.properties)) {
              expect(values).not.toContain('null');
              for (const value of values) expect(value).not.toContain('[object Object]');
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
