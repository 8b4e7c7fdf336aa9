/**
 * Reports written as PDF and read back with poppler (`pdftotext`, `pdftoppm`): the banner with the
 * highest marking of what is on each page, at top and bottom of every page, "Page x of y", and no
 * withheld name in a partner's copy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGREEMENT,
  chart,
  entity,
  inputOf,
  marks,
  note,
  NOW,
  OWN,
  PARTNER,
} from '../../../shared/exchange/fixtures/releaseFixtures.ts';
import { buildReport } from '../../../shared/report/build.ts';
import { bannerText, reportToPdf } from '../../../shared/report/pdf.ts';
import type { ReportOptions } from '../../../shared/report/types.ts';
import { nodePdfEngine } from './pdfEngine.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-report-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The text of each page, as pdftotext lays it out. */
function pages(bytes: Uint8Array): string[] {
  const file = path.join(dir, `r${Math.random().toString(16).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  const result = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return result.stdout.split('\f').filter((page) => page.trim() !== '');
}

function lines(page: string): string[] {
  return page
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const options: ReportOptions = {
  template: 'case',
  author: 'DS Report Writer',
  ownAgencyId: OWN,
  now: NOW,
  timeZone: 'UTC',
};

// Forty ordinary people and one SECRET / ORCON person among them, so the profiles run over pages.
const people = Array.from({ length: 40 }, (_, i) =>
  entity(`p${i}`, 'Person', {
    name: [`Ordinary Person ${i}`],
    birthDate: ['1980-01-01'],
    nationality: ['gb'],
  }),
);
const secret = entity(
  'ps',
  'Person',
  { name: ['Zed Topsecret'] },
  { markings: marks({ classification: 'SECRET', handlingCode: 'ORCON' }) },
);
const withheld = entity(
  'pr',
  'Person',
  { name: ['Rita Redlight'] },
  { markings: marks({ tlp: 'RED' }) },
);
const records = [
  ...people.slice(0, 20),
  secret,
  ...people.slice(20),
  withheld,
  note('n1', 'pr', { title: 'Rita at the port' }),
];

describe('PDF reports', () => {
  it('puts on every page, top and bottom, the highest marking of what is on it, and page x of y', async () => {
    const doc = buildReport(inputOf(records), options);
    const text = pages(await reportToPdf(doc, nodePdfEngine()));
    expect(text.length).toBeGreaterThan(4);
    const low = bannerText(marks());
    const high = bannerText(marks({ classification: 'SECRET', handlingCode: 'ORCON' }));
    let lowPages = 0;
    text.forEach((page, i) => {
      const all = lines(page);
      const banner = all[0]!;
      // The same banner at the top and at the bottom (above the page number line).
      expect(all.at(-2)).toBe(banner);
      expect(all.at(-1)).toMatch(new RegExp(`^NCA/2025/1\\s+Page ${i + 1} of ${text.length}$`));
      if (page.includes('Zed Topsecret')) expect(banner).toContain('SECRET');
      if (page.includes('Rita Redlight')) expect(banner).toContain('TLP:RED');
      if (banner === low) lowPages++;
    });
    // The cover states the highest marking of the whole report.
    expect(lines(text[0]!)[0]).toBe(bannerText(doc.highest));
    expect(doc.highest.classification).toBe('SECRET');
    expect(high).toContain('ORCON');
    // Pages with ordinary people only are not raised by the SECRET one elsewhere.
    expect(lowPages).toBeGreaterThan(1);
  }, 120_000);

  it('a partner’s copy never shows a withheld name; the author’s copy says what it is on every page', async () => {
    const partner = { partnerId: PARTNER, partnerName: 'Bundeskriminalamt', agreement: AGREEMENT };
    const theirs = pages(
      await reportToPdf(buildReport(inputOf(records), { ...options, partner }), nodePdfEngine()),
    );
    const joined = theirs.join('\n');
    expect(joined).toContain('Ordinary Person 7');
    for (const name of ['Rita Redlight', 'Rita at the port', 'Zed Topsecret']) {
      expect(joined).not.toContain(name);
    }
    const authors = pages(
      await reportToPdf(
        buildReport(inputOf(records), { ...options, partner, authorCopy: true }),
        nodePdfEngine(),
      ),
    );
    for (const page of authors) {
      expect(lines(page)[0]).toContain('AUTHOR’S COPY — NOT FOR RELEASE');
    }
    expect(authors.join('\n')).toContain('Rita Redlight');
  }, 120_000);

  it('draws the chart as vector text and shapes, and renders with pdftoppm', async () => {
    const charted = entity('c9', 'Person', { name: ['Charted Person'] });
    const input = inputOf([...people.slice(0, 3), charted, chart('ch', ['p0', 'p1', 'c9'])]);
    const doc = buildReport(input, { ...options, template: 'chart', chartId: 'ch' });
    const bytes = await reportToPdf(doc, nodePdfEngine());
    const chartPage = pages(bytes).find((page) => page.includes('Persons and links between them'));
    // The SVG's labels are text in the PDF, not pixels.
    expect(chartPage).toContain('Charted Person');
    const file = path.join(dir, 'render.pdf');
    writeFileSync(file, bytes);
    const png = spawnSync('pdftoppm', [
      '-png',
      '-r',
      '30',
      '-f',
      '1',
      '-l',
      '2',
      file,
      path.join(dir, 'page'),
    ]);
    expect(png.status).toBe(0);
  }, 60_000);
});
