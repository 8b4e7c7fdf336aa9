/**
 * Chart interaction benchmark through the real app (built renderer on the loopback web host) in
 * Debian's Chromium. Two seeded scale-free cases (shared/layout/generate.ts, 2 edges per node) of
 * 2,000 and 50,000 entities, each with a chart holding every entity, are written straight into the
 * app's IndexedDB with raw bulkPut through the app test hook (`__tesseraApp.storage()`): the
 * records are built and checked here, with their stored `searchText`, and the chart positions come
 * from Tessera's force layout run in Node, so neither validation nor layout runs in the page.
 * Then, each in a fresh tab:
 *   chart 2k render: X ms            (click on the Link chart tab → every element drawn)
 *   chart 50k first render: X s      (the same for the 50,000-entity chart)
 *   chart 50k pan right after first render: p50 X ms, p95 X ms (Cytoscape is still filling its
 *                                    element texture caches then)
 *   chart 50k pan frame p50: X ms    (3 s later: requestAnimationFrame deltas while the mouse drags the
 *   chart 50k pan frame p95: X ms     background for ~3 s in small steps, as a user pans)
 *   chart 50k wheel zoom in / pan zoomed in / wheel zoom out: frame times as the mouse wheel zooms
 *                                    in until Cytoscape draws the window on screen, a pan there, and
 *                                    the zoom back out to the overview bitmap
 * plus info lines: load time, whether the overview bitmap stood in at fit and how long the worker
 * took to paint it, and the page's own chart timings (`chart:*` performance measures).
 * Every wait has a time limit; on a timeout the bench prints what the page showed and exits 1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { GeneratedCase } from '../e2e/harness/generatedCase.ts';
import { generateChartCase, writeGeneratedCase } from '../e2e/harness/generatedCase.ts';
import { startWebHost } from '../electron/web/server.ts';
import { ensureRenderer, ROOT } from '../scripts/web.mjs';
import { CHROMIUM_ARGS } from '../e2e/harness/chromiumArgs.ts';
import { passLockScreens } from '../e2e/harness/lockScreens.ts';

const PAN_MS = 3000;
/** The whole run is stopped past this, whatever it is waiting for. */
const WATCHDOG_MS = 600_000;

/** Writes a generated case into the app's database, within a time limit. */
async function writeCase(page: Page, generated: GeneratedCase): Promise<void> {
  await withTimeout(
    `write ${generated.entities.length} records`,
    180_000,
    writeGeneratedCase(page, generated),
    page,
  );
}

class StepTimeout extends Error {}

/** What the page shows, for a timeout report. */
async function describePage(page: Page): Promise<string> {
  try {
    return await Promise.race([
      page.evaluate(() => {
        const view = document.querySelector('[data-testid="chart-view"]');
        let info = 'no chart hook';
        try {
          info = JSON.stringify(window.__tesseraChart?.renderInfo() ?? null);
        } catch (error) {
          info = String(error);
        }
        const measures = performance
          .getEntriesByType('measure')
          .map((m) => `${m.name}=${Math.round(m.duration)}ms`)
          .join(' ');
        return [
          `url=${location.href}`,
          `chart-view=${view ? `nodes ${view.getAttribute('data-node-count')} edges ${view.getAttribute('data-edge-count')} big ${view.getAttribute('data-big-chart')}` : 'absent'}`,
          `renderInfo=${info}`,
          `measures=${measures || 'none'}`,
          `text=${document.body.innerText.slice(0, 300).replace(/\s+/g, ' ')}`,
        ].join('\n  ');
      }),
      new Promise<string>((resolve) =>
        setTimeout(
          () => resolve('the page did not answer within 10 s (main thread busy?)'),
          10_000,
        ),
      ),
    ]);
  } catch (error) {
    return `could not read the page: ${(error as Error).message}`;
  }
}

async function withTimeout<T>(step: string, ms: number, work: Promise<T>, page?: Page): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StepTimeout(step)), ms);
      }),
    ]);
  } catch (error) {
    const seen = page ? await describePage(page) : '';
    const why = error instanceof StepTimeout ? `timed out after ${ms / 1000} s` : String(error);
    throw new Error(`${step}: ${why}${seen ? `\n  ${seen}` : ''}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh tab on the case list (no case reopened, no remembered workspace tab). */
async function openAppPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));

  await withTimeout(
    'load the app',
    60_000,
    page.goto(url, { waitUntil: 'domcontentloaded' }),
    page,
  );
  // The store is encrypted (issue 10): set the passphrase up on the fresh profile, or unlock.
  await withTimeout('pass the lock screens', 120_000, passLockScreens(page), page);
  await withTimeout(
    'boot the app',
    60_000,
    page.waitForFunction(() => window.__tesseraApp !== undefined, undefined, { timeout: 60_000 }),
    page,
  );
  return page;
}

/** Opens the case and times the click on the chart tab until a frame with every node is drawn. */
/** `label` names the profile (CHART_BENCH_PROFILE=2k or 50k). */
async function timeChartRender(
  page: Page,
  caseId: string,
  title: string,
  label: string,
  nodeCount: number,
): Promise<number> {
  await page.evaluate(() => {
    localStorage.removeItem('tessera.openCaseId');
    sessionStorage.removeItem('tessera.workspaceTab');
  });
  await withTimeout(
    'reload onto the case list',
    60_000,
    page.reload({ waitUntil: 'domcontentloaded' }),
    page,
  );
  await withTimeout('unlock after the reload', 120_000, passLockScreens(page), page);
  const link = page.locator('.case-open-link', { hasText: title });
  await withTimeout('case list', 60_000, link.waitFor({ timeout: 60_000 }), page);
  const openStart = Date.now();
  await link.click({ timeout: 30_000 });
  await withTimeout('case workspace', 60_000, page.getByTestId('case-workspace').waitFor(), page);
  await page.getByTestId('tab-entities').click({ timeout: 30_000 });
  await withTimeout(
    'entity table',
    120_000,
    page.locator('[data-testid^="entity-row-"]').first().waitFor({ timeout: 120_000 }),
    page,
  );
  console.log(`chart bench ${title}: case open to first table row: ${Date.now() - openStart} ms`);
  // The table shows its first page once the nodes are in (or at once from the remembered page),
  // while the chart needs every record, relationships included (useEntities is undefined until
  // then). Clicking at the first row timed the rest of the case's load as the chart's first
  // render (12.3 s at 50k, of which ~9 s the load): the chart's clock starts with the case in
  // memory, and the load is its own line.
  await withTimeout(
    'case loaded',
    300_000,
    page.waitForFunction(
      (id) => window.__tesseraApp?.repository.caseStores.store(id).snapshot().phase === 'ready',
      caseId,
      { timeout: 300_000, polling: 50 },
    ),
    page,
  );
  const loadedMs = Date.now() - openStart;
  console.log(`chart bench ${title}: case open to every record in memory: ${loadedMs} ms`);
  await page.evaluate(() => performance.clearMeasures());
  const renderMs = await profiled(page, label, () => clickAndWaitForChart(page, nodeCount));
  console.log(
    `chart bench ${title}: case open to chart drawn (load, then the click): ${loadedMs + renderMs} ms`,
  );
  return renderMs;
}

async function clickAndWaitForChart(page: Page, nodeCount: number): Promise<number> {
  const start = Date.now();
  // The page's clock at the click, so the page timings can say when each step began.
  await page.evaluate(() => performance.mark('chart:click'));
  await page.getByTestId('tab-chart').click({ timeout: 60_000 });
  await withTimeout(
    'chart drawn with every node',
    180_000,
    page.waitForFunction(
      (count) =>
        document.querySelector('[data-testid="chart-view"]')?.getAttribute('data-node-count') ===
          String(count) && window.__tesseraChart?.renderInfo().nodes === count,
      nodeCount,
      { timeout: 180_000, polling: 100 },
    ),
    page,
  );
  await withTimeout(
    'afterRender',
    60_000,
    page.evaluate(() => window.__tesseraChart!.afterRender()),
    page,
  );
  return Date.now() - start;
}

/**
 * The page's `chart:*` measures, each as its duration and when it began after the click on the
 * chart tab (`@ms`): the first render's steps in order, and the gaps between them.
 */
async function printPageMeasures(page: Page, label: string): Promise<void> {
  const measures = await page.evaluate(() => {
    const click = performance.getEntriesByName('chart:click', 'mark')[0]?.startTime;
    return performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith('chart:'))
      .map(
        (m) =>
          `${m.name} ${Math.round(m.duration)} ms${click === undefined ? '' : ` @${Math.round(m.startTime - click)}`}`,
      );
  });
  if (measures.length > 0) console.log(`chart bench ${label} page timings: ${measures.join(', ')}`);
}

/** Pause between the early and the settled pan measurement. */
const SETTLE_MS = 3_000;

/** Zoom and whether the overview stands in for Cytoscape, for the info lines. */
async function overviewState(page: Page): Promise<string> {
  const state = await page.evaluate(() => ({
    zoom: window.__tesseraChart!.zoom(),
    overview: window.__tesseraChart!.renderInfo().overview,
  }));
  return `zoom ${state.zoom.toFixed(4)}, overview ${state.overview ? 'on' : 'off'}`;
}

/** Starts recording requestAnimationFrame deltas in the page. */
async function startFrames(page: Page): Promise<void> {
  // A string, not a function: tsx compiles named inner functions with a `__name` helper that
  // does not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__frameTimes = [];
    window.__framesOn = true;
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      window.__frameTimes.push([last, now]);
      last = now;
      if (window.__framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

async function stopFrames(page: Page): Promise<number[]> {
  return withTimeout(
    'collect frames',
    30_000,
    page.evaluate(() => {
      const w = window as unknown as {
        __frames: number[];
        __frameTimes: [number, number][];
        __framesOn: boolean;
      };
      w.__framesOn = false;
      // The page's chart:* measures that overlap the worst frame (a window slice, a paint): what
      // ran in it, without a profiler.
      const worst = w.__frameTimes
        .slice(1)
        .reduce<[number, number] | undefined>(
          (best, next) => (!best || next[1] - next[0] > best[1] - best[0] ? next : best),
          undefined,
        );
      const inWorst = worst
        ? performance
            .getEntriesByType('measure')
            .filter(
              (m) =>
                m.name.startsWith('chart:') &&
                m.startTime < worst[1] &&
                m.startTime + m.duration > worst[0],
            )
            .map(
              (m) =>
                `${m.name} ${m.duration.toFixed(1)} ms @${(m.startTime - worst[0]).toFixed(1)}${(m as PerformanceMeasure).detail ? ` ${JSON.stringify((m as PerformanceMeasure).detail)}` : ''}`,
            )
        : [];
      // Each window hand-over in the gesture (the overview covering while Cytoscape's layers are
      // built) and the draw that followed it: a few ms when it was made from the layers.
      const first = w.__frameTimes[0]?.[0] ?? 0;
      const measures = performance.getEntriesByType('measure');
      const handOvers = measures
        .filter((m) => m.name === 'chart:hand-over' && m.startTime >= first)
        .map((m) => {
          const end = m.startTime + m.duration;
          const draw = measures.find((d) => d.name === 'chart:cy-draw' && d.startTime >= end);
          return `${m.duration.toFixed(0)} ms ${JSON.stringify((m as PerformanceMeasure).detail)}, then a ${draw ? draw.duration.toFixed(1) : '?'} ms draw`;
        });
      return { frames: w.__frames.slice(1), inWorst, handOvers };
    }),
    page,
  ).then(({ frames, inWorst, handOvers }) => {
    if (inWorst.length > 0) console.log(`chart bench worst frame held: ${inWorst.join('; ')}`);
    if (handOvers.length > 0) console.log(`chart bench hand-overs: ${handOvers.join('; ')}`);
    return frames;
  });
}

async function panFrames(page: Page, from: 'corner' | 'background' = 'corner'): Promise<number[]> {
  const box = await page.getByTestId('chart-view').boundingBox();
  if (!box) throw new Error('no chart on the page');
  // A corner of the view is background after a fit (40 px padding), so the drag pans; zoomed in,
  // the drag starts at the point of the view farthest from every node.
  const start =
    from === 'background'
      ? await page.evaluate(() => window.__tesseraChart!.backgroundPoint())
      : { x: box.x + 12, y: box.y + 12 };
  if (!start) throw new Error('no background point on the chart');
  await startFrames(page);
  let px = start.x;
  let py = start.y;
  await page.mouse.move(px, py);
  await page.mouse.down();
  const end = Date.now() + PAN_MS;
  let step = 0;
  while (Date.now() < end) {
    step++;
    // Back and forth around the start, so the chart stays on screen as the user looks at it.
    const dx = step % 80 < 40 ? 5 : -5;
    const dy = step % 120 < 60 ? 3 : -3;
    px = Math.min(box.x + box.width - 5, Math.max(box.x + 5, px + dx));
    py = Math.min(box.y + box.height - 5, Math.max(box.y + 5, py + dy));
    await withTimeout('pan step', 30_000, page.mouse.move(px, py), page);
  }
  await withTimeout('pan release', 30_000, page.mouse.up(), page);
  // A refetch the pan started goes on in slices after the release: its frames are the pan's.
  await untilFilled(page);
  return stopFrames(page);
}

const WHEEL_STEPS_MAX = 80;

/** Waits until a huge chart's window change has gone in (its slices are frames of the gesture). */
async function untilFilled(page: Page): Promise<void> {
  await withTimeout(
    'window filled',
    60_000,
    page.waitForFunction(() => !window.__tesseraChart!.renderInfo().filling, undefined, {
      timeout: 60_000,
      polling: 50,
    }),
    page,
  );
}

/**
 * Nodes of the big case (issue 13's chart has 50,000; CHART_BENCH_NODES=10000 for a quick run on
 * a shared machine). Lines name it: `chart 50k …`.
 */
const BIG_NODES = Number(process.env.CHART_BENCH_NODES ?? 50_000);
const BIG = `${Math.round(BIG_NODES / 1000)}k`;

/** CHART_BENCH_ONLY=first stops after the big chart's first render (no pans, zooms, drag). */
const FIRST_ONLY = process.env.CHART_BENCH_ONLY === 'first';

/** Issue 13's goals for the 50k chart. */
const FIRST_RENDER_GOAL_MS = 2_000;
const MAX_FRAME_GOAL_MS = 100;
const DRAG_COMMIT_GOAL_MS = 50;

/**
 * Drags a node on screen (zoomed in) by 80 px in small steps, lets go, and waits for the chart to
 * save the move: returns the frames of the drag and how long the store took to commit it (the
 * page's `chart:drag-commit` measure, ChartView.tsx).
 */
async function dragNode(page: Page): Promise<{ frames: number[]; commitMs: number }> {
  const box = await page.getByTestId('chart-view').boundingBox();
  if (!box) throw new Error('no chart on the page');
  // A node Cytoscape draws now, nearest the middle of the view (a huge chart's window holds only
  // what is on screen and a margin; looking each of the chart's 50,000 ids up by its model
  // position found none once in a run).
  const middle = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const inside = (at: { x: number; y: number }) =>
    at.x > box.x + 40 &&
    at.x < box.x + box.width - 120 &&
    at.y > box.y + 40 &&
    at.y < box.y + box.height - 80;
  const byDistance = (a: { x: number; y: number }, b: { x: number; y: number }) =>
    Math.hypot(a.x - middle.x, a.y - middle.y) - Math.hypot(b.x - middle.x, b.y - middle.y);
  // The nodes drawn once the window is full. A pan (the zoomed-in one before, or one below) can
  // end over a spot too dense for Cytoscape (more nodes on screen than a window shows): the
  // overview stands in again, and there is no node to drag. Zoom in there first, as a user
  // would (those frames are not the drag's). Read mid-fill, the window's nodes could be missing
  // or the overview still covering: "no node on screen to drag" under load.
  const settledDrawn = async () => {
    await untilFilled(page);
    if (await page.evaluate(() => window.__tesseraChart!.renderInfo().overview)) {
      const { steps } = await wheelFrames(page, 'in');
      console.log(
        `chart bench drag: the pan ended on the overview; zoomed in ${steps} steps first`,
      );
    }
    await withTimeout(
      'afterRender',
      60_000,
      page.evaluate(() => window.__tesseraChart!.afterRender()),
      page,
    );
    return page.evaluate(() => window.__tesseraChart!.drawnNodePositions());
  };
  let drawn = await settledDrawn();
  // The zoomed-in pan before can end over an empty stretch of the chart, with the window's nodes
  // all in its margin: then pan (a background drag, as a user would) to the nearest one first.
  for (let attempt = 0; attempt < 3 && !drawn.some(inside); attempt++) {
    const nearest = [...drawn].sort(byDistance)[0];
    if (!nearest) break;
    await page.mouse.move(middle.x, middle.y);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(
        middle.x + ((middle.x - nearest.x) * step) / 10,
        middle.y + ((middle.y - nearest.y) * step) / 10,
      );
    }
    await page.mouse.up();
    drawn = await settledDrawn();
  }
  const start = drawn.filter(inside).sort(byDistance)[0];
  if (!start) {
    // What the page held then, for the next run to tell a window that misses the screen (held
    // nodes, none on it) from the overview standing in (none held or drawn).
    const state = await page.evaluate(() => ({
      info: window.__tesseraChart!.renderInfo(),
      zoom: window.__tesseraChart!.zoom(),
    }));
    const onScreen = drawn.filter(
      (at) =>
        at.x >= box.x && at.x <= box.x + box.width && at.y >= box.y && at.y <= box.y + box.height,
    ).length;
    throw new Error(
      `no node on screen to drag (${drawn.length} drawn, ${onScreen} of them on screen; ${JSON.stringify(state)})`,
    );
  }
  await page.evaluate(() => performance.clearMeasures('chart:drag-commit'));
  await startFrames(page);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let step = 1; step <= 20; step++) {
    await withTimeout(
      'drag step',
      30_000,
      page.mouse.move(start.x + step * 4, start.y + step * 2),
      page,
    );
  }
  await withTimeout('drag release', 30_000, page.mouse.up(), page);
  const commitMs = await withTimeout(
    'drag commit',
    30_000,
    page
      .waitForFunction(
        () => performance.getEntriesByName('chart:drag-commit', 'measure')[0]?.duration,
        undefined,
        { timeout: 30_000, polling: 50 },
      )
      .then((handle) => handle.jsonValue() as Promise<number>),
    page,
  );
  await page.waitForTimeout(500);
  return { frames: await stopFrames(page), commitMs };
}

/**
 * Zooms with the mouse wheel at the centre of the view, in steps as a user does, until the
 * overview hands over to Cytoscape (`in`) or takes over again (`out`). Returns the frame deltas
 * and the number of wheel steps it took.
 */
async function wheelFrames(
  page: Page,
  direction: 'in' | 'out',
): Promise<{ frames: number[]; steps: number }> {
  const box = await page.getByTestId('chart-view').boundingBox();
  if (!box) throw new Error('no chart on the page');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await startFrames(page);
  let steps = 0;
  const wantOverview = direction === 'out';
  while (steps < WHEEL_STEPS_MAX) {
    steps++;
    await withTimeout('wheel', 30_000, page.mouse.wheel(0, direction === 'in' ? -120 : 120), page);
    await page.waitForTimeout(40);
    const overview = await withTimeout(
      'read overview state',
      30_000,
      page.evaluate(() => window.__tesseraChart!.renderInfo().overview),
      page,
    );
    if (overview === wantOverview) break;
  }
  // Let the window change finish (a slice a frame), then one more second as the user looks.
  await untilFilled(page);
  await page.waitForTimeout(1000);
  return { frames: await stopFrames(page), steps };
}

/**
 * A gesture's frame times. `worst at frame i` tells a first frame (Cytoscape building its viewport
 * texture when the gesture starts) from one inside the gesture (a window refetch, a collection).
 */
function frameLine(label: string, frames: readonly number[]): string {
  const max = Math.max(...frames);
  return `${label}: p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, max ${max.toFixed(1)} ms (${frames.length} frames, worst at frame ${frames.indexOf(max) + 1})`;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function profileKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
}

/**
 * The samples that fell inside the gesture's worst frame (`[from, to]` in the page's
 * performance.now() ms; `pageStart` is performance.now() read just after the profiler started,
 * so the offset is off by a round trip, a few ms): self and inclusive time per function. A
 * gesture's profile sums every frame; the goal is about the longest one.
 */
function printWorstFrame(
  label: string,
  profile: CpuProfile,
  pageStart: number,
  frame: readonly [number, number],
): void {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let at = profile.startTime;
  let sampled = 0;
  const from = profile.startTime + (frame[0] - pageStart) * 1000;
  const to = profile.startTime + (frame[1] - pageStart) * 1000;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    const ms = delta / 1000;
    sampled += ms;
    const node = byId.get(id)!;
    self.set(profileKey(node), (self.get(profileKey(node)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const key = profileKey(byId.get(cursor)!);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, ms]) => `  ${ms.toFixed(1).padStart(7)}  ${key}`)
      .join('\n');
  console.log(
    `chart bench ${label} worst frame (${(frame[1] - frame[0]).toFixed(1)} ms, ${sampled.toFixed(1)} ms sampled), self:\n${top(self, 20)}\n  inclusive:\n${top(total, 45)}`,
  );
}

/**
 * With CHART_BENCH_PROFILE=1, samples the page's main thread (CDP Profiler) around `work` and
 * prints the functions with the most self time: where a slow render goes.
 */
async function profiled<T>(page: Page, label: string, work: () => Promise<T>): Promise<T> {
  const wanted = (process.env.CHART_BENCH_PROFILE ?? '').split(',');
  if (!wanted.includes('1') && !wanted.includes(label)) return work();
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 1000 });
  await session.send('Profiler.start');
  const pageStart = await page.evaluate(() => {
    performance.clearMeasures('chart:cy-draw');
    return performance.now();
  });
  try {
    return await work();
  } finally {
    const { profile } = (await session.send('Profiler.stop')) as unknown as {
      profile: CpuProfile;
    };
    const frameTimes = await page.evaluate(
      () => (window as unknown as { __frameTimes?: [number, number][] }).__frameTimes ?? [],
    );
    // The first entry is the recorder's own start (stopFrames drops it too).
    const worst = frameTimes
      .slice(1)
      .reduce<[number, number] | undefined>(
        (best, next) => (!best || next[1] - next[0] > best[1] - best[0] ? next : best),
        undefined,
      );
    if (worst) printWorstFrame(label, profile, pageStart, worst);
    // Cytoscape's longest draw in the gesture (chart:cy-draw, test hooks): what a full redraw of
    // the window spends, whichever frame it fell in.
    const longestDraw = await page.evaluate(() =>
      performance
        .getEntriesByName('chart:cy-draw', 'measure')
        .reduce<[number, number] | undefined>(
          (best, m) =>
            !best || m.duration > best[1] - best[0]
              ? [m.startTime, m.startTime + m.duration]
              : best,
          undefined,
        ),
    );
    if (longestDraw && longestDraw[1] - longestDraw[0] > 30) {
      printWorstFrame(`${label} longest Cytoscape draw`, profile, pageStart, longestDraw);
    }
    const perSample = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
    const self = new Map<string, number>();
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber, columnNumber } = node.callFrame;
      const file = url.split('/').pop() ?? '';
      const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}:${columnNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0) * perSample);
    }
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(`chart bench ${label} profile (self time, ms):`);
    for (const [key, ms] of top) console.log(`  ${Math.round(ms).toString().padStart(7)}  ${key}`);
    if (process.env.CHART_BENCH_PROFILE_TOTAL === '1') {
      // Inclusive time per function (a recursive function counts once per path, so roughly).
      const byId = new Map(profile.nodes.map((node) => [node.id, node]));
      const totals = new Map<string, number>();
      const visit = (node: ProfileNode & { children?: number[] }, onPath: Set<string>): number => {
        const { functionName, url, lineNumber } = node.callFrame;
        const key = `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
        let total = (node.hitCount ?? 0) * perSample;
        const fresh = !onPath.has(key);
        if (fresh) onPath.add(key);
        for (const child of node.children ?? []) total += visit(byId.get(child)!, onPath);
        if (fresh) {
          onPath.delete(key);
          totals.set(key, (totals.get(key) ?? 0) + total);
        }
        return total;
      };
      visit(profile.nodes[0]!, new Set());
      console.log(`chart bench ${label} profile (total time, ms):`);
      const topTotals = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60);
      for (const [key, ms] of topTotals) {
        console.log(`  ${Math.round(ms).toString().padStart(7)}  ${key}`);
      }
    }
    await session.detach();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`chart bench: stopped after ${WATCHDOG_MS / 1000} s`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  // CHART_BENCH_STATIC_DIR serves another build (an unminified one makes profiles readable), so
  // dist/renderer is left as it is then.
  const staticDir = process.env.CHART_BENCH_STATIC_DIR ?? join(ROOT, 'dist', 'renderer');
  if (process.env.CHART_BENCH_STATIC_DIR === undefined && !ensureRenderer()) {
    throw new Error('the renderer build failed');
  }
  let t = Date.now();
  const small = generateChartCase('bench-2k', 'Chart bench 2k', 2_000, 11);
  const big = generateChartCase(`bench-${BIG}`, `Chart bench ${BIG}`, BIG_NODES, 7);
  console.log(`chart bench generate and lay out: ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-chart-'));
  const host = await startWebHost({ port: 0, dataDir, staticDir });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addInitScript(() => {
      (window as unknown as { __TESSERA_TEST__: boolean }).__TESSERA_TEST__ = true;
    });

    let page = await openAppPage(context, host.url);
    t = Date.now();
    await writeCase(page, small);
    await writeCase(page, big);
    console.log(
      `chart bench write ${small.entities.length + big.entities.length} records: ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    await page.close();

    page = await openAppPage(context, host.url);
    const smallMs = await timeChartRender(
      page,
      small.caseRecord.id,
      'Chart bench 2k',
      '2k',
      small.nodeCount,
    );
    console.log(`chart 2k render: ${smallMs} ms`);
    await printPageMeasures(page, '2k');
    await page.close();

    page = await openAppPage(context, host.url);
    const bigMs = await timeChartRender(
      page,
      big.caseRecord.id,
      big.caseRecord.title,
      BIG,
      big.nodeCount,
    );
    console.log(`chart ${BIG} first render: ${(bigMs / 1000).toFixed(2)} s`);
    console.log(`chart ${BIG} first render ms: ${bigMs} (goal ≤ ${FIRST_RENDER_GOAL_MS})`);
    await printPageMeasures(page, BIG);
    // A look at what the user sees at first sight (scratch, outside the repository).
    await page.screenshot({ path: join(tmpdir(), `chart-bench-${BIG}-first-render.png`) });
    const info = await page.evaluate(() => window.__tesseraChart!.renderInfo());
    if (FIRST_ONLY) {
      // CHART_BENCH_ONLY=first: the first render alone (a quick run while working on it).
      console.log(
        `chart ${BIG} overview bitmap at fit: ${info.overview ? `yes (painted in ${Math.round(info.overviewPaintMs ?? NaN)} ms in a worker)` : 'no'}`,
      );
      return;
    }
    // Right after the first draw Cytoscape (when it draws) is still filling its element texture
    // caches, a few seconds of work spread over frames; panning then was slow. Measured both ways.
    const early = await profiled(page, 'early', () => panFrames(page));
    const allFrames: number[] = [...early];
    console.log(frameLine(`chart ${BIG} pan right after first render`, early));
    console.log(`chart ${BIG} after that pan: ${await overviewState(page)}`);
    await page.waitForTimeout(SETTLE_MS);
    const frames = await profiled(page, 'pan', () => panFrames(page));
    allFrames.push(...frames);
    console.log(frameLine(`chart ${BIG} pan at fit, after a settle`, frames));
    console.log(`chart ${BIG} pan frame p50: ${percentile(frames, 50).toFixed(1)} ms`);
    console.log(`chart ${BIG} pan frame p95: ${percentile(frames, 95).toFixed(1)} ms`);
    console.log(
      `chart ${BIG} renderer: canvas (big-chart settings), overview bitmap at fit: ${info.overview ? `yes (painted in ${Math.round(info.overviewPaintMs ?? NaN)} ms in a worker)` : 'no'}, ${info.nodes} nodes, ${info.edges} edges, ${frames.length} frames in ${PAN_MS / 1000} s of panning`,
    );
    const zoomIn = await profiled(page, 'zoom', () => wheelFrames(page, 'in'));
    allFrames.push(...zoomIn.frames);
    const zoomed = await page.evaluate(() => ({
      zoom: window.__tesseraChart!.zoom(),
      overview: window.__tesseraChart!.renderInfo().overview,
    }));
    console.log(
      frameLine(
        `chart ${BIG} wheel zoom in (${zoomIn.steps} steps to zoom ${zoomed.zoom.toFixed(3)}, overview ${zoomed.overview ? 'still on' : 'handed to Cytoscape'})`,
        zoomIn.frames,
      ),
    );
    await page.waitForTimeout(SETTLE_MS);
    const heldBefore = await page.evaluate(() => window.__tesseraChart!.renderInfo().heldNodes);
    const zoomedPan = await profiled(page, 'zoomedpan', () => panFrames(page, 'background'));
    allFrames.push(...zoomedPan);
    const heldAfter = await page.evaluate(() => window.__tesseraChart!.renderInfo().heldNodes);
    // Whether the pan moved the window (a refetch) shows in the nodes Cytoscape holds.
    console.log(
      frameLine(`chart ${BIG} pan zoomed in (held nodes ${heldBefore} -> ${heldAfter})`, zoomedPan),
    );
    const drag = await profiled(page, 'drag', () => dragNode(page));
    allFrames.push(...drag.frames);
    console.log(frameLine(`chart ${BIG} node drag`, drag.frames));
    await page.screenshot({ path: join(tmpdir(), `chart-bench-${BIG}-after-drag.png`) });
    console.log(
      `chart ${BIG} drag commit ms: ${drag.commitMs.toFixed(1)} (goal ≤ ${DRAG_COMMIT_GOAL_MS})`,
    );
    const zoomOut = await profiled(page, 'zoomout', () => wheelFrames(page, 'out'));
    allFrames.push(...zoomOut.frames);
    console.log(frameLine(`chart ${BIG} wheel zoom out (${zoomOut.steps} steps)`, zoomOut.frames));
    console.log(
      `chart ${BIG} max frame ms: ${Math.max(...allFrames).toFixed(1)} (goal ≤ ${MAX_FRAME_GOAL_MS}; every pan, zoom and drag frame above)`,
    );
  } finally {
    await browser?.close();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
