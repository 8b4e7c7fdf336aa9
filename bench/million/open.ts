/**
 * The "open" section of `npm run bench -- million`: opening a case to its first table page, and
 * the heap with the million-record case open, measured through the real app (the built renderer
 * on the loopback web host, in Debian's Chromium, on the encrypted store users run).
 *
 * The browser runs on a real on-disk profile (an incognito context keeps IndexedDB in memory under
 * a small quota, which a million records exceeded). Seeding (timed apart, not part of any figure;
 * openSeed.ts): the 20k case of the storage bench (20,000 entities, 40,000 relationships) and the
 * million-record call case (bench/million/case.ts), each case record through the repository and
 * its entities as rows sealed in Node by the store's own sealing function, written by the page as
 * they are. The seeded profile is cached under /tmp/tessera-bench/ (keyed by row count, schema
 * and the sources of the stored row format), so later runs copy it instead of seeding.
 *
 * Then, each on a freshly loaded and unlocked page (a cold heap, as after a start):
 *   open 20k first page ms: X     click on the case → first row of the entity table drawn (an
 *                                 open after the first: the table remembered its first page)
 *   open 1M first page ms: X      the same for the million-record case
 *   open … first page, first open ms: X   the very first open after the seeding (no page
 *                                 remembered yet: the table waits for the case's nodes)
 *   load 1M all records ms: X     click → every record in the case store (data-entities="loaded")
 *   peak heap 1M MB: X            the largest JS heap sampled, the page and its workers together
 *                                 (CDP Runtime.getHeapUsage of each, every
 *                                 100 ms) from the click until the load ended and settled
 *                                 (the search worker's index build included: sampled until
 *                                 no new peak for 10 s, at most 3 min after the load)
 *   heap 1M loaded MB: X          the heap after a forced GC with the case fully loaded
 * (labels say "1M" for MILLION_ROWS=1000000 and e.g. "50k" for smaller runs.)
 *
 * MILLION_OPEN_PROFILE=1 also builds an unminified renderer, records a CPU profile and a sampling
 * heap profile of the big open, and prints where the time and the heap went (bench/profiles/).
 * MILLION_OPEN_RENDERER=DIR serves a renderer built beforehand (unminified, for the profile); MILLION_OPEN_SMALL=0 skips the
 * 20k case (while working on the section). MILLION_OPEN_OLD=1 also times (and with the profile, profiles) the read every component made
 * before the case store: repository.listEntities of the whole case at once.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { startWebHost } from '../../electron/web/server.ts';
import type { WebHost } from '../../electron/web/server.ts';
import { ensureRenderer, ROOT } from '../../scripts/web.mjs';
import { CHROMIUM_ARGS } from '../../e2e/harness/chromiumArgs.ts';
import { passLockScreens } from '../../e2e/harness/lockScreens.ts';
import { generateLargeCase } from '../storage/generate.ts';
import { MILLION_CASE_ID, millionCaseFile, millionCaseRecord } from './case.ts';
import { profileKey, restoreProfile, saveProfile, seedSealed } from './openSeed.ts';
import type { MillionSection } from './section.ts';

const SMALL_ENTITIES = 20_000;
const SMALL_RELATIONSHIPS = 40_000;
const HEAP_SAMPLE_MS = 100;
/** After the load, the heap is sampled until it made no new peak for this long… */
const SETTLE_MS = 10_000;
/** …or this long after the load at most. */
const SETTLE_LIMIT_MS = 180_000;
/** renderer/app/App.tsx's memory of the case open at the last start. */
const OPEN_CASE_KEY = 'tessera.openCaseId';

/** "1M", "200k", "50k": how the figures name the case. */
function sizeLabel(rows: number): string {
  return rows % 1_000_000 === 0 ? `${rows / 1_000_000}M` : `${Math.round(rows / 1000)}k`;
}

async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  // Every open starts from the case list (the app reopens the last open case otherwise).
  await page.addInitScript({
    content: `localStorage.removeItem(${JSON.stringify(OPEN_CASE_KEY)});`,
  });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  await passLockScreens(page);
  await page.waitForFunction(() => window.__tesseraApp !== undefined, undefined, {
    timeout: 120_000,
  });
  return page;
}

/**
 * Seeds both cases into the page's encrypted store (openSeed.ts): each case record through the
 * repository, then its entities as rows sealed in Node, written by the page as they are.
 */
async function seed(
  page: Page,
  rows: number,
  casePath: string,
  withSmall: boolean,
  work: string,
): Promise<void> {
  const importShell = (file: unknown) =>
    page.evaluate(async (shell) => {
      const repository = window.__tesseraApp!.repository;
      await repository.importCase(shell as Parameters<typeof repository.importCase>[0], {
        undoable: false,
      });
    }, file);
  if (withSmall) {
    const small = generateLargeCase(SMALL_ENTITIES, SMALL_RELATIONSHIPS, 7);
    const started = performance.now();
    const path = join(work, 'small-case.ndjson');
    await writeFile(path, small.entities.map((record) => `${JSON.stringify(record)}\n`).join(''));
    await importShell({ ...small, entities: [] });
    await seedSealed(page, path, small.case.id);
    console.log(
      `seed ${sizeLabel(SMALL_ENTITIES)} case ms: ${Math.round(performance.now() - started)}`,
    );
  }
  const started = performance.now();
  await importShell(millionCaseFile({ caseRecord: millionCaseRecord(rows), entities: [] }));
  const written = await seedSealed(page, casePath, MILLION_CASE_ID);
  console.log(
    `seed ${sizeLabel(rows)} case ms: ${Math.round(performance.now() - started)} (${written} records)`,
  );
}

/**
 * Clicks the case open and waits for the first row of the entity table. Timed in the page, from
 * the click event to the frame after the first row entered the DOM (Playwright's own polling
 * on a loaded machine adds up to a second); `at` is the wall clock of the click.
 */
async function openToFirstPage(page: Page, title: string): Promise<{ ms: number; at: number }> {
  const link = page.locator('.case-open-link', { hasText: title });
  await link.waitFor({ timeout: 120_000 });
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    let clicked = -1;
    const watch = {
      workspace: '[data-testid="case-workspace"]',
      loadingText: '[data-testid="entity-loading"]',
      partial: '[data-testid="entity-loading-progress"]',
      row: '[data-testid^="entity-row-"]',
    };
    document.addEventListener(
      'click',
      (event) => {
        if (clicked < 0) clicked = event.timeStamp;
      },
      { capture: true },
    );
    const observer = new MutationObserver(() => {
      if (clicked < 0) return;
      for (const [name, selector] of Object.entries(watch)) {
        if (seen[name] === undefined && document.querySelector(selector)) {
          seen[name] = Math.round(performance.now() - clicked);
        }
      }
      if (seen['row'] !== undefined && seen['drawn'] === undefined) {
        seen['drawn'] = -1;
        requestAnimationFrame(() => {
          seen['drawn'] = Math.round(performance.now() - clicked);
        });
        observer.disconnect();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    (window as unknown as { __openSeen: Record<string, number> }).__openSeen = seen;
  });
  const at = Date.now();
  await link.click();
  await page.locator('[data-testid^="entity-row-"]').first().waitFor({ timeout: 600_000 });
  await page.waitForFunction(
    () =>
      ((window as unknown as { __openSeen: Record<string, number> }).__openSeen['drawn'] ?? -1) >=
      0,
    undefined,
    { timeout: 60_000 },
  );
  const seen = await page.evaluate(
    () => (window as unknown as { __openSeen: Record<string, number> }).__openSeen,
  );
  if (process.env['MILLION_OPEN_DEBUG'] === '1') {
    console.log('  seen (ms after the click):', JSON.stringify(seen));
    const shot = join(tmpdir(), `tessera-open-${Date.now()}.png`);
    await page.screenshot({ path: shot });
    console.log(`  screenshot: ${shot}`);
  }
  return { ms: seen['drawn']!, at };
}

async function heapMb(cdp: CDPSession): Promise<number> {
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 2 ** 20;
}

/**
 * The JS heaps of the page's dedicated workers (the search index, the import), which
 * Runtime.getHeapUsage of the page leaves out: each worker is auto-attached through the page's
 * session and asked over Target.sendMessageToTarget (Playwright's sessions reach pages only).
 */
async function workerHeaps(cdp: CDPSession): Promise<() => Promise<number>> {
  const workers = new Set<string>();
  const waiting = new Map<number, (used: number) => void>();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (event) => {
    if (event.targetInfo.type === 'worker') workers.add(event.sessionId);
  });
  cdp.on('Target.detachedFromTarget', (event) => {
    if (event.sessionId) workers.delete(event.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const reply = JSON.parse(event.message) as { id?: number; result?: { usedSize?: number } };
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply.result?.usedSize ?? 0);
  });
  await cdp.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: false,
    flatten: false,
  });
  return async () => {
    const sizes = await Promise.all(
      [...workers].map(
        (sessionId) =>
          new Promise<number>((resolve) => {
            const id = nextId++;
            const done = (used: number) => {
              waiting.delete(id);
              clearTimeout(timer);
              resolve(used);
            };
            // A worker that ended meanwhile never answers.
            const timer = setTimeout(() => done(0), 2_000);
            waiting.set(id, done);
            cdp
              .send('Target.sendMessageToTarget', {
                sessionId,
                message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
              })
              .catch(() => done(0));
          }),
      ),
    );
    return sizes.reduce((sum, used) => sum + used, 0) / 2 ** 20;
  };
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** The functions with the most self time in a CPU profile, as lines. */
function topSelfTime(profile: {
  nodes: readonly ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: readonly number[];
}): string[] {
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const ms = (profile.endTime - profile.startTime) / 1000;
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').pop() ?? '';
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`;
    byName.set(key, (byName.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([key, hits]) => `  ${((hits / total) * ms).toFixed(0).padStart(7)} ms  ${key}`);
}

interface SamplingNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

/** The allocation sites holding the most live heap in a sampling heap profile, as lines. */
function topHeap(head: SamplingNode): string[] {
  const bySite = new Map<string, number>();
  const walk = (node: SamplingNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').pop() ?? '';
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`;
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
    node.children.forEach(walk);
  };
  walk(head);
  return [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([key, bytes]) => `  ${(bytes / 2 ** 20).toFixed(0).padStart(6)} MB  ${key}`);
}

async function measureBig(page: Page, rows: number, profile: boolean): Promise<void> {
  const label = sizeLabel(rows);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const workersMb = await workerHeaps(cdp);
  const baseline = await heapMb(cdp);
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
    await cdp.send('HeapProfiler.startSampling', { samplingInterval: 65_536 });
  }
  let peak = baseline;
  let peakPage = baseline;
  let peakAt = performance.now();
  let sampling = true;
  // The page and its workers together: the goal is the heap with the case open, wherever it is.
  const sample = async () => {
    const [page, workers] = await Promise.all([
      heapMb(cdp).catch(() => 0),
      workersMb().catch(() => 0),
    ]);
    peakPage = Math.max(peakPage, page);
    // A new peak only when it grew by more than noise (the settling below waits for quiet).
    if (page + workers > peak * 1.01) peakAt = performance.now();
    peak = Math.max(peak, page + workers);
  };
  const sampler = (async () => {
    while (sampling) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, HEAP_SAMPLE_MS));
    }
  })();
  const title = millionCaseRecord(rows).title;
  const first = await openToFirstPage(page, title);
  console.log(`open ${label} first page, first open ms: ${first.ms}`);
  await page
    .locator('[data-testid="case-workspace"][data-entities="loaded"]')
    .waitFor({ timeout: 600_000 });
  const loadedAt = performance.now();
  console.log(`load ${label} all records ms: ${Date.now() - first.at}`);
  // Every consumer takes in the loaded records: the table, and the search worker builds its
  // index of the case (its heap counts too). Sampled until no new peak for SETTLE_MS.
  while (performance.now() - peakAt < SETTLE_MS && performance.now() - loadedAt < SETTLE_LIMIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  sampling = false;
  await sampler;
  await sample();
  console.log(
    `  (heap sampled ${Math.round((performance.now() - loadedAt) / 1000)} s after the load, ` +
      `until no new peak for ${SETTLE_MS / 1000} s or ${SETTLE_LIMIT_MS / 1000} s)`,
  );
  console.log(`peak heap ${label} MB: ${Math.round(peak)}`);
  console.log(
    `  (page alone: ${Math.round(peakPage)} MB; workers now: ${Math.round(await workersMb())} MB)`,
  );
  if (process.env['MILLION_OPEN_DEBUG'] === '1') {
    const keys = await page.evaluate(async () => {
      const { db } = await window.__tesseraApp!.storage();
      return (await db.meta.toArray()).map(
        (row) => `${row.key}=${JSON.stringify(row.value).slice(0, 80)}`,
      );
    });
    console.log('meta:', keys);
  }
  if (profile) {
    const { profile: cpu } = (await cdp.send('Profiler.stop')) as unknown as {
      profile: Parameters<typeof topSelfTime>[0];
    };
    const { profile: heap } = (await cdp.send('HeapProfiler.stopSampling')) as unknown as {
      profile: { head: SamplingNode };
    };
    console.log(`cpu profile, open ${label} → all loaded (self time, top 25):`);
    for (const line of topSelfTime(cpu)) console.log(line);
    console.log(`sampled live heap after the load (top 20 allocation sites):`);
    for (const line of topHeap(heap.head)) console.log(line);
  }
  await cdp.send('HeapProfiler.collectGarbage');
  console.log(`heap ${label} loaded MB: ${Math.round(await heapMb(cdp))}`);
  console.log(`heap before open MB: ${Math.round(baseline)}`);
  await cdp.detach();
}

/**
 * What every consumer did before the case store (MILLION_OPEN_OLD=1): the liveQuery's
 * repository.listEntities, reading and decrypting the whole case at once, profiled.
 */
async function measureOldRead(page: Page, rows: number, profile: boolean): Promise<void> {
  const label = sizeLabel(rows);
  const cdp = await page.context().newCDPSession(page);
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const { ms, count } = await page.evaluate(async (caseId) => {
    const started = performance.now();
    const all = await window.__tesseraApp!.repository.listEntities(caseId);
    return { ms: performance.now() - started, count: all.length };
  }, millionCaseRecord(rows).id);
  console.log(`old listEntities ${label} ms: ${Math.round(ms)} (${count} records)`);
  console.log(`old listEntities ${label} heap MB: ${Math.round(await heapMb(cdp))}`);
  if (profile) {
    const { profile: cpu } = (await cdp.send('Profiler.stop')) as unknown as {
      profile: Parameters<typeof topSelfTime>[0];
    };
    console.log(`cpu profile, old listEntities ${label} (self time, top 25):`);
    for (const line of topSelfTime(cpu)) console.log(line);
  }
  await cdp.detach();
}

/** An unminified renderer for profiles with readable names. */
function buildProfilingRenderer(outDir: string): void {
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--minify', 'false', '--outDir', outDir, '--emptyOutDir'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('the profiling renderer build failed');
}

export const openSection: MillionSection = {
  name: 'open',
  async run({ rows, casePath }) {
    const profile = process.env['MILLION_OPEN_PROFILE'] === '1';
    const withSmall = process.env['MILLION_OPEN_SMALL'] !== '0';
    const work = await mkdtemp(join(tmpdir(), 'tessera-bench-open-'));
    let staticDir = join(ROOT, 'dist', 'renderer');
    if (profile) {
      staticDir = process.env['MILLION_OPEN_RENDERER'] ?? join(work, 'renderer');
      if (!process.env['MILLION_OPEN_RENDERER']) buildProfilingRenderer(staticDir);
    } else if (process.env['MILLION_OPEN_RENDERER']) {
      staticDir = process.env['MILLION_OPEN_RENDERER'];
    } else if (!ensureRenderer()) throw new Error('the renderer build failed');
    // A profile on disk, as users have (openSeed.ts): seeded once, then copied from the cache.
    const key = await profileKey(rows, withSmall);
    const restoredPort = await restoreProfile(key, work);
    const cached = restoredPort !== undefined;
    const port = restoredPort ?? key.port;
    await mkdir(join(work, 'data'), { recursive: true });
    console.log(
      cached
        ? `open profile: a copy of ${key.dir} (seeded before)`
        : `open profile: seeding into ${key.dir}`,
    );
    let host: WebHost;
    try {
      host = await startWebHost({ port, dataDir: join(work, 'data'), staticDir });
    } catch (error) {
      throw new Error(
        `the web host could not listen on ${port}, the port of this cached profile ` +
          '(IndexedDB belongs to an origin, port included): set MILLION_OPEN_PORT to a free one',
        { cause: error },
      );
    }
    const launch = async () => {
      const context = await chromium.launchPersistentContext(join(work, 'profile'), {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
        viewport: { width: 1366, height: 768 },
      });
      await context.addInitScript(() => {
        (window as unknown as { __TESSERA_TEST__: boolean }).__TESSERA_TEST__ = true;
      });
      // tsx names the functions inside page.evaluate callbacks with its `__name` helper.
      await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      return context;
    };
    let context: BrowserContext | undefined;
    try {
      if (!cached) {
        const seeding = await launch();
        await seed(await openPage(seeding, host.url), rows, casePath, withSmall, work);
        // Closed before it is copied (the database written out), and then started again: every
        // open below starts from a browser that has not touched the case yet.
        await seeding.close();
        await saveProfile(key, work, port);
      }
      context = await launch();

      // Each case twice: the first open after the seeding (the table has not drawn it yet), then
      // again on a fresh page, as every later open is (the table remembered its first page).
      if (withSmall) {
        for (const when of [', first open', '']) {
          const small = await openPage(context, host.url);
          const { ms } = await openToFirstPage(small, 'Benchmark case');
          console.log(`open ${sizeLabel(SMALL_ENTITIES)} first page${when} ms: ${ms}`);
          // Long enough for the table to draw from all of its rows and remember its first page.
          await small
            .locator('[data-testid="case-workspace"][data-entities="loaded"]')
            .waitFor({ timeout: 600_000 });
          await small.close();
        }
      }

      const big = await openPage(context, host.url);
      await measureBig(big, rows, profile);
      await big.close();
      const again = await openPage(context, host.url);
      const cdp = await again.context().newCDPSession(again);
      if (profile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      const { ms } = await openToFirstPage(again, millionCaseRecord(rows).title);
      console.log(`open ${sizeLabel(rows)} first page ms: ${ms}`);
      const shown = await again.getByTestId('entity-count').innerText();
      console.log(`  (the table then said: ${shown.replace(/\s+/g, ' ')})`);
      if (profile) {
        const { profile: cpu } = (await cdp.send('Profiler.stop')) as unknown as {
          profile: Parameters<typeof topSelfTime>[0];
        };
        console.log(`cpu profile, open ${sizeLabel(rows)} → first page (self time, top 25):`);
        for (const line of topSelfTime(cpu)) console.log(line);
      }
      await cdp.detach();
      await again.close();

      if (process.env['MILLION_OPEN_OLD'] === '1') {
        const old = await openPage(context, host.url);
        await measureOldRead(old, rows, profile);
        await old.close();
      }
    } finally {
      await context?.close();
      await host.close();
      await rm(work, { recursive: true, force: true });
    }
  },
};
