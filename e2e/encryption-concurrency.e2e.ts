/**
 * Overlapping read-write changes on the encrypting store, in Chromium's real IndexedDB (issue 10):
 * a case import, a retention purge and entity edits started together must all commit.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startHost } from './harness/index.ts';
import type { TestHost } from './harness/index.ts';
import { bundlePage } from './harness/pageBundle.ts';
import type { PageBundle } from './harness/pageBundle.ts';
import type { StoreConcurrencyApi } from './pages/storeConcurrency.ts';

let bundle: PageBundle;
let host: TestHost;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  bundle = await bundlePage(fileURLToPath(new URL('./pages/storeConcurrency.ts', import.meta.url)));
  host = await startHost({ staticDir: bundle.dir });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(host.url);
  await page.waitForFunction(() => 'storeConcurrency' in globalThis);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await bundle?.remove();
});

function run(
  test: 'overlappingWrites' | 'purgeBesideLiveQuery',
  rounds: number,
  encrypted: boolean,
) {
  return page.evaluate(
    ([name, n, enc]) =>
      (globalThis as unknown as { storeConcurrency: StoreConcurrencyApi }).storeConcurrency[name](
        n,
        enc,
      ),
    [test, rounds, encrypted] as const,
  );
}

describe('the encrypting store under overlapping writes', () => {
  it('commits every one of overlapping changes (import, purge, edits)', async () => {
    const plain = await run('overlappingWrites', 3, false);
    expect(plain.failures).toEqual([]);
    const encrypted = await run('overlappingWrites', 3, true);
    expect(encrypted.failures).toEqual([]);
    expect(encrypted.entities).toBe(plain.entities);
    expect(pageErrors).toEqual([]);
  });

  it('commits the retention purge while a live query reads beside it (start-up)', async () => {
    const plain = await run('purgeBesideLiveQuery', 40, false);
    expect(plain.failures).toEqual([]);
    const encrypted = await run('purgeBesideLiveQuery', 40, true);
    expect(encrypted.failures).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
