/**
 * Graph analysis on the link chart, through the real UI in Chromium: the demo case's chart,
 * betweenness in the analysis panel (computed in a Web Worker), node sizes from it saved to the
 * chart, and a shortest path highlighted on the canvas. Checked through the chart test hook.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';
import { generateChartCase, openGeneratedChart } from './harness/generatedCase.ts';

const suite = useBrowserSuite();

/**
 * How many pixels a select lacks to show its widest option. A select sizes itself to its widest
 * option unless the page caps it, so a clone of it, free of the panel's layout, gives the width it
 * needs: a positive result means the page cut its text off.
 */
async function selectShortfall(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((element) => {
    const select = element as HTMLSelectElement;
    const free = select.cloneNode(true) as HTMLSelectElement;
    const style = getComputedStyle(select);
    free.style.cssText = `position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none;font:${style.font}`;
    document.body.append(free);
    const needed = free.getBoundingClientRect().width;
    free.remove();
    return needed - select.getBoundingClientRect().width;
  });
}

async function openDemoChart(): Promise<Page> {
  const app = await suite.open({ testHooks: true });
  const page = app.page;
  await page.getByTestId('demo-banner').waitFor();
  await page.locator('.case-open-link', { hasText: 'demo' }).click();
  await page.getByTestId('case-workspace').waitFor();
  await page.getByTestId('tab-chart').click();
  await expect
    .poll(
      async () => Number(await page.getByTestId('chart-view').getAttribute('data-node-count')),
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(20);
  return page;
}

describe('analysis on the chart', () => {
  it('ranks by betweenness, sizes nodes by it and highlights a shortest path', async () => {
    const page = await openDemoChart();
    await page.getByTestId('chart-analysis-toggle').click();
    await page.getByTestId('analysis-panel').waitFor();
    await page.getByTestId('analysis-measure').selectOption('betweenness');
    await page.getByTestId('analysis-run').click();
    await page.getByTestId('analysis-table').waitFor();

    const rows = page.locator('[data-testid^="analysis-row-"]');
    const nodeCount = Number(await page.getByTestId('chart-view').getAttribute('data-node-count'));
    expect(await rows.count()).toBe(nodeCount);
    const values = await page
      .getByTestId('analysis-value')
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(values[0]).toBeGreaterThan(0);
    // Ranked highest first.
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    const ids = await rows.evaluateAll((list) =>
      list.map((row) => row.getAttribute('data-testid')!.replace('analysis-row-', '')),
    );
    const top = ids[0]!;
    const last = ids[ids.length - 1]!;

    // Size nodes by betweenness: saved to the chart record and drawn.
    await page.getByTestId('analysis-size-apply').click();
    await expect
      .poll(() => page.evaluate((id) => window.__tesseraChart!.nodeStyle(id)?.size, top))
      .toBe(96);
    const small = await page.evaluate((id) => window.__tesseraChart!.nodeStyle(id), last);
    expect(small?.size).toBeLessThan(96);
    expect(small?.width).toBe(small?.size);

    // Shortest path between the most central entity and a peripheral one (isolated entities
    // have none, so the least central entities are tried in turn).
    await page.getByTestId('analysis-from').selectOption(top);
    let target: string | undefined;
    const messageBox = page.getByTestId('analysis-path-message');
    let previous = '';
    for (const candidate of [...ids].reverse().slice(0, 15)) {
      await page.getByTestId('analysis-to').selectOption(candidate);
      await page.getByTestId('analysis-path-run').click();
      await expect
        .poll(async () => ((await messageBox.count()) > 0 ? await messageBox.textContent() : ''))
        .not.toBe(previous);
      const message = (await messageBox.textContent()) ?? '';
      previous = message;
      if (message.startsWith('Shortest path')) {
        target = candidate;
        break;
      }
    }
    if (!target) throw new Error('no path from the most central entity to a peripheral one');
    const highlighted = await page.evaluate(() => window.__tesseraChart!.highlighted());
    expect(highlighted.nodes).toContain(top);
    expect(highlighted.nodes).toContain(target);
    // Every relationship between consecutive entities is drawn (calls, payments, …).
    expect(highlighted.edges.length).toBeGreaterThanOrEqual(highlighted.nodes.length - 1);
    await page.evaluate(() => window.__tesseraChart!.fit());
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    await screenshot(page, 'analysis');

    // Sizes survive a reload (they are saved with the chart).
    await page.reload();
    await page.getByTestId('case-workspace').waitFor();
    await page.getByTestId('tab-chart').click();
    await expect
      .poll(() => page.evaluate((id) => window.__tesseraChart?.nodeStyle(id)?.size, top), {
        timeout: 30_000,
      })
      .toBe(96);
  });

  it('hides a type from the legend and groups by country', async () => {
    const page = await openDemoChart();
    const before = Number(await page.getByTestId('chart-view').getAttribute('data-node-count'));
    await page.getByTestId('chart-legend-toggle').click();
    await page.getByTestId('chart-legend').waitFor();
    const personBox = page.getByTestId('chart-legend-type-Person');
    await personBox.uncheck();
    await expect
      .poll(async () =>
        Number(await page.getByTestId('chart-view').getAttribute('data-node-count')),
      )
      .toBeLessThan(before);
    await personBox.check();
    await page.getByTestId('chart-grouping-country').check();
    await expect
      .poll(() =>
        page.evaluate(() => {
          const chart = window.__tesseraChart!;
          return chart.nodeIds().filter((id) => chart.nodeStyle(id)?.parent !== undefined).length;
        }),
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'analysis-legend');
  });

  it('estimates betweenness from sampled sources on a bigger chart, and says it is an estimate', async () => {
    const NODES = 300;
    const app = await suite.open({ testHooks: true });
    const page = app.page;
    await openGeneratedChart(page, generateChartCase('e2e-sampled', 'Sampled network', NODES, 5));
    await page.getByTestId('chart-analysis-toggle').click();
    await page.getByTestId('analysis-panel').waitFor();
    await page.getByTestId('analysis-measure').selectOption('betweenness');
    // Under 500 nodes only the 100-source sample is offered beside the exact measure.
    const offered = await page
      .getByTestId('analysis-sample')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(['all', '100']);
    // Both choices read in full in the panel, not cut off at its width.
    expect(await selectShortfall(page, 'analysis-measure')).toBeLessThanOrEqual(0.5);
    expect(await selectShortfall(page, 'analysis-sample')).toBeLessThanOrEqual(0.5);

    await page.getByTestId('analysis-sample').selectOption('100');
    await page.getByTestId('analysis-run').click();
    await page.getByTestId('analysis-table').waitFor();
    const note = page.getByTestId('analysis-estimate-note');
    await expect
      .poll(async () => ((await note.count()) > 0 ? await note.textContent() : ''))
      .toContain(`100 of ${NODES}`);
    const estimated = await page
      .getByTestId('analysis-value')
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
    expect(estimated.length).toBeGreaterThan(0);
    expect(estimated.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect([...estimated].sort((a, b) => b - a)).toEqual(estimated);
    expect(estimated[0]).toBeGreaterThan(0);
    await screenshot(page, 'analysis-betweenness-estimate');

    // Back to every source: the exact figures, and no estimate note.
    await page.getByTestId('analysis-sample').selectOption('all');
    await page.getByTestId('analysis-run').click();
    await expect.poll(() => note.count()).toBe(0);
    const exact = await page
      .getByTestId('analysis-value')
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
    expect(exact.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
