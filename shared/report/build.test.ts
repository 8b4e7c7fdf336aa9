import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGREEMENT,
  attachment,
  chart,
  entity,
  inputOf,
  marks,
  note,
  notice,
  NOW,
  OWN,
  PARTNER,
} from '../exchange/fixtures/releaseFixtures.ts';
import type { AuditEntry } from '../model/records.ts';
import { buildReport } from './build.ts';
import { TABLE_CHUNK } from './sections.ts';
import { reportTexts } from './text.ts';
import type { ReportBlock, ReportDocument, ReportOptions } from './types.ts';
import { ReportError } from './types.ts';

const partner = { partnerId: PARTNER, partnerName: 'Bundeskriminalamt', agreement: AGREEMENT };

function options(over: Partial<ReportOptions> = {}): ReportOptions {
  return {
    template: 'case',
    author: 'DS Report Writer',
    ownAgencyId: OWN,
    now: NOW,
    timeZone: 'UTC',
    ...over,
  };
}

const alice = entity('p1', 'Person', { name: ['Alice Openshaw'], birthDate: ['1980-02-03'] });
const boris = entity(
  'p2',
  'Person',
  { name: ['Boris Hiddenfeld'] },
  { markings: marks({ tlp: 'RED' }) },
);
const phone = entity('ph1', 'Phone', { number: ['+447700900123'], owner: ['p1'] });
const secretProp = entity(
  'p3',
  'Person',
  { name: ['Carla Secretprop'], passportNumber: ['X1234567'] },
  { propertyMarkings: { passportNumber: marks({ classification: 'CONFIDENTIAL' }) } },
);
const family = entity('f1', 'Family', {
  person: ['p1'],
  relative: ['p2'],
  relationship: ['sister'],
});
const knows = entity('a1', 'Associate', { person: ['p1'], associate: ['p3'] });
const records = [
  alice,
  boris,
  phone,
  secretProp,
  family,
  knows,
  note('n1', 'p1', { title: 'Meeting at the harbour', body: 'Alice met a courier.' }),
  note('n2', 'p2', { title: 'About Boris', body: 'Boris Hiddenfeld runs the money.' }),
  attachment('at1', 'p1', { fileName: 'photo-alice.jpg', sha256: 'b'.repeat(64) }),
  notice('no1', 'p2', { summary: 'Wanted for laundering' }),
  chart('c1', ['p1', 'p2', 'p3', 'ph1']),
];

function blocks(doc: ReportDocument, key: string): readonly ReportBlock[] {
  return doc.sections.find((s) => s.key === key)?.blocks ?? [];
}

function text(doc: ReportDocument): string {
  return reportTexts(doc).join('\n');
}

describe('report model', () => {
  it('our own copy shows every live record, and each block carries the markings of what it shows', () => {
    const doc = buildReport(inputOf(records), options());
    expect(doc.audience).toMatch(/Own copy/);
    expect(text(doc)).toContain('Boris Hiddenfeld');
    const profiles = blocks(doc, 'profiles');
    const carla = profiles.find((b) => b.kind === 'fields' && b.title?.includes('Carla'))!;
    // A property marked CONFIDENTIAL raises the profile that shows it.
    expect(carla.markings.classification).toBe('CONFIDENTIAL');
    const aliceBlock = profiles.find((b) => b.kind === 'fields' && b.title?.includes('Alice'))!;
    expect(aliceBlock.markings.classification).toBe('UNCLASSIFIED');
    expect(aliceBlock.markings.tlp).toBe('AMBER');
    // A relationship row names both ends: Alice–Boris carries Boris's TLP:RED.
    const relationships = blocks(doc, 'relationships');
    expect(relationships.some((b) => b.markings.tlp === 'RED')).toBe(true);
    expect(doc.highest.tlp).toBe('RED');
    expect(doc.highest.classification).toBe('CONFIDENTIAL');
    // Attachments are listed with their SHA-256.
    expect(text(doc)).toContain('b'.repeat(64));
    expect(doc.sections.map((s) => s.key)).toEqual([
      'summary',
      'chart',
      'profiles',
      'sources',
      'relationships',
      'timeline',
      'notes',
      'notices',
      'attachments',
    ]);
  });

  it('a phone shows its owner by name, never by id', () => {
    const doc = buildReport(inputOf(records), options());
    const profile = blocks(doc, 'profiles').find(
      (b) => b.kind === 'fields' && b.title?.startsWith('Phone'),
    );
    expect(profile?.kind === 'fields' && profile.rows).toContainEqual(['Owner', 'Alice Openshaw']);
  });

  it('a report for a partner holds only what the release policy lets go, and says nothing of the rest', () => {
    const doc = buildReport(inputOf(records), options({ partner }));
    const all = text(doc);
    expect(doc.audience).toContain('Bundeskriminalamt');
    expect(all).toContain('Alice Openshaw');
    // Boris is TLP:RED (M1): he, his note, his notice and the relationship to him stay home.
    for (const gone of ['Boris Hiddenfeld', 'About Boris', 'Wanted for laundering', 'sister']) {
      expect(all).not.toContain(gone);
    }
    // The CONFIDENTIAL passport number is within the agreement; a SECRET one would be stripped.
    expect(doc.sections.some((s) => s.key === 'withheld')).toBe(false);
    expect(doc.schedule.every((row) => row.status === 'released')).toBe(true);
    expect(doc.highest.tlp).not.toBe('RED');
  });

  it('the author’s copy of a partner report lists what was withheld and why, marked as such', () => {
    const doc = buildReport(inputOf(records), options({ partner, authorCopy: true }));
    expect(doc.authorCopy).toBe(true);
    const withheld = blocks(doc, 'withheld');
    const all = withheld.flatMap((b) => (b.kind === 'table' ? b.rows.flat() : []));
    expect(all.join('\n')).toContain('Boris Hiddenfeld');
    expect(all.join('\n')).toMatch(/TLP:RED never leaves the agency \(M1\)/);
    // The list carries the markings of what it names.
    expect(withheld.some((b) => b.markings.tlp === 'RED')).toBe(true);
    expect(doc.schedule.some((r) => r.status === 'withheld' && r.recordId === 'p2')).toBe(true);
    // The body is still the partner's: Boris is only in the list of what stays.
    const body = doc.sections.filter((s) => s.key !== 'withheld');
    expect(JSON.stringify(body)).not.toContain('Boris Hiddenfeld');
  });

  it('refuses a partner report when the case itself may not go (code case-withheld)', () => {
    const input = inputOf(records, {});
    const refused = { ...input, case: { ...input.case, markings: marks({ tlp: 'RED' }) } };
    expect(() => buildReport(refused, options({ partner }))).toThrow(
      expect.objectContaining({ code: 'case-withheld' }),
    );
  });

  it('the second check refuses a report whose text names what stays (code mention)', () => {
    // The policy decides on records; the author's name is the report's own. Here it is a
    // withheld person's name, so the report would say it.
    let error: unknown;
    try {
      buildReport(inputOf(records), options({ partner, author: 'Boris Hiddenfeld' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ReportError);
    expect((error as ReportError).code).toBe('mention');
    // Our own copy has nothing to withhold.
    expect(() =>
      buildReport(inputOf(records), options({ author: 'Boris Hiddenfeld' })),
    ).not.toThrow();
  });

  it('a subject profile shows the chosen entities, their relationships, notes and attachments', () => {
    const doc = buildReport(inputOf(records), options({ template: 'subject', entityIds: ['p1'] }));
    const all = text(doc);
    expect(all).toContain('Alice Openshaw');
    expect(all).toContain('Meeting at the harbour');
    expect(all).toContain('photo-alice.jpg');
    expect(blocks(doc, 'profiles')).toHaveLength(1);
    expect(() => buildReport(inputOf(records), options({ template: 'subject' }))).toThrow(
      expect.objectContaining({ code: 'no-subject' }),
    );
    // For the partner, a subject it may not see is no subject at all.
    expect(() =>
      buildReport(inputOf(records), options({ template: 'subject', entityIds: ['p2'], partner })),
    ).toThrow(expect.objectContaining({ code: 'no-subject' }));
  });

  it('a chart briefing draws the chart as SVG with a legend; for the partner without withheld nodes', () => {
    const own = buildReport(inputOf(records), options({ template: 'chart', chartId: 'c1' }));
    const drawing = blocks(own, 'chart')[0]!;
    expect(drawing.kind).toBe('chart');
    if (drawing.kind !== 'chart') return;
    expect(drawing.svg).toMatch(/^<svg /);
    expect(drawing.svg).toContain('Boris Hiddenfeld');
    expect(drawing.legend.map((l) => l.label)).toContain('Persons and links between them');
    expect(drawing.markings.tlp).toBe('RED');
    const theirs = buildReport(
      inputOf(records),
      options({ template: 'chart', chartId: 'c1', partner }),
    );
    const drawn = blocks(theirs, 'chart')[0]!;
    expect(drawn.kind === 'chart' && drawn.svg).not.toContain('Boris');
    expect(() =>
      buildReport(inputOf(records), options({ template: 'chart', chartId: 'nope' })),
    ).toThrow(expect.objectContaining({ code: 'no-chart' }));
  });

  it('the disclosure schedule lists every item with marking, source, grade and SHA-256', () => {
    const doc = buildReport(inputOf(records), options({ template: 'schedule' }));
    expect(doc.schedule).toHaveLength(records.length);
    const photo = doc.schedule.find((r) => r.recordId === 'at1')!;
    expect(photo).toMatchObject({ kind: 'attachment', sha256: 'b'.repeat(64), status: 'held' });
    const person = doc.schedule.find((r) => r.recordId === 'p1')!;
    expect(person).toMatchObject({ kind: 'entity', grade: 'B2', source: 'test' });
    expect(doc.schedule.map((r) => r.ref)).toEqual(
      records.map((_, i) => `D-${String(i + 1).padStart(3, '0')}`),
    );
  });

  it('the audit appendix of a partner report leaves out change summaries and withheld records', () => {
    const entry = (recordId: string, summary: string): AuditEntry => ({
      id: `au-${recordId}`,
      caseId: 'case1',
      recordId,
      recordKind: 'entity',
      action: 'update',
      actor: 'tester',
      at: NOW,
      hlc: '0',
      changeId: 'ch',
      summary,
    });
    const audit = [entry('p1', "name: 'Alice Earliername' → 'Alice Openshaw'"), entry('p2', 'x')];
    const own = buildReport({ ...inputOf(records), audit }, options({ auditAppendix: true }));
    expect(text(own)).toContain('Alice Earliername');
    const theirs = buildReport(
      { ...inputOf(records), audit },
      options({ auditAppendix: true, partner }),
    );
    const rows = blocks(theirs, 'audit').flatMap((b) => (b.kind === 'table' ? b.rows : []));
    expect(rows).toHaveLength(1);
    expect(text(theirs)).not.toContain('Alice Earliername');
  });

  it('long tables are cut into blocks, each with the markings of its own rows only', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (reds) => {
        const people = reds.map((red, i) =>
          entity(
            `q${i}`,
            'Person',
            { name: [`Person ${i}`] },
            red ? { markings: marks({ tlp: 'RED' }) } : {},
          ),
        );
        const doc = buildReport(inputOf(people), options());
        const sources = blocks(doc, 'sources');
        expect(sources).toHaveLength(Math.ceil(reds.length / TABLE_CHUNK));
        sources.forEach((block, i) => {
          const chunk = reds.slice(i * TABLE_CHUNK, (i + 1) * TABLE_CHUNK);
          expect(block.markings.tlp).toBe(chunk.some(Boolean) ? 'RED' : 'AMBER');
        });
      }),
      { numRuns: 30 },
    );
  });
});
