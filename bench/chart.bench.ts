/**
 * Chart interaction benchmark through the real app (built renderer on the loopback web host) in
 * Debian's Chromium. A seeded scale-free case (shared/layout/generate.ts, 2 edges per node) is
 * imported through the repository with a chart holding every entity, then:
 *   chart 50k first render: X s      (click on the Link chart tab → every element drawn)
 *   chart 50k pan frame p50: X ms    (requestAnimationFrame deltas while dragging the background
 *   chart 50k pan frame p95: X ms     for ~3 s, in small steps, as a user pans)
 *   chart 2k render: X ms            (the same for a 2,000-entity chart)
 * and a line saying which renderer drew (WebGL or the 2D canvas with the big-chart settings).
 * Node positions are placed as the graph grows (each node near the first node it links to), so
 * the chart has the clustered look of a laid-out network without running a layout first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { CaseFile } from '../shared/caseFile.ts';
import { CASE_FILE_FORMAT, CASE_FILE_VERSION } from '../shared/caseFile.ts';
import { createRandom, generateScaleFreeGraph } from '../shared/layout/index.ts';
import type { ChartNodeView, EntityRecord } from '../shared/model/index.ts';
import { DEFAULT_MARKINGS, formatHlc, UNGRADED } from '../shared/model/index.ts';
import { startWebHost } from '../electron/web/server.ts';
import { ensureRenderer, ROOT } from '../scripts/web.mjs';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PAN_MS = 3000;

function generateCase(caseId: string, title: string, nodeCount: number, seed: number): CaseFile {
  const graph = generateScaleFreeGraph(nodeCount, { edgesPerNode: 2, seed });
  const random = createRandom(seed + 1);
  let counter = 0;
  const common = (id: string) => {
    counter += 1;
    const stamp = formatHlc({
      wallMs: Date.UTC(2024, 0, 1) + Math.floor(counter / 60000),
      counter: counter % 60000,
      node: 'bench',
    });
    return {
      id,
      createdAt: stamp,
      updatedAt: stamp,
      deleted: false,
      originAgency: 'bench',
      markings: DEFAULT_MARKINGS,
    };
  };
  const provenance = {
    source: 'bench',
    originAgency: 'bench',
    recordedBy: 'bench',
    recordedAt: '2024-01-01',
  };
  const entityId = (i: number) => `${caseId}-n${i}`;
  const isCompany = (i: number) => i % 5 === 0;
  const entities: EntityRecord[] = [];
  for (let i = 0; i < nodeCount; i++) {
    entities.push({
      ...common(entityId(i)),
      kind: 'entity',
      caseId,
      schema: isCompany(i) ? 'Company' : 'Person',
      properties: isCompany(i)
        ? { name: [`Holding ${i} SRL`], jurisdiction: [i % 2 ? 'ro' : 'at'] }
        : { name: [`Person ${i}`], nationality: [i % 3 ? 'ro' : 'it'] },
      provenance,
      grading: UNGRADED,
    } as EntityRecord);
  }
  const nodes: Record<string, ChartNodeView> = {};
  const x = new Float64Array(nodeCount);
  const y = new Float64Array(nodeCount);
  const placed = new Uint8Array(nodeCount);
  for (let k = 0; k < graph.edgeSources.length; k++) {
    const s = graph.edgeSources[k]!;
    const t = graph.edgeTargets[k]!;
    // Each new node is the source of its first edge and links to an older node.
    if (!placed[s]) {
      const angle = random() * 2 * Math.PI;
      const r = placed[t] ? 150 + random() * 450 : 0;
      x[s] = x[t] + r * Math.cos(angle);
      y[s] = y[t] + r * Math.sin(angle);
      placed[s] = 1;
      placed[t] = 1;
    }
    let properties: Record<string, string[]>;
    let schema: string;
    if (isCompany(s) || isCompany(t)) {
      const org = isCompany(t) ? t : s;
      const other = org === t ? s : t;
      schema = 'Directorship';
      properties = { director: [entityId(other)], organization: [entityId(org)] };
    } else {
      schema = 'Associate';
      properties = { person: [entityId(s)], associate: [entityId(t)] };
    }
    entities.push({
      ...common(`${caseId}-r${k}`),
      kind: 'entity',
      caseId,
      schema,
      properties,
      provenance,
      grading: UNGRADED,
    } as EntityRecord);
  }
  for (let i = 0; i < nodeCount; i++) {
    nodes[entityId(i)] = { x: Math.round(x[i]! * 10) / 10, y: Math.round(y[i]! * 10) / 10 };
  }
  return {
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: '2024-01-01T00:00:00.000Z',
    exportedBy: 'bench',
    case: {
      ...common(caseId),
      kind: 'case',
      reference: `BENCH/${nodeCount}`,
      title,
      status: 'open',
      leadInvestigator: 'Bench',
      crimeAreas: [],
      jurisdictions: ['ro'],
      openedOn: '2024-01-01',
    },
    entities,
    notes: [],
    attachments: [],
    notices: [],
    charts: [
      {
        ...common(`${caseId}-chart`),
        kind: 'chart',
        caseId,
        name: 'All entities',
        nodes,
        layout: 'force-fast',
      },
    ],
  } as unknown as CaseFile;
}

async function importCase(page: Page, file: CaseFile): Promise<void> {
  await page.evaluate(async (caseFile) => {
    await window.__tesseraApp!.repository.importCase(
      caseFile as Parameters<
        NonNullable<typeof window.__tesseraApp>['repository']['importCase']
      >[0],
    );
  }, file);
}

/** Opens the case and times the click on the chart tab until a frame with every node is drawn. */
async function timeChartRender(page: Page, title: string, nodeCount: number): Promise<number> {
  const link = page.locator('.case-open-link', { hasText: title });
  await link.waitFor({ timeout: 60_000 });
  await link.click();
  await page.getByTestId('case-workspace').waitFor();
  await page.getByTestId('tab-entities').click();
  await page.locator('[data-testid^="entity-row-"]').first().waitFor({ timeout: 180_000 });
  const start = Date.now();
  await page.getByTestId('tab-chart').click();
  await page.waitForFunction(
    (count) =>
      document.querySelector('[data-testid="chart-view"]')?.getAttribute('data-node-count') ===
        String(count) && window.__tesseraChart?.renderInfo().nodes === count,
    nodeCount,
    { timeout: 300_000, polling: 50 },
  );
  await page.evaluate(() => window.__tesseraChart!.afterRender());
  return Date.now() - start;
}

async function panFrames(page: Page): Promise<number[]> {
  const box = await page.getByTestId('chart-view').boundingBox();
  if (!box) throw new Error('no chart on the page');
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framesOn: boolean };
    w.__frames = [];
    w.__framesOn = true;
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  // A corner of the view is background after a fit (40 px padding), so the drag pans.
  let px = box.x + 12;
  let py = box.y + 12;
  await page.mouse.move(px, py);
  await page.mouse.down();
  const end = Date.now() + PAN_MS;
  let step = 0;
  while (Date.now() < end) {
    step++;
    const dx = Math.round(6 * Math.cos(step / 25));
    const dy = Math.round(4 * Math.sin(step / 40)) + 2;
    px = Math.min(box.x + box.width - 5, Math.max(box.x + 5, px + dx));
    py = Math.min(box.y + box.height - 5, Math.max(box.y + 5, py + dy));
    await page.mouse.move(px, py);
  }
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framesOn: boolean };
    w.__framesOn = false;
    return w.__frames.slice(1);
  });
  return frames;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  if (!ensureRenderer()) throw new Error('the renderer build failed');
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-chart-'));
  const host = await startWebHost({ port: 0, dataDir, staticDir: join(ROOT, 'dist', 'renderer') });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addInitScript(() => {
      (window as unknown as { __TESSERA_TEST__: boolean }).__TESSERA_TEST__ = true;
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(host.url);
    await page.waitForFunction(() => window.__tesseraApp !== undefined, undefined, {
      timeout: 60_000,
    });

    const small = generateCase('bench-2k', 'Chart bench 2k', 2_000, 11);
    const big = generateCase('bench-50k', 'Chart bench 50k', 50_000, 7);
    const importStart = Date.now();
    await importCase(page, small);
    await importCase(page, big);
    console.log(`chart bench import: ${((Date.now() - importStart) / 1000).toFixed(1)} s`);

    await page.reload();
    const smallMs = await timeChartRender(page, 'Chart bench 2k', 2_000);
    console.log(`chart 2k render: ${smallMs} ms`);

    await page.reload();
    const bigMs = await timeChartRender(page, 'Chart bench 50k', 50_000);
    const info = await page.evaluate(() => window.__tesseraChart!.renderInfo());
    console.log(`chart 50k first render: ${(bigMs / 1000).toFixed(2)} s`);
    const frames = await panFrames(page);
    console.log(`chart 50k pan frame p50: ${percentile(frames, 50).toFixed(1)} ms`);
    console.log(`chart 50k pan frame p95: ${percentile(frames, 95).toFixed(1)} ms`);
    console.log(
      `chart 50k renderer: ${info.webgl ? 'webgl' : 'canvas (big-chart settings)'}, ${info.nodes} nodes, ${info.edges} edges, ${frames.length} frames`,
    );
  } finally {
    await browser?.close();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
