/**
 * DOCX and XLSX reports, unzipped and read as XML: per-section banners with "Page x of y" in the
 * Word document, and the disclosure schedule's rows and printed banner in the workbook.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGREEMENT,
  attachment,
  entity,
  inputOf,
  marks,
  NOW,
  OWN,
  PARTNER,
} from '../../../shared/exchange/fixtures/releaseFixtures.ts';
import { buildReport } from '../../../shared/report/build.ts';
import { reportToDocx } from '../../../shared/report/docx.ts';
import { reportToXlsx } from '../../../shared/report/xlsx.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-report-office-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each part of a zip container, by name. */
function parts(bytes: Uint8Array): Map<string, string> {
  const file = path.join(dir, `r${Math.random().toString(16).slice(2)}.zip`);
  writeFileSync(file, bytes);
  const list = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' }).stdout.trim().split('\n');
  return new Map(
    list.map((name) => [name, spawnSync('unzip', ['-p', file, name], { encoding: 'utf8' }).stdout]),
  );
}

const records = [
  entity('p1', 'Person', { name: ['Alice Openshaw'] }),
  entity('p2', 'Person', { name: ['Boris Hiddenfeld'] }, { markings: marks({ tlp: 'RED' }) }),
  entity(
    'p3',
    'Person',
    { name: ['Carla Confidential'] },
    { markings: marks({ classification: 'CONFIDENTIAL' }) },
  ),
  attachment('at1', 'p1', { fileName: 'photo.jpg', sha256: 'c'.repeat(64) }),
];
const options = { author: 'DS Writer', ownAgencyId: OWN, now: NOW, timeZone: 'UTC' } as const;
const partner = { partnerId: PARTNER, partnerName: 'Bundeskriminalamt', agreement: AGREEMENT };

describe('DOCX and XLSX reports', () => {
  it('DOCX: every section has a header and footer with its highest marking, and page x of y', async () => {
    const doc = buildReport(inputOf(records), { ...options, template: 'case' });
    const xml = parts(await reportToDocx(doc));
    const headers = [...xml].filter(([name]) => /^word\/header\d+\.xml$/.test(name));
    const footers = [...xml].filter(([name]) => /^word\/footer\d+\.xml$/.test(name));
    // The cover and each report section.
    expect(headers).toHaveLength(doc.sections.length + 1);
    expect(footers).toHaveLength(doc.sections.length + 1);
    const banners = headers.map(([, text]) => /<w:t[^>]*>([^<]*)<\/w:t>/.exec(text)?.[1]);
    expect(banners).toContain('CONFIDENTIAL · TLP:RED'); // the cover: the highest of the report
    expect(banners).toContain('UNCLASSIFIED · TLP:AMBER'); // e.g. the summary
    for (const [, text] of footers) {
      expect(text).toContain('PAGE');
      expect(text).toContain('NUMPAGES');
    }
    expect(xml.get('word/document.xml')).toContain('Boris Hiddenfeld');
    // A section's banner is at least the marking of everything in it.
    const body = xml.get('word/document.xml')!;
    expect(body).toContain('[CONFIDENTIAL · TLP:AMBER]');
  });

  it('DOCX for a partner holds no withheld name', async () => {
    const doc = buildReport(inputOf(records), { ...options, template: 'case', partner });
    const all = [...parts(await reportToDocx(doc)).values()].join('\n');
    expect(all).toContain('Alice Openshaw');
    expect(all).not.toContain('Boris Hiddenfeld');
  });

  it('XLSX: one row per item with marking, grade, SHA-256 and status; the banner printed on every page', async () => {
    const doc = buildReport(inputOf(records), {
      ...options,
      template: 'schedule',
      partner,
      authorCopy: true,
    });
    const xml = parts(await reportToXlsx(doc));
    const strings = xml.get('xl/sharedStrings.xml') ?? '';
    const sheet = xml.get('xl/worksheets/sheet1.xml') ?? '';
    expect(strings).toContain('c'.repeat(64));
    expect(strings).toContain('withheld');
    expect(strings).toContain('released');
    // The author's copy lists Boris as withheld, and says what it is on every printed page.
    expect(strings).toContain('Boris Hiddenfeld');
    expect(sheet).toMatch(/<oddHeader>[^<]*AUTHOR’S COPY/);
    expect(sheet).toMatch(/<oddFooter>[^<]*Page &amp;P of &amp;N/);
    const theirs = buildReport(inputOf(records), { ...options, template: 'schedule', partner });
    const theirStrings = parts(await reportToXlsx(theirs)).get('xl/sharedStrings.xml') ?? '';
    expect(theirStrings).not.toContain('Boris Hiddenfeld');
    expect(theirStrings).not.toContain('withheld');
  });
});
