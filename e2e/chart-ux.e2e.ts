/**
 * The chart as an analyst meets it in a new case (issue 12, "Charts of real data"): a chart from
 * the start that new entities appear on, a toolbar on one row at 1366 px whose menus reach every
 * action, a chart that keeps its width beside the details pane and the legend, the right link
 * types offered first for Person → Phone, and a phone's owner drawn as a link. Screenshots at
 * 1366×768 and 1920×1080, light and dark.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();
/** The chart redraws a moment after a write; this machine can be slow. */
const POLL = { timeout: 20_000 };

async function start(): Promise<Page> {
  const app = await suite.open({ testHooks: true });
  await app.page.getByTestId('case-list').waitFor();
  return app.page;
}

async function createCase(page: Page, reference: string, title: string): Promise<void> {
  await page.getByTestId('new-case').click();
  await page.getByTestId('case-field-reference').fill(reference);
  await page.getByTestId('case-field-title').fill(title);
  await page.getByTestId('case-save').click();
  await page.getByTestId('case-workspace').waitFor();
}

async function addEntity(page: Page, schema: string, fields: Record<string, string>) {
  await page.getByTestId('new-entity').click();
  await page.getByTestId('entity-type-select').selectOption(schema);
  for (const [name, value] of Object.entries(fields)) {
    await page.getByTestId(`field-${name}`).fill(value);
  }
  await page.getByTestId('entity-save').click();
  await page.getByTestId('entity-editor').waitFor({ state: 'detached' });
}

async function chartCounts(page: Page): Promise<{ nodes: number; edges: number }> {
  const view = page.getByTestId('chart-view');
  return {
    nodes: Number(await view.getAttribute('data-node-count')),
    edges: Number(await view.getAttribute('data-edge-count')),
  };
}

/** The chart's node id whose label contains `text`. */
async function nodeByLabel(page: Page, text: string): Promise<string> {
  const nodes = await page.evaluate(() => {
    const chart = window.__tesseraChart!;
    return chart.nodeIds().map((id) => ({ id, label: chart.label(id) ?? '' }));
  });
  const found = nodes.find((node) => node.label.includes(text));
  if (!found) throw new Error(`no node labelled ${text}: ${JSON.stringify(nodes)}`);
  return found.id;
}

/** Boxes of the toolbar's items (viewport pixels) and of the toolbar itself. */
function toolbarBoxes(page: Page) {
  return page.evaluate(() => {
    const bar = document.querySelector('[data-testid="chart-panel"] [role="toolbar"]')!;
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height };
    };
    return {
      bar: box(bar),
      items: [...bar.children].map((child) => ({
        name: child.getAttribute('data-testid') ?? child.className,
        ...box(child),
      })),
    };
  });
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
  await page.evaluate(() => window.__tesseraChart!.afterRender());
}

describe('chart in a new case (issue 12)', () => {
  it('has a chart from the start, and entities created anywhere in the case appear on it', async () => {
    const page = await start();
    await createCase(page, 'AT/BK/2026/0101', 'Chart from the start');
    await page.getByTestId('tab-chart').click();
    await page.getByTestId('chart-view').waitFor();
    expect(await page.getByTestId('chart-none').count()).toBe(0);
    expect(await page.getByTestId('chart-picker').locator('option').allTextContents()).toEqual([
      'Case chart',
    ]);
    await expect.poll(() => chartCounts(page), POLL).toEqual({ nodes: 0, edges: 0 });

    // Created while the chart is open…
    await addEntity(page, 'Person', { name: 'Marta Ionescu' });
    await expect.poll(async () => (await chartCounts(page)).nodes, POLL).toBe(1);
    // …and from the entity table.
    await page.getByTestId('tab-entities').click();
    await addEntity(page, 'Company', { name: 'Danube Freight SRL' });
    await page.getByTestId('tab-chart').click();
    await expect.poll(async () => (await chartCounts(page)).nodes, POLL).toBe(2);
    // At different spots, both on screen.
    const marta = await nodeByLabel(page, 'Marta');
    const danube = await nodeByLabel(page, 'Danube');
    const a = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), marta);
    const b = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), danube);
    expect(Math.hypot(a!.x - b!.x, a!.y - b!.y)).toBeGreaterThan(40);
    const view = (await page.getByTestId('chart-view').boundingBox())!;
    for (const p of [a!, b!]) {
      expect(p.x).toBeGreaterThan(view.x);
      expect(p.x).toBeLessThan(view.x + view.width);
      expect(p.y).toBeGreaterThan(view.y);
      expect(p.y).toBeLessThan(view.y + view.height);
    }
  });

  it('moves a node dragged onto another and dragged again at once, whichever was added first', async () => {
    const page = await start();
    await createCase(page, 'AT/BK/2026/0104', 'Nudge twice');
    await page.getByTestId('tab-chart').click();
    await addEntity(page, 'Person', { name: 'Marta Ionescu' });
    await addEntity(page, 'Company', { name: 'Danube Freight SRL' });
    await expect.poll(async () => (await chartCounts(page)).nodes, POLL).toBe(2);
    const marta = await nodeByLabel(page, 'Marta');
    const danube = await nodeByLabel(page, 'Danube');
    const at = async (id: string) =>
      (await page.evaluate((node) => window.__tesseraChart!.nodePosition(node), id))!;
    const savedRow = (id: string) =>
      page.evaluate(async (node) => {
        const { db } = await window.__tesseraApp!.storage();
        return (await db.chartNodes.toArray()).find((row) => row.entityId === node)?.node;
      }, id);
    const drag = async (from: { x: number; y: number }, to: { x: number; y: number }) => {
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 8 });
      await page.mouse.up();
    };
    // Each node in turn is dropped just beside the other's centre, then pressed and dragged
    // again as soon as the drop is saved: one of the two lies under the other in Cytoscape's
    // drawing order, and was the one its second press missed.
    for (const [mover, other, dy] of [
      [marta, danube, 90],
      [danube, marta, -90],
    ] as const) {
      const target = await at(other);
      const before = await savedRow(mover);
      await drag(await at(mover), { x: target.x + 6, y: target.y + 4 });
      await expect
        .poll(async () => JSON.stringify(await savedRow(mover)), POLL)
        .not.toBe(JSON.stringify(before));
      const dropped = await at(mover);
      const otherBefore = await at(other);
      await drag(dropped, { x: dropped.x, y: dropped.y + dy });
      const moved = await at(mover);
      expect(Math.abs(moved.x - dropped.x)).toBeLessThan(2);
      expect(Math.abs(moved.y - dropped.y - dy)).toBeLessThan(2);
      const stayed = await at(other);
      expect(Math.hypot(stayed.x - otherBefore.x, stayed.y - otherBefore.y)).toBeLessThan(1);
      // Saved where it was let go.
      const zoom = await page.evaluate(() => window.__tesseraChart!.zoom());
      const model = await page.evaluate((id) => window.__tesseraChart!.positions()[id], mover);
      await expect
        .poll(async () => {
          const row = await savedRow(mover);
          return row ? Math.hypot(row.x - model!.x, row.y - model!.y) : Infinity;
        }, POLL)
        .toBeLessThan(1 / zoom);
    }
    await screenshot(page, 'chart-ux-nudge-twice');
  });

  it('fits the toolbar on one row at 1366 px, reaches every action through its menus and keeps the chart wide', async () => {
    const page = await start();
    await createCase(page, 'AT/BK/2026/0102', 'Toolbar');
    await addEntity(page, 'Person', { name: 'Marta Ionescu' });
    await addEntity(page, 'Phone', { number: '+43 660 1234567' });
    await page.getByTestId('tab-chart').click();
    await expect.poll(async () => (await chartCounts(page)).nodes, POLL).toBe(2);

    const { bar, items } = await toolbarBoxes(page);
    expect(bar.height).toBeLessThan(48);
    for (const item of items) {
      // One row: every item inside the bar's height and width.
      expect(item.top, item.name).toBeGreaterThanOrEqual(bar.top);
      expect(item.bottom, item.name).toBeLessThanOrEqual(bar.bottom);
      expect(item.right, item.name).toBeLessThanOrEqual(bar.right);
    }

    // Every action is in a menu or on the bar.
    const menus: [string, string[]][] = [
      ['chart-menu', ['chart-new', 'chart-rename', 'chart-delete']],
      ['chart-layout-menu', ['chart-layout-cose', 'chart-layout-grid', 'chart-layout-force-fast']],
      ['chart-view-menu', ['chart-fit', 'chart-combine-links', 'chart-link-width']],
      ['chart-export-menu', ['chart-export-png', 'chart-export-svg']],
    ];
    for (const [menu, entries] of menus) {
      await page.getByTestId(menu).click();
      for (const entry of entries) {
        expect(await page.getByTestId(entry).isVisible(), entry).toBe(true);
      }
      await page.keyboard.press('Escape');
      await page.getByTestId(`${menu}-items`).waitFor({ state: 'detached' });
    }
    // Nothing to add: both entities went onto the case chart when they were made.
    expect(await page.getByTestId('chart-add-toggle').isDisabled()).toBe(true);
    await screenshot(page, 'chart-ux-1366-light');

    // The Layout menu runs a layout.
    await page.getByTestId('chart-layout-menu').click();
    await page.getByTestId('chart-layout-grid').click();
    await page.getByTestId('chart-layout-menu').click();
    await expect
      .poll(() => page.getByTestId('chart-layout-grid').getAttribute('aria-checked'))
      .toBe('true');
    await page.keyboard.press('Escape');

    // With an entity selected (details pane) and the legend open, the chart keeps ≥ 60 %.
    const person = await nodeByLabel(page, 'Marta');
    const at = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), person);
    await page.mouse.click(at!.x, at!.y);
    await page.getByTestId('entity-edit').waitFor();
    await page.getByTestId('chart-legend-toggle').click();
    await page.locator('.chart-legend').waitFor();
    const chartBox = (await page.getByTestId('chart-view').boundingBox())!;
    expect(chartBox.width).toBeGreaterThanOrEqual(0.6 * 1366);
    await screenshot(page, 'chart-ux-1366-legend-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'chart-ux-1366-legend-dark');
    await page.getByTestId('chart-legend-toggle').click();
    await screenshot(page, 'chart-ux-1366-dark');

    await page.setViewportSize({ width: 1920, height: 1080 });
    // The canvas follows the window on its resize observer's next round.
    await page.waitForTimeout(300);
    await page.evaluate(() => window.__tesseraChart!.fit());
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    await screenshot(page, 'chart-ux-1920-dark');
    await setTheme(page, 'light');
    await screenshot(page, 'chart-ux-1920-light');
  });

  it("offers the phone's owner first for Person → Phone, draws it as a link and removes it when cleared", async () => {
    const page = await start();
    await createCase(page, 'AT/BK/2026/0103', 'Phone owner');
    await addEntity(page, 'Person', { name: 'Marta Ionescu' });
    await addEntity(page, 'Phone', { number: '+43 660 1234567' });
    await page.getByTestId('tab-chart').click();
    await expect.poll(async () => (await chartCounts(page)).nodes, POLL).toBe(2);
    const person = await nodeByLabel(page, 'Marta');
    const phone = await nodeByLabel(page, '+43');
    const from = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), person);
    const to = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), phone);
    await page.keyboard.down('Shift');
    await page.mouse.move(from!.x, from!.y);
    await page.mouse.down();
    await page.mouse.move(to!.x, to!.y, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.getByTestId('relationship-editor').waitFor();

    const options = await page
      .getByTestId('relationship-type-select')
      .locator('option')
      .evaluateAll((list) =>
        list.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent })),
      );
    expect(options[0]).toEqual({
      value: 'property:to:Phone.owner',
      text: 'Owner of +43 660 1234567',
    });
    expect(options[1]?.value).toBe('UnknownLink');
    expect(await page.getByTestId('relationship-type-select').inputValue()).toBe(
      'property:to:Phone.owner',
    );
    await screenshot(page, 'chart-ux-link-suggestions');
    await page.getByTestId('relationship-save').click();
    await page.getByTestId('relationship-editor').waitFor({ state: 'detached' });

    // The owner is drawn as a (dashed) property link labelled with the property.
    await expect.poll(async () => (await chartCounts(page)).edges, POLL).toBe(1);
    const [edge] = await page.evaluate(() => window.__tesseraChart!.edgeIds());
    expect(edge).toMatch(/^prop:/);
    expect(await page.evaluate((id) => window.__tesseraChart!.edgeLabel(id), edge!)).toBe('Owner');
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    await screenshot(page, 'chart-ux-property-link');

    // Clearing the owner removes the link.
    const phoneAt = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), phone);
    await page.mouse.click(phoneAt!.x, phoneAt!.y);
    await page.getByTestId('entity-edit').click();
    await page.getByTestId('field-owner').selectOption('');
    await page.getByTestId('entity-save').click();
    await page.getByTestId('entity-editor').waitFor({ state: 'detached' });
    await expect.poll(async () => (await chartCounts(page)).edges, POLL).toBe(0);
  });
});
