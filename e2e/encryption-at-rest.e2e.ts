/**
 * Proof of issue 10: a locked Tessera leaves no case content on disk. A persistent Chromium profile
 * (a real user-data-dir, as the desktop app and a web-host user have) gets the demo case plus
 * canary strings in every record kind — names, phone numbers, IBANs, case text, note text,
 * attachment bytes and file names, chart names, notices — then the store is locked and the browser
 * closed. Every file of the profile and of the web host's data directory is scanned for every
 * canary in UTF-8, Latin-1 and UTF-16LE (Chromium's IndexedDB stores strings as Latin-1 or UTF-16).
 *
 * The control run is the same with the test-only unencrypted store (app.info `testing`, which only
 * a host started by the test runner gives): it must find at least 90 % of the canaries, which shows
 * the scan would see them; the encrypted run must find none. Canaries are random, with no shared
 * prefix, so LevelDB's Snappy compression cannot hide one behind a back-reference to another.
 */
import { randomInt } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { ibanWithCheckDigits } from '../shared/demo/demoCase.ts';
import { CHROMIUM_ARGS, openAppIn, screenshot, startHost } from './harness/index.ts';
import type { TestHost } from './harness/index.ts';

const LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

function word(length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += LETTERS[randomInt(LETTERS.length)];
  return text[0] + text.slice(1).toLowerCase();
}

function digits(length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += String(randomInt(10));
  return text;
}

/** One canary per place a case's content can be; all random, so each is unique on the disk. */
function makeCanaries() {
  return {
    caseTitle: `${word(9)} ${word(8)} operation`,
    caseDescription: `${word(10)} ${word(7)} ${word(9)}`,
    personName: `${word(8)} ${word(11)}`,
    // Not Latin-1 (ż, ł): Chromium stores the whole string as UTF-16LE.
    personNameUtf16: `Żółw${word(7).toLowerCase()} Łęski${word(6).toLowerCase()}`,
    companyName: `${word(9)} ${word(6)} SRL`,
    phone: `+99 ${digits(3)} ${digits(4)} ${digits(5)}`,
    // Kosovo's format (XKkk + 16 digits), with valid check digits: the repository validates IBANs.
    iban: ibanWithCheckDigits('XK', digits(16)),
    email: `${word(8).toLowerCase()}.${word(7).toLowerCase()}@${word(6).toLowerCase()}.example`,
    noteTitle: `${word(8)} ${word(9)} debrief`,
    noteBody: `Informant ${word(9)} met ${word(8)} near ${word(10)} at dawn`,
    attachmentName: `${word(10).toLowerCase()}-${digits(6)}.txt`,
    attachmentBytes: `statement ${word(12)} ${digits(8)} ${word(11)}`,
    chartName: `${word(9)} ${word(8)} network`,
    noticeSummary: `${word(9)} wanted for ${word(10)}`,
  };
}
type Canaries = ReturnType<typeof makeCanaries>;

/** Every regular file under `root`, recursively (links and sockets skipped). */
async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(root, entry);
    const info = await lstat(path).catch(() => null);
    if (info?.isFile()) out.push(path);
  }
  return out;
}

function encodings(text: string): Buffer[] {
  const forms = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
  // Latin-1 only where the text has a Latin-1 form (otherwise Buffer would mangle it).
  if ([...text].every((char) => char.charCodeAt(0) <= 0xff)) {
    forms.push(Buffer.from(text, 'latin1'));
  }
  return forms;
}

/** Names of the canaries found in any file under any of `roots`, with where. */
async function scan(roots: readonly string[], canaries: Canaries): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const wanted = Object.entries(canaries).map(([name, text]) => ({ name, forms: encodings(text) }));
  for (const root of roots) {
    for (const file of await filesUnder(root)) {
      const bytes = await readFile(file).catch(() => null);
      if (!bytes) continue;
      for (const { name, forms } of wanted) {
        if (!found.has(name) && forms.some((form) => bytes.includes(form))) found.set(name, file);
      }
    }
  }
  return found;
}

/** Seeds one profile through the app, locks it, closes the browser, scans; returns the finds. */
async function seedLockAndScan(
  mode: 'encrypted' | 'control',
  canaries: Canaries,
): Promise<{ found: Map<string, string>; files: number }> {
  const host: TestHost = await startHost({ testing: { unencryptedStore: mode === 'control' } });
  const profile = await mkdtemp(join(tmpdir(), `tessera-profile-${mode}-`));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      viewport: { width: 1366, height: 768 },
      serviceWorkers: 'block',
    });
    try {
      const app = await openAppIn(context, host, { testHooks: true });
      const { page } = app;
      // The demo case is loaded at the first unlock; wait for it, then add the canaries.
      await page.getByTestId('demo-banner').waitFor();
      await page.evaluate(async (c) => {
        const repo = window.__tesseraApp!.repository;
        const kase = await repo.createCase({
          reference: 'ZZ/CAN/0001',
          title: c.caseTitle,
          leadInvestigator: 'canary test',
          description: c.caseDescription,
        });
        const person = await repo.createEntity(kase.id, 'Person', {
          name: [c.personName],
          email: [c.email],
        });
        const other = await repo.createEntity(kase.id, 'Person', { name: [c.personNameUtf16] });
        const company = await repo.createEntity(kase.id, 'Company', { name: [c.companyName] });
        const phone = await repo.createEntity(kase.id, 'Phone', { number: [c.phone] });
        const account = await repo.createEntity(kase.id, 'BankAccount', { iban: [c.iban] });
        await repo.createNote(kase.id, {
          title: c.noteTitle,
          body: c.noteBody,
          entityId: person.id,
        });
        await repo.addAttachment(kase.id, {
          fileName: c.attachmentName,
          mediaType: 'text/plain',
          content: new Blob([c.attachmentBytes], { type: 'text/plain' }),
          entityId: person.id,
        });
        await repo.createNotice(kase.id, {
          noticeType: 'red',
          reference: 'ZZ-CAN-1',
          issuingAgency: 'canary test',
          status: 'issued',
          summary: c.noticeSummary,
          subjectId: other.id,
        });
        const nodes = Object.fromEntries(
          [person, other, company, phone, account].map((entity, i) => [
            entity.id,
            { x: i * 80, y: 40 },
          ]),
        );
        await repo.createChart(kase.id, c.chartName, nodes);
      }, canaries);
      // Open the canary case, so the search index, chart and tables have held the plaintext.
      await page.getByTestId('home').click();
      await page.locator('.case-open-link', { hasText: canaries.caseTitle }).click();
      await page.getByTestId('case-workspace').waitFor();
      if (mode === 'encrypted') {
        await page.getByTestId('lock-now').click();
        await page.getByTestId('vault-unlock').waitFor();
        // Nothing of a case behind the lock screen.
        const text = await page.locator('body').innerText();
        for (const value of Object.values(canaries)) expect(text).not.toContain(value);
        await screenshot(page, 'locked-after-seeding');
      }
      app.assertNoExternalRequests();
      expect(app.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
    const roots = [profile, host.dataDir];
    const files = (await Promise.all(roots.map(filesUnder))).flat().length;
    return { found: await scan(roots, canaries), files };
  } finally {
    await host.close();
    await rm(profile, { recursive: true, force: true });
  }
}

describe('encryption at rest (issue 10 proof)', () => {
  it('the control run (no encryption) finds at least 90 % of the canaries on disk', async () => {
    const canaries = makeCanaries();
    const total = Object.keys(canaries).length;
    const { found, files } = await seedLockAndScan('control', canaries);
    expect(files).toBeGreaterThan(10);
    expect(found.size / total, `found ${[...found.keys()].join(', ')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('the encrypted run finds none of them in the profile or the data directory', async () => {
    const { found, files } = await seedLockAndScan('encrypted', makeCanaries());
    expect(files).toBeGreaterThan(10);
    expect(Object.fromEntries(found)).toEqual({});
  });
});
