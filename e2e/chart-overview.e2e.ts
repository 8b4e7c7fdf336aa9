/**
 * A chart too big for Cytoscape to draw whole at every frame, in the real UI in Chromium without
 * a GPU: zoomed out, the overview bitmap (painted in a worker) stands in for Cytoscape; the mouse
 * wheel zooms in until Cytoscape draws the few nodes on screen itself, where a click selects an
 * entity; zooming back out brings the overview back with the selection marked on it.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';
import { generateChartCase, openGeneratedChart } from './harness/generatedCase.ts';

const suite = useBrowserSuite();
const NODES = 6000;
const HUB = 'e2e-big-n0';

function renderInfo(page: Page) {
  return page.evaluate(() => window.__tesseraChart?.renderInfo());
}

/**
 * What the overlay canvas shows: pixels that differ from its top-left (background) pixel, and the
 * share of opaque pixels (1 while it covers Cytoscape).
 */
function overlayPixels(page: Page): Promise<{ painted: number; opaqueShare: number }> {
  return page.getByTestId('chart-overview').evaluate((element) => {
    const canvas = element as HTMLCanvasElement;
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0) return { painted: 0, opaqueShare: 0 };
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    let opaque = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) painted++;
      if (data[i + 3] === 255) opaque++;
    }
    return { painted, opaqueShare: opaque / (data.length / 4) };
  });
}

const paintedPixels = async (page: Page) => (await overlayPixels(page)).painted;
const opaqueShare = async (page: Page) => (await overlayPixels(page)).opaqueShare;

async function wheelUntilOverview(page: Page, wanted: boolean, deltaY: number): Promise<number> {
  for (let step = 1; step <= 120; step++) {
    const at = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), HUB);
    await page.mouse.move(at!.x, at!.y);
    await page.mouse.wheel(0, deltaY);
    await page.waitForTimeout(60);
    if ((await renderInfo(page))?.overview === wanted) return step;
  }
  throw new Error(`the overview never turned ${wanted ? 'on' : 'off'}`);
}

/** Writes a generated case of `NODES` entities with a chart of them all, and opens that chart. */
async function openBigChart(): Promise<{ page: Page; pageErrors: readonly string[] }> {
  const app = await suite.open({ testHooks: true });
  const page = app.page;
  await openGeneratedChart(page, generateChartCase('e2e-big', 'Big network', NODES, 3));
  await expect.poll(async () => (await renderInfo(page))?.overview, { timeout: 30_000 }).toBe(true);
  return app;
}

/** The big chart, zoomed in until Cytoscape draws the window around the hub itself. */
async function openZoomedIn(): Promise<{ page: Page; pageErrors: readonly string[] }> {
  const app = await openBigChart();
  const page = app.page;
  await page.evaluate(() => window.__tesseraChart!.afterRender());
  await wheelUntilOverview(page, false, -240);
  await page.evaluate(() => window.__tesseraChart!.afterRender());
  await expect.poll(() => opaqueShare(page)).toBeLessThan(0.2);
  return app;
}

/** The hub's own saved row (a drag writes only the moved node), if it has one. */
function savedHubRow(page: Page): Promise<{ x: number; y: number } | undefined> {
  return page.evaluate(async (id) => {
    const { db } = await window.__tesseraApp!.storage();
    return (await db.chartNodes.get(['e2e-big-chart', id]))?.node;
  }, HUB);
}

/** The saved chart's node positions, straight from the app's database. */
function savedPositions(page: Page): Promise<Record<string, { x: number; y: number }>> {
  return page.evaluate(async () => {
    const { db } = await window.__tesseraApp!.storage();
    const chart = await db.charts.get('e2e-big-chart');
    return chart!.nodes;
  });
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  // The exports sit in the toolbar's Export menu (issue 12: one toolbar row).
  await page.getByTestId('chart-export-menu').click();
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

describe('huge chart overview', () => {
  it('shows the overview zoomed out and hands over to Cytoscape zoomed in', async () => {
    const app = await openBigChart();
    const page = app.page;
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect(await page.getByTestId('chart-overview').isVisible()).toBe(true);
    expect(await opaqueShare(page)).toBe(1);
    // Thousands of node discs and edges, not a blank canvas or just the "drawing" notice.
    expect(await paintedPixels(page)).toBeGreaterThan(20_000);
    await screenshot(page, 'chart-overview-zoomed-out');

    const zoomedOut = await page.evaluate(() => window.__tesseraChart!.zoom());
    const steps = await wheelUntilOverview(page, false, -240);
    expect(steps).toBeGreaterThan(1);
    expect(await page.evaluate(() => window.__tesseraChart!.zoom())).toBeGreaterThan(
      zoomedOut * 1.5,
    );
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    // Cytoscape holds only the window around the view, and drew it.
    const held = (await renderInfo(page))!.heldNodes;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(NODES);
    // The overlay now only draws the edges that leave the window, over Cytoscape's drawing.
    await expect.poll(() => opaqueShare(page)).toBeLessThan(0.2);
    await screenshot(page, 'chart-overview-zoomed-in');

    const hub = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), HUB);
    await page.mouse.click(hub!.x, hub!.y);
    await expect(page.getByTestId('entity-details').textContent()).resolves.toContain(
      'Holding 0 SRL',
    );

    await wheelUntilOverview(page, true, 480);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect(await page.getByTestId('chart-overview').isVisible()).toBe(true);
    expect(await paintedPixels(page)).toBeGreaterThan(20_000);
    await screenshot(page, 'chart-overview-selection');
    expect(app.pageErrors).toEqual([]);
  });

  it('keeps a dragged node where it was let go, zoomed in and on the overview after', async () => {
    const app = await openZoomedIn();
    const page = app.page;
    // The hub: its links leave the window in every direction (drawn by the overlay).
    const moveRow = () => savedHubRow(page);
    const [dx, dy] = [60, 40];
    const from = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), HUB);
    await page.mouse.move(from!.x, from!.y);
    await page.mouse.down();
    await page.mouse.move(from!.x + dx / 2, from!.y + dy / 2, { steps: 4 });
    await page.mouse.move(from!.x + dx, from!.y + dy, { steps: 4 });
    await page.mouse.up();
    // Saved as a row of its own (a drag writes only the moved node).
    await expect.poll(moveRow, { timeout: 10_000 }).toBeDefined();
    const at = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), HUB);
    expect(Math.abs(at!.x - from!.x - dx)).toBeLessThan(3);
    expect(Math.abs(at!.y - from!.y - dy)).toBeLessThan(3);
    await page.waitForTimeout(500);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    await screenshot(page, 'chart-overview-after-drag');
    await wheelUntilOverview(page, true, 480);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect(await paintedPixels(page)).toBeGreaterThan(20_000);
    // The detailed bitmap of the moved chart (a worker's paint) replaces the first one.
    await page.waitForTimeout(3000);
    await screenshot(page, 'chart-overview-after-drag-out');
    expect(app.pageErrors).toEqual([]);
  });

  it('keeps every drag of a node dragged again at once, and one made while a save lands', async () => {
    const app = await openZoomedIn();
    const page = app.page;
    const savedRow = () => savedHubRow(page);
    const onScreen = async () =>
      (await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), HUB))!;
    const near = (at: { x: number; y: number }, wanted: { x: number; y: number }, by: number) =>
      Math.hypot(at.x - wanted.x, at.y - wanted.y) < by;
    /** Drags the hub by (dx, dy) screen pixels. */
    const dragBy = async (dx: number, dy: number) => {
      const from = await onScreen();
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 4 });
      await page.mouse.move(from.x + dx, from.y + dy, { steps: 4 });
      await page.mouse.up();
    };
    const start = await onScreen();
    const zoom = await page.evaluate(() => window.__tesseraChart!.zoom());
    const startModel = (await page.evaluate((id) => window.__tesseraChart!.positions()[id], HUB))!;
    /** The model position the hub has when drawn at `screen`. */
    const modelAt = (screen: { x: number; y: number }) => ({
      x: startModel.x + (screen.x - start.x) / zoom,
      y: startModel.y + (screen.y - start.y) / zoom,
    });

    /** Whether the hub's row holds the model position drawn at `screen`. */
    const savedAt = async (screen: { x: number; y: number }) => {
      const row = await savedRow();
      return row !== undefined && near(row, modelAt(screen), 1.5 / zoom);
    };

    // The first drag drops the hub onto a neighbour drawn above it in Cytoscape's order (the
    // owner's case: pressed again, that neighbour was grabbed instead).
    await dragBy(60, 40);
    await expect.poll(savedRow, { timeout: 10_000 }).toBeDefined();
    expect(await savedAt({ x: start.x + 60, y: start.y + 40 })).toBe(true);

    // Pressed again as soon as that is saved.
    await dragBy(-50, 30);
    const second = { x: start.x + 10, y: start.y + 70 };
    expect(near(await onScreen(), second, 3)).toBe(true);

    // Pressed again at once, before the second drag is saved (400 ms after its release), and
    // held: the save waits for the release instead of storing a spot the hub is only passing
    // (an undo step the user never made). Mid-drag, Ctrl+Z undoes the first drag: the chart read
    // back with the hub at its first spot must not pull it from under the pointer.
    const rowBefore = await savedRow();
    const from = await onScreen();
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    const path = (i: number) => ({ x: from.x + (40 * i) / 20, y: from.y - (60 * i) / 20 });
    for (let i = 3; i <= 10; i++) {
      await page.mouse.move(path(i).x, path(i).y);
      await page.waitForTimeout(80);
    }
    expect(await savedRow()).toEqual(rowBefore);
    await page.keyboard.press('Control+z');
    await expect.poll(savedRow, { timeout: 10_000 }).not.toEqual(rowBefore);
    const undone = await savedRow();
    await page.waitForTimeout(500);
    for (let i = 11; i <= 20; i++) await page.mouse.move(path(i).x, path(i).y);
    // Nothing saved while the hub was held but the undo.
    expect(await savedRow()).toEqual(undone);
    await page.mouse.up();
    const third = { x: second.x + 40, y: second.y - 60 };
    expect(near(await onScreen(), third, 3)).toBe(true);
    await expect.poll(() => savedAt(third), { timeout: 10_000 }).toBe(true);
    // Still there once every save has been read back, on screen and in its row.
    await page.waitForTimeout(1500);
    expect(near(await onScreen(), third, 3)).toBe(true);
    expect(await savedAt(third)).toBe(true);
    // The neighbour the hub was dropped on never moved (no row of its own).
    const moved = await page.evaluate(async () => {
      const { db } = await window.__tesseraApp!.storage();
      return (await db.chartNodes.where('chartId').equals('e2e-big-chart').toArray()).map(
        (row) => row.entityId,
      );
    });
    expect(moved).toEqual([HUB]);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    await screenshot(page, 'chart-overview-after-double-drag');
    expect(app.pageErrors).toEqual([]);
  });

  it('filters, lays out and exports the whole chart, not just what Cytoscape holds', async () => {
    const app = await openBigChart();
    const page = app.page;
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    const paintedBefore = await paintedPixels(page);

    // Hiding companies (every fifth entity) repaints the overview without them.
    await page.getByTestId('chart-legend-toggle').click();
    await page.getByTestId('chart-legend-type-Company').uncheck();
    await expect
      .poll(() => page.getByTestId('chart-view').getAttribute('data-node-count'))
      .toBe(String(NODES - NODES / 5));
    // Under load the worker may take a while to repaint; the assertion itself stays.
    await expect.poll(() => paintedPixels(page), { timeout: 30_000 }).toBeLessThan(paintedBefore);
    expect((await renderInfo(page))!.overview).toBe(true);
    await page.getByTestId('chart-legend-type-Company').check();
    await expect
      .poll(() => page.getByTestId('chart-view').getAttribute('data-node-count'))
      .toBe(String(NODES));

    // The fast layout places and saves every node, though Cytoscape holds none of them here.
    const before = await savedPositions(page);
    await page.getByTestId('chart-layout-menu').click();
    await page.getByTestId('chart-layout-force-fast').click();
    await expect
      .poll(
        async () => {
          const after = await savedPositions(page);
          return Object.keys(after).filter(
            (id) => after[id]!.x !== before[id]!.x || after[id]!.y !== before[id]!.y,
          ).length;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(NODES * 0.9);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect((await renderInfo(page))!.overview).toBe(true);
    expect(await paintedPixels(page)).toBeGreaterThan(20_000);

    // Exports hold the whole chart: the overview bitmap as PNG, every node and edge as SVG.
    const png = await download(page, 'chart-export-png');
    expect(png.name).toMatch(/\.png$/);
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.bytes.readUInt32BE(16)).toBeGreaterThan(1000);
    const svg = await download(page, 'chart-export-svg');
    const text = svg.bytes.toString('utf8');
    expect(text.match(/<circle /g)?.length).toBe(NODES);
    expect(text.match(/<line /g)?.length).toBe((await renderInfo(page))!.edges);
    await screenshot(page, 'chart-overview-after-layout');
    expect(app.pageErrors).toEqual([]);
  });
});
