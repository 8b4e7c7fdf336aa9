/**
 * Time and place on the demo case, through the real UI in Chromium: the timeline shows the dated
 * records, narrowing the date range shrinks the link chart (and clearing it restores the chart),
 * the offline map draws country outlines and markers, and nothing leaves 127.0.0.1 — the harness
 * aborts and records any other request, and afterEach fails the test on one.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

async function openDemo(): Promise<Page> {
  const app = await suite.open({ testHooks: true });
  const page = app.page;
  await page.getByTestId('case-list').waitFor();
  await page.getByTestId('demo-banner').waitFor();
  await page.locator('.case-open-link', { hasText: 'demo' }).click();
  await page.getByTestId('case-workspace').waitFor();
  return page;
}

async function chartNodes(page: Page): Promise<number> {
  return Number(await page.getByTestId('chart-view').getAttribute('data-node-count'));
}

describe('timeline and map', () => {
  it('shows dated items and filters the chart to a date range', async () => {
    const page = await openDemo();
    await page.getByTestId('tab-chart').click();
    await expect.poll(() => chartNodes(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(50);
    const allNodes = await chartNodes(page);

    await page.getByTestId('tab-timeline').click();
    await page.getByTestId('timeline-panel').waitFor();
    expect(await page.getByTestId('timeline-item').count()).toBeGreaterThan(50);
    for (const lane of ['event', 'call', 'payment', 'relationship', 'notice']) {
      expect(await page.getByTestId(`timeline-lane-${lane}`).count()).toBe(1);
    }

    // The slider's end handle, moved back by keyboard, makes a range; the chip appears.
    const toHandle = page.getByTestId('timeline-range-to');
    await toHandle.focus();
    for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowLeft');
    await page.getByTestId('time-range-chip').first().waitFor();

    // Then narrow to the last five weeks of activity with the date field.
    const max = (await page.getByTestId('timeline-range-to-date').getAttribute('max'))!;
    const from = new Date(Date.parse(`${max}T00:00:00Z`) - 35 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    await page.getByTestId('timeline-range-from-date').fill(from);
    await expect
      .poll(async () => page.getByTestId('timeline-range-from-date').inputValue())
      .toBe(from);
    const outside = await page.locator('.timeline-item-outside').count();
    expect(outside).toBeGreaterThan(10);
    await screenshot(page, 'timeline');

    // A selected item selects its entity in the details pane.
    await page
      .locator('[data-testid="timeline-lane-event"] [data-testid="timeline-item"]')
      .first()
      .click();
    await expect.poll(() => page.locator('.timeline-item-selected').count()).toBeGreaterThan(0);

    // Fewer nodes, but not none (0 is also what a chart reports while it mounts).
    await page.getByTestId('tab-chart').click();
    await expect
      .poll(() => chartNodes(page), { timeout: 15_000 })
      .toSatisfy((count: number) => count > 0 && count < allNodes);
    await screenshot(page, 'timeline-filtered-chart');

    await page.getByTestId('time-range-clear').first().click();
    await expect.poll(() => chartNodes(page), { timeout: 15_000 }).toBe(allNodes);
    expect(await page.getByTestId('time-range-chip').count()).toBe(0);
  });

  it('draws the offline map with outlines and markers, and selects from a marker', async () => {
    const page = await openDemo();
    await page.getByTestId('tab-map').click();
    await page.getByTestId('map-panel').waitFor();
    await expect
      .poll(() => page.getByTestId('map-country').count(), { timeout: 15_000 })
      .toBeGreaterThan(150);
    const markers = page.getByTestId('map-marker');
    const clusters = page.getByTestId('map-cluster');
    await expect
      .poll(async () => (await markers.count()) + (await clusters.count()))
      .toBeGreaterThan(2);
    expect(
      Number(await page.getByTestId('map-svg').getAttribute('data-marker-count')),
    ).toBeGreaterThan(20);
    await screenshot(page, 'map');

    // A cluster of entities at one spot fans out on a ring; picking one selects it.
    const count = Number(await clusters.first().getAttribute('data-count'));
    await clusters.first().locator('circle').click();
    const spider = page.getByTestId('map-spider');
    await spider.waitFor();
    expect(await spider.getByTestId('map-marker').count()).toBe(count);
    await spider.getByTestId('map-marker').first().locator('path').click();
    await expect.poll(() => page.locator('.map-marker-selected').count()).toBeGreaterThan(0);
    await page.getByTestId('entity-details').waitFor();
    await screenshot(page, 'map-expanded');

    // The tile server setting is there and empty: nothing but the bundled outlines is used.
    await page.getByTestId('map-settings-toggle').click();
    expect(await page.getByLabel('Tile server URL (optional)').inputValue()).toBe('');
    expect(await page.locator('.map-svg image').count()).toBe(0);
  });
});
