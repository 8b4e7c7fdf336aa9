/**
 * The `views` section of `npm run bench -- million` (issue 13): the entity table and the timeline
 * on the million-record call case, in Debian's Chromium. The page (bench/million/views-page/,
 * built with Vite) streams the case's records from here and runs the real table model and the
 * real EntityTable and TimelinePanel components on them. Prints, with the goal beside each:
 *   table 1M sort ms: X              first sort by the name column (a text column), cold
 *   table 1M filter ms: X            a text filter on the name column, sorted rows
 *   table 1M scroll max frame ms: X  longest frame while scrolling the million relationships
 *   timeline 1M max frame ms: X      longest frame while zooming (to the hour and back) and panning
 *   timeline 1M time filter ms: …    the chart's date filter (useTimeFilter) for a day and for all
 * "1M" names the full case; a smaller MILLION_ROWS prints the same lines for its size.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import react from '@vitejs/plugin-react';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../../e2e/harness/chromiumArgs.ts';
import type { MillionContext, MillionSection } from './section.ts';
import type { ViewsBenchApi } from './views-page/entry.ts';

const SORT_GOAL_MS = 500;
const FRAME_GOAL_MS = 50;
const CASE_PATH = '/case.ndjson';
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

type Api = {
  [K in keyof ViewsBenchApi]: (
    ...args: Parameters<ViewsBenchApi[K]>
  ) => Promise<Awaited<ReturnType<ViewsBenchApi[K]>>>;
};

function bench(page: Page): Api {
  const call =
    <K extends keyof ViewsBenchApi>(name: K) =>
    (...args: Parameters<ViewsBenchApi[K]>) =>
      page.evaluate(
        ([n, a]) => {
          const api = (
            globalThis as unknown as {
              tesseraViewsBench: Record<string, (...args: unknown[]) => unknown>;
            }
          ).tesseraViewsBench;
          return api[n]!(...a);
        },
        [name, args as unknown[]] as const,
      ) as Promise<Awaited<ReturnType<ViewsBenchApi[K]>>>;
  return {
    load: call('load'),
    timeFilter: call('timeFilter'),
    tableModel: call('tableModel'),
    mountTable: call('mountTable'),
    scrollFrames: call('scrollFrames'),
    mountTimeline: call('mountTimeline'),
    timelineBox: call('timelineBox'),
    startFrames: call('startFrames'),
    stopFrames: call('stopFrames'),
  };
}

/**
 * Runs `measure` under the page's CPU profiler when VIEWS_PROFILE names a folder, writing
 * `<name>.cpuprofile` there (the notes in bench/profiles/ come from these).
 */
async function profiled<T>(page: Page, name: string, measure: () => Promise<T>): Promise<T> {
  const folder = process.env['VIEWS_PROFILE'];
  if (!folder) return measure();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const result = await measure();
  const { profile } = await cdp.send('Profiler.stop');
  await writeFile(join(folder, `${name}.cpuprofile`), JSON.stringify(profile));
  await cdp.detach();
  return result;
}

/**
 * Runs `measure` under a Chromium trace (style, layout, paint and script per frame) when
 * VIEWS_TRACE names a folder, writing `<name>.trace.json` there: the CPU profile shows script
 * only, and a scroll's cost is mostly the browser's own work.
 */
async function traced<T>(page: Page, name: string, measure: () => Promise<T>): Promise<T> {
  const folder = process.env['VIEWS_TRACE'];
  if (!folder) return measure();
  const browser = page.context().browser()!;
  await browser.startTracing(page, {
    path: join(folder, `${name}.trace.json`),
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8'],
  });
  const result = await measure();
  await browser.stopTracing();
  return result;
}

function goal(value: number, limit: number): string {
  // One decimal near the limit: a 50.2 ms frame printed as "50" beside "missed" reads as a fault.
  const shown = value < 1000 ? value.toFixed(1) : String(Math.round(value));
  return `${shown} (goal ≤ ${limit}: ${value <= limit ? 'met' : 'missed'})`;
}

/** Zooms in to the hour and out to everything with the wheel, and pans with drags. */
async function driveTimeline(page: Page, api: Api): Promise<void> {
  const box = await api.timelineBox();
  const x = box.x + box.width * 0.6;
  const y = box.y + 60;
  const drag = async (dx: number) => {
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let k = 1; k <= 15; k++) await page.mouse.move(x + (k * dx) / 15, y);
    await page.mouse.up();
  };
  await page.mouse.move(x, y);
  await drag(-300);
  for (let k = 0; k < 45; k++) await page.mouse.wheel(0, -100);
  await drag(250);
  await drag(-250);
  for (let k = 0; k < 45; k++) await page.mouse.wheel(0, 100);
  await drag(200);
}

async function run({ rows, casePath }: MillionContext): Promise<void> {
  const name = rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`;
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-views-'));
  const site = join(dir, 'site');
  await build({
    configFile: false,
    logLevel: 'error',
    root: join(import.meta.dirname, 'views-page'),
    base: './',
    plugins: [react()],
    build: { outDir: site, emptyOutDir: true, minify: false, chunkSizeWarningLimit: 8000 },
  });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const file =
      path === CASE_PATH ? casePath : join(site, normalize(path === '/' ? '/index.html' : path));
    if (file !== casePath && !file.startsWith(site)) {
      response.writeHead(403);
      response.end();
      return;
    }
    stat(file).then(
      (info) => {
        response.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': info.size,
        });
        createReadStream(file).pipe(response);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // A million records as objects take about 1.5 GB of heap, more than V8's default limit.
    args: [...CHROMIUM_ARGS, '--js-flags=--max-old-space-size=6144'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'tesseraViewsBench' in globalThis);
    const api = bench(page);
    const loaded = await api.load(CASE_PATH);
    console.log(
      `views records: ${loaded.records} (streamed and parsed in ${Math.round(loaded.ms)} ms)`,
    );

    const model = await profiled(page, 'table-model', () => api.tableModel('+43660'));
    console.log(`table ${name} build ms: ${Math.round(model.buildMs)}`);
    console.log(`table ${name} sort ms: ${goal(model.sortMs, SORT_GOAL_MS)}`);
    console.log(`table ${name} filter ms: ${goal(model.filterMs, SORT_GOAL_MS)}`);
    console.log(`table ${name} rows: ${model.rows}, filtered: ${model.filtered}`);

    const table = await api.mountTable(model.rows);
    console.log(`table ${name} mount ms: ${Math.round(table.ms)} (${table.count})`);
    const scroll = await traced(page, 'table-scroll', () =>
      profiled(page, 'table-scroll', () => api.scrollFrames()),
    );
    console.log(`table ${name} scroll max frame ms: ${goal(scroll.maxMs, FRAME_GOAL_MS)}`);
    const phases = Object.entries(scroll.byPhase)
      .map(([phase, ms]) => `${phase} ${Math.round(ms)}`)
      .join(', ');
    console.log(
      `table ${name} scroll frames: ${scroll.frames} (worst by kind of step, ms: ${phases}); rows in the DOM: ${scroll.rowsShown}`,
    );
    if (process.env['VIEWS_SCREENSHOTS']) {
      await page.screenshot({ path: join(process.env['VIEWS_SCREENSHOTS'], 'table.png') });
      // The middle and the end of the rows, past the canvas cap at a million (rowWindow.ts).
      for (const [at, file] of [
        [0.5, 'table-middle.png'],
        [1, 'table-end.png'],
      ] as const) {
        await page.evaluate((fraction) => {
          const grid = document.querySelector<HTMLElement>('[data-testid="entity-table"]')!;
          grid.scrollTop = fraction * (grid.scrollHeight - grid.clientHeight);
        }, at);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(process.env['VIEWS_SCREENSHOTS'], file) });
      }
    }

    const timeline = await api.mountTimeline();
    console.log(`timeline ${name} mount ms: ${Math.round(timeline.ms)} (${timeline.count})`);
    const frames = await profiled(page, 'timeline', async () => {
      await api.startFrames();
      await driveTimeline(page, api);
      return api.stopFrames();
    });
    console.log(`timeline ${name} max frame ms: ${goal(frames.maxMs, FRAME_GOAL_MS)}`);
    console.log(`timeline ${name} frames: ${frames.frames} (drawn as: ${frames.modes})`);
    const filter = await api.timeFilter();
    console.log(
      `timeline ${name} time filter ms: day ${Math.round(filter.dayMs)} (${filter.day} ids), whole case ${Math.round(filter.allMs)} (${filter.all} ids)`,
    );
    if (process.env['VIEWS_SCREENSHOTS']) {
      await page.screenshot({ path: join(process.env['VIEWS_SCREENSHOTS'], 'timeline.png') });
      // Zoomed in again, outside the measured frames: the items drawn one by one.
      const box = await api.timelineBox();
      await page.mouse.move(box.x + box.width * 0.6, box.y + 60);
      for (let k = 0; k < 45; k++) await page.mouse.wheel(0, -100);
      await page.waitForTimeout(500);
      await page.screenshot({
        path: join(process.env['VIEWS_SCREENSHOTS'], 'timeline-zoomed.png'),
      });
    }
  } finally {
    await browser.close();
    server.close();
    // A profiled run keeps the page's bundle, to read the profile's line numbers against.
    if (!process.env['VIEWS_PROFILE']) await rm(dir, { recursive: true, force: true });
  }
}

export const views: MillionSection = { name: 'views', run };
