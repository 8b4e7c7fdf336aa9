/**
 * `tessera report`, spawned as a user would run it: the demo case as our own copy and for a
 * partner under its card and agreement (read back with pdftotext), DOCX and XLSX by extension, and
 * the refusals that write nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { markedReleasableTo } from './testSupport.ts';
import { DATA_CATEGORIES } from '../../../shared/exchange/agreement.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
const env = { ...process.env, TESSERA_PASSPHRASE: 'cli test: quartz lantern meadow 7 harbour' };
let root: string;

function tessera(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repo, 'bin/tessera.mjs'), ...args], {
    env,
    encoding: 'utf8',
    cwd: root,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function pdfText(file: string): string {
  const result = spawnSync('pdftotext', ['-enc', 'UTF-8', path.join(root, file), '-'], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return result.stdout;
}

const forB = ['--for', 'b/identity.json', '--agreement', 'ab.json'];
let victims: string[] = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-cli-report-'));
  expect(tessera('identity', 'create', '--name', 'Agency B', '--dir', 'b').code).toBe(0);
  expect(tessera('case', 'demo', '--agency', 'agency-a', '--out', 'DEMO.json').code).toBe(0);
  const file = parseCaseFile(await fs.readFile(path.join(root, 'DEMO.json'), 'utf8'));
  // The officer marks everything releasable to B; the victims stay home under TLP:RED.
  const marked = markedReleasableTo(file, 'agency-b');
  victims = file.entities
    .map((e) => e.properties.name?.[0] ?? '')
    .filter((name) => /^Victim V-0\d$/.test(name));
  expect(victims).toHaveLength(4);
  await fs.writeFile(path.join(root, 'DEMO-B.json'), JSON.stringify(marked));
  await fs.writeFile(
    path.join(root, 'ab.json'),
    JSON.stringify({
      partnerAgencyId: 'agency-b',
      legalBasis: 'MOU A-B 2024/1 (test)',
      crimeAreas: ['trafficking in human beings', 'labour exploitation', 'money laundering'],
      highestClassification: 'SECRET',
      categories: [...DATA_CATEGORIES],
      retentionDays: 365,
      validFrom: '2020-01-01',
    }),
  );
}, 240_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('tessera report', () => {
  it('writes our own copy of the case summary as PDF, with every victim in it', () => {
    const result = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'case',
      '--out',
      'own.pdf',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = pdfText('own.pdf');
    for (const victim of victims) expect(text).toContain(victim);
    expect(text).toMatch(/Page 1 of \d+/);
  }, 120_000);

  it('for a partner, runs the release policy: no victim in the report; the author’s copy lists them', () => {
    const result = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'case',
      ...forB,
      '--out',
      'b.pdf',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('For Agency B (agency-b)');
    const text = pdfText('b.pdf');
    expect(text).toContain('DEMO/2024/0417');
    for (const victim of victims) expect(text).not.toContain(victim);
    expect(text).not.toContain('Withheld from');

    const author = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'case',
      ...forB,
      '--author-copy',
      '--out',
      'b-author.pdf',
    );
    expect(author.code).toBe(0);
    const authorText = pdfText('b-author.pdf');
    expect(authorText).toContain('AUTHOR’S COPY — NOT FOR RELEASE');
    for (const victim of victims) expect(authorText).toContain(victim);
  }, 120_000);

  it('writes the disclosure schedule as XLSX and the case summary as DOCX, by extension', () => {
    expect(
      tessera('report', '--in', 'DEMO-B.json', '--template', 'schedule', ...forB, '--out', 's.xlsx')
        .code,
    ).toBe(0);
    expect(
      tessera('report', '--in', 'DEMO-B.json', '--template', 'case', '--out', 'c.docx').code,
    ).toBe(0);
    for (const file of ['s.xlsx', 'c.docx']) {
      // Both are zip containers.
      expect(readFileSync(path.join(root, file)).subarray(0, 2).toString('latin1')).toBe('PK');
    }
    const xml = spawnSync('unzip', ['-p', path.join(root, 's.xlsx')], { encoding: 'utf8' }).stdout;
    expect(xml).toContain('Disclosure schedule');
    for (const victim of victims) expect(xml).not.toContain(victim);
  }, 120_000);

  it('refuses without writing: the case may not go, bad arguments', () => {
    // The demo as generated is marked releasable to nobody: the case itself may not go to B.
    const refused = tessera(
      'report',
      '--in',
      'DEMO.json',
      '--template',
      'case',
      ...forB,
      '--out',
      'no.pdf',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing written \(case-withheld\)/);
    expect(existsSync(path.join(root, 'no.pdf'))).toBe(false);

    const noAgreement = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'case',
      '--for',
      'b/identity.json',
      '--out',
      'x.pdf',
    );
    expect(noAgreement.code).toBe(2);
    expect(noAgreement.stderr).toMatch(/needs its --agreement/);
    const badTemplate = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'memo',
      '--out',
      'x.pdf',
    );
    expect(badTemplate.code).toBe(2);
    const badFormat = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'case',
      '--out',
      'x.txt',
    );
    expect(badFormat.code).toBe(2);
    const noSubject = tessera(
      'report',
      '--in',
      'DEMO-B.json',
      '--template',
      'subject',
      '--out',
      'x.pdf',
    );
    expect(noSubject.code).toBe(1);
    expect(noSubject.stderr).toMatch(/\(no-subject\)/);
    expect(existsSync(path.join(root, 'x.pdf'))).toBe(false);
  }, 120_000);
});
