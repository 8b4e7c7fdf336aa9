/**
 * The screenshots of docs/screenshots/ (issue 12): the demo case at 1366×768 and 1920×1080, light
 * and dark — chart, entity table, export preview, report dialog (where the build has one) and the
 * lock screen. Not part of the e2e run (the file name does not end in .e2e.ts): run it with
 * `node scripts/screenshots.mjs`, which builds the renderer when needed and runs this file with
 * the e2e settings. Two web hosts: agency A shows the demo case, agency B is only its partner.
 *
 * The PNGs are compressed by `pngquant` when it is installed (Debian package `pngquant`), else
 * written as Chromium writes them; the run prints each file's size and the total.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openApp, passLockScreens, startHost } from './harness/index.ts';
import type { AppPage, TestHost } from './harness/index.ts';
import { nameAgency, pairAgencies } from './harness/exchangeSetup.ts';
import type { Agency } from './harness/exchangeSetup.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;
const THEMES = ['light', 'dark'] as const;
/** The demo case's crime areas (shared/demo/demoCase.ts), so the agreement covers it. */
const DEMO_CRIME_AREAS = ['trafficking in human beings', 'labour exploitation', 'money laundering'];
const PARTNER = 'agency-b';

let browser: Browser;
let hostA: TestHost;
let hostB: TestHost;
let app: AppPage | undefined;

beforeAll(async () => {
  [hostA, hostB] = await Promise.all([startHost(), startHost()]);
  browser = await launchBrowser();
  const a: Agency = { host: hostA, agencyId: 'agency-a', agencyName: 'Agency A' };
  const b: Agency = { host: hostB, agencyId: PARTNER, agencyName: 'Agency B' };
  await Promise.all([nameAgency(a, 'Insp. Maria Huber'), nameAgency(b)]);
  await pairAgencies(a, b, { crimeAreas: DEMO_CRIME_AREAS });
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
  await Promise.all([hostA?.close(), hostB?.close()]);
});

function hasPngquant(): boolean {
  try {
    execFileSync('pngquant', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function shoot(page: Page, name: string, optimise: boolean): Promise<void> {
  // Notifications of the set-up steps are not part of the picture.
  for (const button of await page.locator('.app-notifications button[aria-label="Dismiss"]').all())
    await button.click().catch(() => undefined);
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  if (optimise) {
    execFileSync('pngquant', [
      '--force',
      '--skip-if-larger',
      '--quality=70-95',
      '--ext=.png',
      path,
    ]);
  }
}

/** Settles the chart: the layout runs in a worker and animates. */
async function showTab(page: Page, tab: string, settleMs: number): Promise<void> {
  await page.getByTestId(`tab-${tab}`).click();
  await page.waitForTimeout(settleMs);
}

/** The report dialog, opened through the command palette when this build has a report command. */
async function openReport(page: Page): Promise<boolean> {
  await page.keyboard.press('Control+Shift+P');
  await page.getByTestId('palette-input').fill('report');
  const entry = page.locator('[data-testid^="palette-"][data-testid*="eport"]').first();
  if ((await entry.count()) === 0) {
    await page.keyboard.press('Escape');
    return false;
  }
  await entry.click();
  try {
    await page.locator('dialog[open]').first().waitFor({ timeout: 10_000 });
  } catch {
    // A report command that opens no dialog (a download, say): nothing to picture.
    console.log('the report command opened no dialog: no report screenshot');
    return false;
  }
  await page.waitForTimeout(500);
  return true;
}

it('writes the screenshots of the demo case', { timeout: 600_000 }, async () => {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const optimise = hasPngquant();
  app = await openApp(browser, hostA);
  const { page } = app;
  await page.getByTestId('case-list').waitFor();
  await page.locator('[data-testid^="case-row-"] .case-open-link').first().click();
  await page.getByTestId('case-workspace').waitFor();
  let reportShown = false;

  for (const size of SIZES) {
    for (const theme of THEMES) {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: theme });
      const suffix = `${size.width}x${size.height}-${theme}`;

      await showTab(page, 'chart', 3000);
      await shoot(page, `chart-${suffix}`, optimise);
      await showTab(page, 'entities', 1000);
      await shoot(page, `table-${suffix}`, optimise);

      await showTab(page, 'exchange', 500);
      await page.getByTestId('exchange-nav-share').click();
      await page.getByTestId(`export-partner-${PARTNER}`).check();
      await page.getByTestId('export-preview').click();
      await page.getByTestId(`preview-${PARTNER}`).waitFor();
      await shoot(page, `export-preview-${suffix}`, optimise);

      if (await openReport(page)) {
        reportShown = true;
        await shoot(page, `report-${suffix}`, optimise);
        await page.keyboard.press('Escape');
      }

      await page.getByTestId('lock-now').click();
      await page.getByTestId('vault-unlock').waitFor();
      await shoot(page, `lock-${suffix}`, optimise);
      await passLockScreens(page);
      await page.getByTestId('case-workspace').waitFor();
    }
  }

  let total = 0;
  const lines: string[] = [];
  for (const file of (await readdir(OUT)).sort()) {
    const { size } = await stat(join(OUT, file));
    total += size;
    lines.push(`${file.padEnd(40)} ${(size / 1024).toFixed(0).padStart(5)} KiB`);
  }
  console.log(
    `${lines.join('\n')}\n${(total / 1024 / 1024).toFixed(2)} MiB in all${optimise ? ' (pngquant)' : ' (pngquant not installed: not optimised)'}` +
      `${reportShown ? '' : '; no report command in this build, no report screenshots'}`,
  );
  expect(app.pageErrors).toEqual([]);
});
