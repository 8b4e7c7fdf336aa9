import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import { createDemoCase } from '../demo/demoCase.ts';
import { captionOf, edgeEnds, isEdgeSchema } from '../model/index.ts';
import { anxFormat, exportAnx, importAnx } from './anx.ts';
import { InterchangeError } from './importError.ts';

const chartText = readFileSync(
  join(import.meta.dirname, 'fixtures', 'anx', 'operation-harbour.anx'),
  'utf8',
);
const options = {
  caseTitle: 'Operation Harbour',
  now: '2026-11-23T10:00:00.000Z',
  userName: 'analyst',
  agencyId: 'ro.dcco',
};

/** Text as it survives XML: without the characters XML cannot hold, trimmed as the import keeps it. */
const xmlText = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 cannot hold.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .trim();

const byLabel = (file: CaseFile, label: string) =>
  file.entities.find((record) => captionOf(record.schema, record.properties) === label)!;

const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'imported';
  } catch (error) {
    return error instanceof InterchangeError ? error.code : `crash: ${String(error)}`;
  }
};

/** What a chart shows, by caption: entities with their type and place, links with their ends. */
function picture(file: CaseFile) {
  const chart = file.charts[0];
  const caption = new Map(
    file.entities.map((record) => [record.id, captionOf(record.schema, record.properties)]),
  );
  const nodes = file.entities
    .filter((record) => !isEdgeSchema(record.schema))
    .map((record) => ({
      caption: caption.get(record.id),
      schema: record.schema,
      description: record.properties.description,
      at: chart?.nodes[record.id],
    }))
    .sort((a, b) => String(a.caption).localeCompare(String(b.caption)));
  const links = file.entities
    .filter((record) => isEdgeSchema(record.schema))
    .map((record) => {
      const ends = edgeEnds(record.schema, record.properties)!;
      return {
        schema: record.schema,
        from: caption.get(ends.source),
        to: caption.get(ends.target),
        role: record.properties.role,
        date: record.properties.date,
      };
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { nodes, links };
}

describe('ANX import', () => {
  const { file, issues } = importAnx(chartText, options);

  it('reads the entities with their types, labels, attributes, dates and positions', () => {
    expect(caseFileSchema.safeParse(file).success).toBe(true);
    const radu = byLabel(file, 'Radu Cazacu');
    expect(radu.schema).toBe('Person');
    expect(radu.properties.nationality).toEqual(['ro']);
    expect(radu.properties.description).toEqual(['Runs the warehouse\nSecond line']);
    expect(radu.properties.notes).toEqual(['Date of Birth: 1979-04-12']);
    expect(radu.provenance.source).toBe(
      'i2 chart item source: Surveillance log 2024/117 (Surveillance)',
    );
    expect(byLabel(file, 'Ana Vlad & Co').schema).toBe('Person');
    const phone = byLabel(file, '+40 721 000 111');
    expect(phone.schema).toBe('Phone');
    expect(phone.properties).toMatchObject({
      number: ['+40 721 000 111'],
      imei: ['356938035643809'],
    });
    expect(byLabel(file, 'Nord Logistic SRL').schema).toBe('Organization'); // a box
    expect(byLabel(file, 'Strada Fabricii 12, Cluj-Napoca').schema).toBe('Address');
    const car = byLabel(file, 'CJ 12 ABC');
    expect(car.schema).toBe('Vehicle');
    expect(car.properties.notes).toEqual(['i2 date: 2024-02-01']);
    const gun = byLabel(file, 'Glock 17, serial BXT-112');
    expect(gun.schema).toBe('LegalEntity');
    expect(gun.properties.keywords).toEqual(['i2 icon: Handgun']);
    expect(file.charts).toHaveLength(1);
    expect(file.charts[0]!.nodes[radu.id]).toEqual({ x: 120, y: 80 });
    expect(file.charts[0]!.nodes[gun.id]).toEqual({ x: -150, y: 300 });
    expect(Object.keys(file.charts[0]!.nodes)).toHaveLength(8);
  });

  it('reads links: FtM relationships where the type and the ends fit, directions, strengths', () => {
    const { links } = picture(file);
    // FtM's Call links parties: a call between two phones stays an UnknownLink with its type.
    expect(links).toContainEqual(
      expect.objectContaining({
        schema: 'UnknownLink',
        from: '+40 721 000 111',
        to: '+40 744 222 333',
        role: ['Telephone Call'],
        date: ['2024-03-05T21:14:00'],
      }),
    );
    expect(links).toContainEqual(
      expect.objectContaining({
        schema: 'Call',
        from: 'Ana Vlad & Co',
        to: 'Radu Cazacu',
        date: ['2024-03-06T08:02:00'],
      }),
    );
    // ArrowOnTail: the arrow points at End1, so End2 is the owner.
    expect(links).toContainEqual(
      expect.objectContaining({ schema: 'Ownership', from: 'Radu Cazacu', to: 'CJ 12 ABC' }),
    );
    expect(links).toContainEqual(
      expect.objectContaining({ schema: 'Associate', from: 'Radu Cazacu', to: 'Ana Vlad & Co' }),
    );
    expect(links).toContainEqual(
      expect.objectContaining({
        schema: 'Directorship',
        from: 'Ana Vlad & Co',
        to: 'Nord Logistic SRL',
      }),
    );
    // By chart item reference, and a type with no FtM relationship: UnknownLink keeping the type.
    expect(links).toContainEqual(
      expect.objectContaining({
        schema: 'UnknownLink',
        from: 'Radu Cazacu',
        to: 'Strada Fabricii 12, Cluj-Napoca',
        role: ['Lives at'],
      }),
    );
    const call = file.entities.find((record) => record.schema === 'Call')!;
    expect(call.properties.duration).toEqual(['61']);
    const phoneCall = file.entities.find(
      (record) => record.properties.role?.[0] === 'Telephone Call',
    )!;
    expect(phoneCall.properties.description).toEqual(['Duration: 125']);
    const ownership = file.entities.find((record) => record.schema === 'Ownership')!;
    expect(ownership.properties.status).toEqual(['Unconfirmed']);
    expect(links).toHaveLength(7);
  });

  it('reports what it could not keep as it was', () => {
    const codes = issues.map((issue) => issue.code);
    expect(codes).toContain('anx.unknown-icon-type');
    expect(codes).toContain('anx.attribute-kept-as-text');
    expect(issues).toContainEqual(
      expect.objectContaining({ code: 'anx.link-end-missing', where: 'ChartItem 16 (link)' }),
    );
  });

  it('is recognised by its content', () => {
    expect(anxFormat.sniff(chartText)).toBe(true);
    expect(anxFormat.sniff('{"type": "bundle"}')).toBe(false);
    expect(anxFormat.sniff('<graphml><graph/></graphml>')).toBe(false);
  });
});

describe('ANX export', () => {
  const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });

  it('writes well-formed ANX that reads back as the same chart', () => {
    const text = exportAnx(demo);
    expect(XMLValidator.validate(text)).toBe(true);
    expect(exportAnx(demo)).toBe(text);
    const back = importAnx(text, options).file;
    const before = picture(demo);
    const after = picture(back);
    // Every type comes back but those that need a reference to stand (a passport's holder).
    const needsHolder = new Set(['Passport', 'Identification']);
    expect(after.nodes.map((node) => [node.caption, node.schema])).toEqual(
      before.nodes.map((node) => [
        node.caption,
        needsHolder.has(node.schema) ? 'LegalEntity' : node.schema,
      ]),
    );
    // Positions round-trip to the pixel (the export rounds them).
    const round = (at?: { x: number; y: number }) =>
      at && { x: Math.round(at.x), y: Math.round(at.y) };
    expect(after.nodes.map((node) => round(node.at))).toEqual(
      before.nodes.map((node) => round(node.at)),
    );
    expect(after.links.map((link) => [link.schema, link.from, link.to])).toEqual(
      before.links.map((link) => [link.schema, link.from, link.to]),
    );
  });

  it('round-trips the hand-made chart', () => {
    const first = importAnx(chartText, options).file;
    const again = importAnx(exportAnx(first), options);
    expect(picture(again.file)).toEqual(picture(first));
    const gun = byLabel(again.file, 'Glock 17, serial BXT-112');
    expect(gun.properties.keywords).toEqual(['i2 icon: Handgun']);
    expect(byLabel(again.file, 'Radu Cazacu').properties.notes).toEqual([
      'Date of Birth: 1979-04-12',
    ]);
  });

  it('keeps any text through an export and an import', () => {
    const person = demo.entities.find((record) => record.schema === 'Person')!;
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.string({ unit: 'binary' }),
        (name, description) => {
          const file = {
            ...demo,
            entities: [{ ...person, properties: { name: [name], description: [description] } }],
          };
          const back = importAnx(exportAnx(file), options).file;
          const expectedName = xmlText(name);
          const record = back.entities[0];
          if (expectedName === '') return; // a Person needs a name: reported, not imported
          expect(record?.properties.name).toEqual([expectedName]);
          expect(record?.properties.description ?? []).toEqual(
            xmlText(description) === '' ? [] : [xmlText(description)],
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ANX import of hostile input', () => {
  it('refuses document type declarations, so no entity is ever expanded', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Chart><ChartItemCollection><ChartItem Label="&lol2;"/></ChartItemCollection></Chart>`;
    expect(codeOf(() => importAnx(laughs, options))).toBe('anx.doctype');
    const external = `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><Chart/>`;
    expect(codeOf(() => importAnx(external, options))).toBe('anx.doctype');
  });

  it('refuses what is not XML or not a chart with a coded error', () => {
    expect(codeOf(() => importAnx('<Chart><ChartItem></Chart>', options))).toBe('anx.not-xml');
    expect(codeOf(() => importAnx('not xml at all', options))).toBe('anx.not-xml');
    expect(codeOf(() => importAnx('<graphml/>', options))).toBe('anx.not-a-chart');
    expect(codeOf(() => importAnx('<Chart/>', options))).toBe('imported');
    const deep = `<Chart>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</Chart>`;
    expect(codeOf(() => importAnx(deep, options))).not.toMatch(/^crash/);
  });

  it('never crashes on a mangled chart: an issue or a coded error, and a valid case', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(chartText.length),
            fc.nat(40),
            fc.oneof(
              fc.string(),
              fc.constantFrom('<', '>', '"', '&', '/>', '<ChartItem>', ' X="NaN"', ' End1Id="1"'),
            ),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        (edits) => {
          let text = chartText;
          for (const [at, cut, insert] of edits)
            text = text.slice(0, at) + insert + text.slice(at + cut);
          try {
            const { file } = importAnx(text, options);
            expect(caseFileSchema.safeParse(file).success).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(InterchangeError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never crashes on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(codeOf(() => importAnx(`<Chart>${text}</Chart>`, options))).not.toMatch(/^crash/);
        expect(codeOf(() => importAnx(text, options))).not.toMatch(/^crash/);
      }),
      { numRuns: 300 },
    );
  });
});
