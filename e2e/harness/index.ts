/**
 * E2E harness: a web host on a temporary data directory, system Chromium through playwright-core,
 * and pages that can reach nothing but the host. Every request or WebSocket to anywhere else is
 * aborted and recorded, so `assertNoExternalRequests()` proves the offline-first promise.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { startWebHost } from '../../electron/web/server.ts';
import type { WebHost } from '../../electron/web/server.ts';
import { CHROMIUM_ARGS } from './chromiumArgs.ts';
import { passLockScreens, TEST_PASSPHRASE } from './lockScreens.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_DIR = join(ROOT, 'dist', 'renderer');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');

export { CHROMIUM_ARGS, passLockScreens, TEST_PASSPHRASE };

/** The case store switches a test host is started with (see shared/contract/app.ts). */
export interface StoreTesting {
  readonly fastKdf: boolean;
  readonly unencryptedStore: boolean;
}

export interface TestHost extends WebHost {
  /** Removed by close(), with the data directory in it. */
  readonly tempDir: string;
}

export async function startHost(
  options: {
    staticDir?: string;
    dataDir?: string;
    testing?: Partial<StoreTesting>;
    /** A fixed port keeps the page's origin, and so its IndexedDB, across two hosts. */
    port?: number;
  } = {},
): Promise<TestHost> {
  const tempDir = await mkdtemp(join(tmpdir(), 'tessera-e2e-'));
  const host = await startWebHost({
    port: options.port ?? 0,
    dataDir: options.dataDir ?? join(tempDir, 'data'),
    staticDir: options.staticDir ?? RENDERER_DIR,
    testing: { fastKdf: true, unencryptedStore: false, ...options.testing },
  });
  return {
    ...host,
    tempDir,
    async close() {
      await host.close();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** Loopback and in-memory URLs only. */
export function isLocalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) return false;
  return parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost';
}

export interface AppPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** The response to the first navigation. */
  readonly response: Response | null;
  /** Requests (and WebSockets) that tried to leave the machine; all were aborted. */
  readonly externalRequests: readonly string[];
  /** Uncaught exceptions and console errors seen on the page. */
  readonly pageErrors: readonly string[];
  assertNoExternalRequests(): void;
  close(): Promise<void>;
}

export async function openApp(
  browser: Browser,
  host: Pick<WebHost, 'url'>,
  options: { path?: string; testHooks?: boolean; lockScreens?: 'pass' | 'leave' } = {},
): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    serviceWorkers: 'block',
  });
  return openAppIn(context, host, options);
}

/** As openApp, in a given context (e.g. a persistent profile from launchPersistentContext). */
export async function openAppIn(
  context: BrowserContext,
  host: Pick<WebHost, 'url'>,
  options: { path?: string; testHooks?: boolean; lockScreens?: 'pass' | 'leave' } = {},
): Promise<AppPage> {
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) return route.continue();
    externalRequests.push(url);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(
    (url) => !isLocalUrl(url.href),
    (ws) => {
      externalRequests.push(ws.url());
      void ws.close({ code: 1008, reason: 'blocked by the e2e harness' });
    },
  );
  if (options.testHooks) {
    await context.addInitScript(() => {
      (window as unknown as { __TESSERA_TEST__: boolean }).__TESSERA_TEST__ = true;
    });
  }
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  const target = options.path ? host.url.replace(/\/#/, `${options.path}#`) : host.url;
  const response = await page.goto(target, { waitUntil: 'load' });
  if (options.lockScreens !== 'leave') {
    await passLockScreens(page);
    // A reload locks the store again (the key lives only in the page); tests that reload expect
    // their data back, so the harness unlocks again in the background while they wait for it.
    page.on('load', () => {
      passLockScreens(page).catch(() => undefined);
    });
  }
  return {
    page,
    context,
    response,
    externalRequests,
    pageErrors,
    assertNoExternalRequests() {
      if (externalRequests.length > 0) {
        throw new Error(`the page tried to reach the network:\n  ${externalRequests.join('\n  ')}`);
      }
    },
    close: () => context.close(),
  };
}

/** Saves `test-results/screenshots/NAME.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export interface BrowserSuite {
  /** Opens the app in a fresh browser context; it is checked and closed after the test. */
  open(options?: {
    path?: string;
    testHooks?: boolean;
    lockScreens?: 'pass' | 'leave';
  }): Promise<AppPage>;
  /** The page opened last in the running test, if any. */
  current(): AppPage | undefined;
}

/**
 * Registers the hooks every browser test file needs: one web host and one Chromium per file, a
 * fresh context per test, and after each test a failure if the page tried to leave 127.0.0.1 or
 * reported an uncaught exception or a console error.
 */
export function useBrowserSuite(): BrowserSuite {
  let host: TestHost | undefined;
  let browser: Browser | undefined;
  let opened: AppPage[] = [];
  beforeAll(async () => {
    host = await startHost();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    const pages = opened;
    opened = [];
    for (const page of pages) await page.close();
    for (const page of pages) page.assertNoExternalRequests();
    // A test that passes while the page threw or logged an error has not shown the feature works.
    const errors = pages.flatMap((page) => page.pageErrors);
    if (errors.length > 0) {
      throw new Error(`the page reported errors:\n  ${errors.join('\n  ')}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });
  return {
    async open(options = {}) {
      if (!browser || !host) throw new Error('useBrowserSuite: open() before beforeAll ran');
      const page = await openApp(browser, host, options);
      opened.push(page);
      return page;
    },
    current: () => opened[opened.length - 1],
  };
}
