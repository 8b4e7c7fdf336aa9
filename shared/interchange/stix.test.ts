import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import { createDemoCase } from '../demo/demoCase.ts';
import { InterchangeError } from './importError.ts';
import { exportStix, importStix, stixFormat } from './stix.ts';
import { STIX_ID_PATTERN, stixIdFor, uuidV5 } from './stixIds.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'stix');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const options = {
  caseTitle: 'From the CERT',
  now: '2026-11-23T10:00:00.000Z',
  userName: 'analyst',
  agencyId: 'at.bk',
};

/** Imported records get fresh ids; the STIX id stays as `external.id`. */
const outsideId = (record: { id: string; external?: { id: string } }) =>
  record.external?.id ?? record.id;
const entity = (file: CaseFile, id: string) =>
  file.entities.find((record) => outsideId(record) === id);
const codes = (issues: readonly { code: string }[]) => issues.map((issue) => issue.code);

const SCHEMA_BASE =
  'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';

/**
 * Validation against the published STIX 2.1 JSON schemas (fixtures/stix/schemas): each object
 * against its type's schema, and the envelope's type and id. (The published bundle.json cannot be
 * used whole: its list of object schemas lacks location, note, opinion, grouping and incident.)
 */
function bundleValidator(): (bundle: unknown) => string[] {
  const ajv = new Ajv2020({
    strict: false,
    validateFormats: false,
    allErrors: true,
    // The published schemas use escapes (`\-`) that JavaScript refuses in unicode mode.
    unicodeRegExp: false,
  });
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((item) =>
      item.isDirectory() ? walk(join(dir, item.name)) : [join(dir, item.name)],
    );
  for (const path of walk(join(FIXTURES, 'schemas'))) {
    ajv.addSchema(JSON.parse(readFileSync(path, 'utf8')) as object);
  }
  const folder = (type: string) =>
    type === 'relationship' || type === 'sighting'
      ? 'sros'
      : type === 'marking-definition'
        ? 'common'
        : 'sdos';
  return (value) => {
    const bundle = value as { type?: unknown; id?: unknown; objects?: { type: string }[] };
    const problems: string[] = [];
    if (bundle.type !== 'bundle') problems.push('not a bundle');
    if (
      typeof bundle.id !== 'string' ||
      !/^bundle--/.test(bundle.id) ||
      !STIX_ID_PATTERN.test(bundle.id)
    )
      problems.push(`bad bundle id ${String(bundle.id)}`);
    for (const object of bundle.objects ?? []) {
      const validate = ajv.getSchema(`${SCHEMA_BASE}/${folder(object.type)}/${object.type}.json`);
      if (!validate) problems.push(`no schema for ${object.type}`);
      else if (!validate(object))
        problems.push(
          `${JSON.stringify(object).slice(0, 200)}: ${ajv.errorsText(validate.errors)}`,
        );
    }
    return problems;
  };
}

describe('STIX ids', () => {
  it('computes RFC 9562 UUID version 5 (the RFC test vector)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('keeps a STIX id found at the end of a record id, of the same type only', () => {
    const own = 'identity--311b2d2d-f010-4473-83ec-1edf84858f4c';
    expect(stixIdFor('identity', own)).toBe(own);
    expect(stixIdFor('identity', `case1:${own}`)).toBe(own);
    expect(stixIdFor('location', own)).not.toBe(own);
    expect(stixIdFor('identity', '01JD0000000000000000000000')).toMatch(STIX_ID_PATTERN);
    expect(stixIdFor('identity', 'p1')).toBe(stixIdFor('identity', 'p1'));
  });
});

describe('STIX import of the examples published with STIX 2.1', () => {
  it('reads APT1: actors, intrusion set, identities, indicators and their relationships', () => {
    const { file, issues } = importStix(fixture('apt1.json'), options);
    expect(caseFileSchema.safeParse(file).success).toBe(true);
    const bySchema = (schema: string) => file.entities.filter((record) => record.schema === schema);
    expect(bySchema('Note')).toHaveLength(12); // indicators
    const apt1 = file.entities.find((record) => outsideId(record).startsWith('intrusion-set--'))!;
    expect(apt1.schema).toBe('Organization');
    expect(apt1.properties.name).toEqual(['APT1']);
    expect(apt1.properties.alias).toContain('Comment Crew');
    const actors = file.entities.filter((record) => outsideId(record).startsWith('threat-actor--'));
    expect(actors).toHaveLength(5);
    expect(actors.every((actor) => actor.schema === 'LegalEntity')).toBe(true);
    const indicator = bySchema('Note')[0]!;
    expect(indicator.properties.notes!.some((line) => line.startsWith('pattern (stix): ['))).toBe(
      true,
    );
    // Relationships between imported objects are kept with their type; those to malware, tools
    // and attack patterns are reported, as are the skipped types themselves.
    const links = bySchema('UnknownLink');
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((link) => link.properties.role!.length === 1)).toBe(true);
    const skipped = issues.filter((issue) => issue.code === 'stix.skipped-type');
    expect(skipped.map((issue) => issue.message).join('\n')).toMatch(/6 malware objects/);
    expect(skipped.map((issue) => issue.message).join('\n')).toMatch(/10 tool objects/);
    expect(codes(issues)).toContain('stix.end-not-imported');
    expect(file.entities.every((record) => record.provenance.source.startsWith('STIX 2.1'))).toBe(
      true,
    );
  });

  it('reads a sighting of an indicator as an event linked to what was sighted', () => {
    const { file } = importStix(fixture('sighting-of-an-indicator.json'), options);
    const event = entity(file, 'sighting--8356e820-8080-4692-aa91-ecbe94006833')!;
    expect(event.schema).toBe('Event');
    expect(event.properties.startDate).toEqual(['2017-02-27T21:37:11.213Z']);
    const sighter = entity(file, 'identity--5206ba14-478f-4b0b-9a48-395f690c20a2')!;
    expect(event.properties.involved).toEqual([sighter.id]);
    expect(event.properties.summary).toEqual(['seen 1 time']);
    const link = file.entities.find((record) => record.properties.subject?.[0] === event.id)!;
    const indicator = entity(file, 'indicator--9299f726-ce06-492e-8472-2b52ccb53191')!;
    expect(link.properties).toMatchObject({ role: ['sighting-of'], object: [indicator.id] });
    expect(indicator.properties.notes).toContain(
      "pattern (stix): [url:value = 'http://paypa1.banking.com']",
    );
    expect(entity(file, 'identity--39012926-a052-44c4-ae48-caaf4a10ee6e')!.schema).toBe(
      'Organization',
    );
  });

  it('maps TLP marking definitions to the record TLP and reports statements', () => {
    const { file, issues } = importStix(fixture('using-marking-definitions.json'), options);
    const indicator = entity(file, 'indicator--33fe3b22-0201-47cf-85d0-97c02164528d')!;
    expect(indicator.markings.tlp).toBe('AMBER');
    expect(codes(issues)).toContain('stix.marking-statement');
  });

  it('applies the most restrictive granular TLP to the whole record', () => {
    const { file, issues } = importStix(fixture('using-granular-markings.json'), options);
    const indicator = file.entities.find((record) => outsideId(record).startsWith('indicator--'))!;
    expect(indicator.markings.tlp).toBe('RED');
    expect(codes(issues)).toContain('stix.granular-marking');
  });

  it('reads a threat actor profile with its aliases and goals', () => {
    const { file } = importStix(fixture('identifying-a-threat-actor-profile.json'), options);
    const actor = file.entities.find((record) => outsideId(record).startsWith('threat-actor--'))!;
    expect(actor.schema).toBe('LegalEntity');
    expect(actor.properties.alias!.length).toBeGreaterThan(0);
    expect(actor.properties.notes!.some((line) => line.startsWith('goals: '))).toBe(true);
  });

  it('reads locations into addresses, dropping a value the model refuses, with a report', () => {
    const { file, issues } = importStix(fixture('tessera-locations.json'), options);
    const warehouse = entity(file, 'location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64')!;
    expect(warehouse.schema).toBe('Address');
    expect(warehouse.properties).toMatchObject({
      city: ['Cluj-Napoca'],
      country: ['ro'],
      latitude: ['46.77'],
      full: ['Strada Fabricii 12, Cluj-Napoca, 400632, RO'],
    });
    expect(warehouse.markings.tlp).toBe('RED'); // a TLP 2.0 definition read by its name
    const person = entity(file, 'identity--e5f1b90a-d9b6-40ab-81a9-8a29df4b6b65')!;
    expect(person.schema).toBe('Person');
    expect(person.grading).toEqual({ source: 'F', information: '1' }); // confidence 85
    const located = entity(file, 'relationship--0e8c1d2a-3b4c-4d5e-8f60-718293a4b5c6')!;
    expect(located.properties).toMatchObject({ role: ['located-at'], object: [warehouse.id] });
    const narnia = entity(file, 'location--2b1c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b')!;
    expect(narnia.properties.country).toBeUndefined();
    expect(issues).toContainEqual(
      expect.objectContaining({ code: 'interchange.value-dropped', where: outsideId(narnia) }),
    );
  });
  it('drops an entity that cannot stand and the relationships that pointed at it, reporting each once', () => {
    const object = (type: string, n: number, extra: object) => ({
      type,
      spec_version: '2.1',
      id: `${type}--00000000-0000-4000-8000-00000000000${n}`,
      created: '2024-01-01T00:00:00.000Z',
      modified: '2024-01-01T00:00:00.000Z',
      ...extra,
    });
    const nameless = object('identity', 1, { identity_class: 'individual' });
    const place = object('location', 2, { country: 'Narnia', region: 'europe' });
    const link = object('relationship', 3, {
      relationship_type: 'located-at',
      source_ref: nameless.id,
      target_ref: place.id,
    });
    const { file, issues } = importStix(
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--00000000-0000-4000-8000-000000000000',
        objects: [nameless, place, link],
      }),
      options,
    );
    expect(file.entities.map(outsideId)).toEqual([place.id]);
    expect(issues.map((issue) => [issue.code, issue.where])).toEqual([
      ['interchange.entity-dropped', nameless.id],
      ['interchange.entity-dropped', link.id],
      ['interchange.value-dropped', place.id],
    ]);
  });
});

describe('STIX export', () => {
  const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });
  const validate = bundleValidator();

  it('writes a bundle the published STIX 2.1 JSON schema accepts, the same every time', () => {
    const text = exportStix(demo);
    expect(exportStix(demo)).toBe(text);
    const bundle = JSON.parse(text) as { type: string; id: string; objects: { type: string }[] };
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(/^bundle--/);
    expect(validate(bundle)).toEqual([]);
    const types = new Set(bundle.objects.map((object) => object.type));
    expect(types).toContain('identity');
    expect(types).toContain('relationship');
    expect(types).toContain('marking-definition');
    expect(stixFormat.sniff(text)).toBe(true);
  });

  it('round-trips the OASIS examples: same objects, same ids, same markings', () => {
    for (const name of ['apt1.json', 'sighting-of-an-indicator.json', 'tessera-locations.json']) {
      const first = importStix(fixture(name), options).file;
      const text = exportStix(first);
      expect(validate(JSON.parse(text))).toEqual([]);
      const again = importStix(text, options).file;
      const summary = (file: CaseFile) =>
        file.entities
          .map((record) => ({
            id: outsideId(record),
            schema: record.schema,
            name: record.properties.name,
            tlp: record.markings.tlp,
            role: record.properties.role,
            notes: record.properties.notes ?? [],
          }))
          .sort((a, b) => a.id.localeCompare(b.id));
      expect(summary(again), name).toEqual(summary(first));
    }
  });

  it('keeps AMBER+STRICT and CLEAR through an export and an import', () => {
    const person = demo.entities.find((record) => record.schema === 'Person')!;
    const company = demo.entities.find((record) => record.schema === 'Company')!;
    const file = {
      ...demo,
      entities: [
        { ...person, markings: { ...person.markings, tlp: 'AMBER+STRICT' as const } },
        { ...company, markings: { ...company.markings, tlp: 'CLEAR' as const } },
      ],
    };
    const text = exportStix(file);
    expect(validate(JSON.parse(text))).toEqual([]);
    expect(text).toContain('"TLP:WHITE"');
    expect(text).toContain('"TLP:AMBER+STRICT"');
    const back = importStix(text, options).file;
    const tlps = back.entities.map((record) => record.markings.tlp).sort();
    expect(tlps).toEqual(['AMBER+STRICT', 'CLEAR']);
  });
});

describe('STIX import of hostile input', () => {
  it('refuses what is not a bundle with a coded error', () => {
    const code = (text: string) => {
      try {
        importStix(text, options);
        return 'imported';
      } catch (error) {
        return error instanceof InterchangeError ? error.code : 'crash';
      }
    };
    expect(code('{')).toBe('stix.not-json');
    expect(code('[]')).toBe('stix.not-a-bundle');
    expect(code('{"type":"bundle","objects":{}}')).toBe('stix.not-a-bundle');
    expect(code('{"type":"bundle","objects":[]}')).toBe('imported');
  });

  it('never crashes on generated objects: an ImportIssue or a coded error, and a valid case', () => {
    const stixId = fc
      .constantFrom('identity', 'threat-actor', 'indicator', 'location', 'relationship', 'sighting')
      .chain((type) => fc.uuid().map((uuid) => `${type}--${uuid}`));
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string(), stixId)),
      stixId,
      fc.object(),
    );
    const object = fc.record(
      {
        type: fc.constantFrom(
          'identity',
          'threat-actor',
          'intrusion-set',
          'indicator',
          'location',
          'relationship',
          'sighting',
          'marking-definition',
          'malware',
        ),
        id: stixId,
        name: value,
        identity_class: value,
        country: value,
        pattern: value,
        relationship_type: value,
        source_ref: value,
        target_ref: value,
        sighting_of_ref: value,
        where_sighted_refs: value,
        object_marking_refs: value,
        granular_markings: value,
        confidence: value,
        start_time: value,
        first_seen: value,
        definition: value,
      },
      { requiredKeys: ['type', 'id'] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(object, value), { maxLength: 12 }), (objects) => {
        const { file } = importStix(JSON.stringify({ type: 'bundle', objects }), options);
        expect(caseFileSchema.safeParse(file).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never crashes on arbitrary JSON text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          importStix(text, options);
        } catch (error) {
          expect(error).toBeInstanceOf(InterchangeError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
