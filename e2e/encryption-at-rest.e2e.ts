/**
 * Proof of issue 10: a locked Tessera leaves no case content on disk. A persistent Chromium profile
 * (a real user-data-dir, as the desktop app and a web-host user have) gets the demo case plus
 * canary strings in every record kind — names, phone numbers, IBANs, case text, note text,
 * attachment bytes and file names, chart names, notices, a chart's formatting rule and a pair ruled
 * "not a duplicate" (both once kept in localStorage) — then the store is locked and the browser
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
import { viewStateKey } from '../renderer/db/viewState.ts';
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
    ruleValue: `${word(9)} ${word(10)}`,
  };
}
type Canaries = ReturnType<typeof makeCanaries>;
/** The canaries plus the "not a duplicate" pair, whose ids are known only after seeding. */
type AllCanaries = Canaries & { readonly dismissedPair: string };

// The UI's names, written out here because e2e imports of renderer/ stop at the store: a chart's
// rules (renderer/chart/chartOverlay.ts chartRulesView), the ruled-out pairs and their key
// (renderer/resolution/duplicatesModel.ts DISMISSED_VIEW, pairKey).
const chartRulesView = (chartId: string) => `chart-rules:${chartId}`;
const DISMISSED_VIEW = 'not-duplicates';
const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

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
async function scan(roots: readonly string[], canaries: AllCanaries): Promise<Map<string, string>> {
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
): Promise<{ found: Map<string, string>; files: number; total: number }> {
  const host: TestHost = await startHost({ testing: { unencryptedStore: mode === 'control' } });
  const profile = await mkdtemp(join(tmpdir(), `tessera-profile-${mode}-`));
  let all: AllCanaries | undefined;
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
      const seeded = await page.evaluate(async (c) => {
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
          birthDate: ['1971-05-09'],
        });
        // Same name and birth date: a duplicate candidate, which the test rules out below.
        const twin = await repo.createEntity(kase.id, 'Person', {
          name: [c.personName],
          birthDate: ['1971-05-09'],
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
        const chart = await repo.createChart(kase.id, c.chartName, nodes);
        return { caseId: kase.id, chartId: chart.id, personId: person.id, twinId: twin.id };
      }, canaries);
      all = { ...canaries, dismissedPair: pairKey(seeded.personId, seeded.twinId) };
      // A formatting rule as an older build's user would have it, written into the store (typing
      // it into the legend's form could leave it in Chromium's session files, which this test does
      // not look at); the legend then reads it back and a click saves it again through the app.
      const rule = {
        id: 'canary-rule',
        when: { kind: 'property', property: 'name', op: 'contains', value: canaries.ruleValue },
        color: '#e15759',
      };
      await page.evaluate(
        async ({ key, value }) => {
          const storage = await window.__tesseraApp!.storage();
          await storage.work.commit({
            label: 'Seed a formatting rule',
            undoable: false,
            write: (tx) => tx.putMeta(key, value),
          });
        },
        { key: viewStateKey(seeded.caseId, chartRulesView(seeded.chartId)), value: [rule] },
      );
      // Open the canary case, so the search index, chart and tables have held the plaintext.
      await page.getByTestId('home').click();
      await page.locator('.case-open-link', { hasText: canaries.caseTitle }).click();
      await page.getByTestId('case-workspace').waitFor();

      // Rule out the twin pair in the Duplicates panel.
      await page.getByTestId('tab-duplicates').click();
      await page.getByTestId('duplicate-pair-0').waitFor({ timeout: 15_000 });
      await page.getByTestId('duplicate-pair-0').click();
      await page.getByTestId('duplicate-dismiss').click();
      await page.getByTestId('duplicate-pair-0').waitFor({ state: 'detached' });

      // The chart's legend shows the stored rule; adding a second one saves both.
      await page.getByTestId('tab-chart').click();
      await page.getByTestId('chart-picker').selectOption(seeded.chartId);
      await page.getByTestId('chart-legend-toggle').click();
      const rules = page.getByTestId('chart-rules').locator('li');
      await expect.poll(() => rules.first().textContent()).toContain(canaries.ruleValue);
      await page.getByTestId('chart-rule-add').click();
      await expect.poll(() => rules.count()).toBe(2);
      // Both saves landed before the lock.
      const stored = (keys: readonly string[]) =>
        page.evaluate(async (wanted) => {
          const { db } = await window.__tesseraApp!.storage();
          const values = await Promise.all(wanted.map((key) => db.meta.get(key)));
          return values.map((entry) => JSON.stringify(entry?.value ?? null));
        }, keys);
      await expect
        .poll(() =>
          stored([
            viewStateKey(seeded.caseId, chartRulesView(seeded.chartId)),
            viewStateKey(seeded.caseId, DISMISSED_VIEW),
          ]),
        )
        .toEqual([
          expect.stringMatching(/canary-rule.*,\{/),
          expect.stringContaining(all.dismissedPair),
        ]);

      if (mode === 'encrypted') {
        await page.getByTestId('lock-now').click();
        await page.getByTestId('vault-unlock').waitFor();
        // Nothing of a case behind the lock screen.
        const text = await page.locator('body').innerText();
        for (const value of Object.values(all)) expect(text).not.toContain(value);
        await screenshot(page, 'locked-after-seeding');
      }
      app.assertNoExternalRequests();
      expect(app.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
    const roots = [profile, host.dataDir];
    const files = (await Promise.all(roots.map(filesUnder))).flat().length;
    return { found: await scan(roots, all), files, total: Object.keys(all).length };
  } finally {
    await host.close();
    await rm(profile, { recursive: true, force: true });
  }
}

describe('encryption at rest (issue 10 proof)', () => {
  it('the control run (no encryption) finds at least 90 % of the canaries on disk', async () => {
    const { found, files, total } = await seedLockAndScan('control', makeCanaries());
    expect(files).toBeGreaterThan(10);
    // The two values that used to sit in localStorage are where the scan can see them.
    expect([...found.keys()]).toEqual(expect.arrayContaining(['ruleValue', 'dismissedPair']));
    expect(found.size / total, `found ${[...found.keys()].join(', ')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('the encrypted run finds none of them in the profile or the data directory', async () => {
    const { found, files } = await seedLockAndScan('encrypted', makeCanaries());
    expect(files).toBeGreaterThan(10);
    expect(Object.fromEntries(found)).toEqual({});
  });
});
