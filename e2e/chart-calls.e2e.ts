/**
 * Charts of real call data: 320 calls between ten subscribers are drawn as one link per pair
 * with count, total duration and date range (expandable by double-click, or all at once with
 * "Combine links" off); labels never overlap at any zoom; the PNG and SVG exports carry the
 * classification banner, case reference and legend, and the SVG export logs no errors.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { CaseRecord, ChartRecord, EntityRecord } from '../shared/model/index.ts';
import { UNGRADED } from '../shared/model/index.ts';
import { entitySearchText } from '../renderer/db/searchText.ts';
import { screenshot, useBrowserSuite } from './harness/index.ts';
import { createRecordHeaders } from './harness/generatedCase.ts';

const suite = useBrowserSuite();
const CASE = 'e2e-calls';
const PEOPLE = 10;
const CALLS = 320;

async function writeCallsCase(page: Page): Promise<void> {
  const common = createRecordHeaders();
  const provenance = {
    source: 'e2e',
    originAgency: 'bench',
    recordedBy: 'e2e',
    recordedAt: '2024-01-01',
  };
  const entities: (EntityRecord & { searchText: string })[] = [];
  const push = (id: string, schema: string, properties: Record<string, string[]>) =>
    entities.push({
      ...common(id),
      kind: 'entity',
      caseId: CASE,
      schema,
      properties,
      provenance,
      grading: UNGRADED,
      searchText: entitySearchText(schema, properties),
    } as unknown as EntityRecord & { searchText: string });
  const nodes: Record<string, { x: number; y: number }> = {};
  for (let i = 0; i < PEOPLE; i++) {
    push(`${CASE}-p${i}`, 'Person', { name: [`Subscriber ${i} (+43 660 10000${i})`] });
    const angle = (2 * Math.PI * i) / PEOPLE;
    nodes[`${CASE}-p${i}`] = {
      x: Math.round(320 * Math.cos(angle)),
      y: Math.round(320 * Math.sin(angle)),
    };
  }
  for (let k = 0; k < CALLS; k++) {
    const a = k % PEOPLE;
    const b = (a + 1 + ((k * 7) % 3)) % PEOPLE;
    const day = 1 + (k % 28);
    push(`${CASE}-c${k}`, 'Call', {
      caller: [`${CASE}-p${a}`],
      receiver: [`${CASE}-p${b}`],
      date: [`2024-0${1 + (k % 3)}-${String(day).padStart(2, '0')}`],
      duration: [String(30 + ((k * 37) % 600))],
    });
  }
  const caseRecord = {
    ...common(CASE),
    markings: { ...common(CASE).markings, classification: 'RESTRICTED' },
    kind: 'case',
    reference: 'AT/BK/2026/0042',
    title: 'Call records',
    status: 'open',
    leadInvestigator: 'E2E',
    crimeAreas: [],
    jurisdictions: ['at'],
    openedOn: '2024-01-01',
  } as unknown as CaseRecord;
  const chart = {
    ...common(`${CASE}-chart`),
    kind: 'chart',
    caseId: CASE,
    name: 'Calls',
    nodes,
    layout: 'grid',
  } as ChartRecord;
  await page.evaluate(
    async ({ json, caseRecord, chart }) => {
      const { db } = await window.__tesseraApp!.storage();
      await db.entities.bulkPut(JSON.parse(json) as Parameters<typeof db.entities.bulkPut>[0]);
      await db.cases.put(caseRecord as Parameters<typeof db.cases.put>[0]);
      await db.charts.put(chart as Parameters<typeof db.charts.put>[0]);
    },
    { json: JSON.stringify(entities), caseRecord, chart },
  );
}

function counts(page: Page) {
  return page.getByTestId('chart-view').evaluate((element) => ({
    drawn: Number(element.getAttribute('data-edge-count')),
    relationships: Number(element.getAttribute('data-relationship-count')),
  }));
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

/** Screen boxes of the labels drawn now never overlap (asked of Cytoscape itself). */
function overlappingLabels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const hook = window.__tesseraChart!;
    hook.layoutLabels();
    return hook.labelOverlaps();
  });
}

describe('charts of call data', () => {
  it('combines 320 calls between ten subscribers, expands a pair, and exports with markings', async () => {
    const app = await suite.open({ testHooks: true });
    const page = app.page;
    await page.waitForFunction(() => window.__tesseraApp !== undefined);
    await writeCallsCase(page);
    await page.reload();
    await page.locator('.case-open-link', { hasText: 'Call records' }).click();
    await page.getByTestId('case-workspace').waitFor();
    await page.getByTestId('tab-chart').click();
    await expect
      .poll(() => counts(page), { timeout: 60_000 })
      .toEqual({ drawn: 30, relationships: CALLS });
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect(await overlappingLabels(page)).toBe(0);
    await screenshot(page, 'chart-calls-combined-light');

    // One combined link: count, total duration and date range.
    const bundles = await page.evaluate(() =>
      window.__tesseraChart!.edgeIds().filter((id) => id.startsWith('bundle:')),
    );
    expect(bundles).toHaveLength(30);
    const first = bundles[0]!;
    const firstLabel = await page.evaluate((id) => window.__tesseraChart!.edgeLabel(id), first);
    const members = Number(/^(\d+) ×/.exec(firstLabel ?? '')?.[1]);
    expect(firstLabel).toMatch(
      /^\d+ × Call · (\d+ h )?\d+ min( \d+ s)?\n2024-0\d-\d\d – 2024-0\d-\d\d$/,
    );

    // Double-click expands that pair into its single calls; double-click on one collapses it.
    const at = await page.evaluate((id) => window.__tesseraChart!.edgeMidpoint(id), first);
    await page.mouse.dblclick(at!.x, at!.y);
    await expect
      .poll(async () => (await counts(page)).drawn, { timeout: 20_000 })
      .toBeGreaterThan(30);
    const expanded = (await counts(page)).drawn;
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect(await overlappingLabels(page)).toBe(0);
    await screenshot(page, 'chart-calls-expanded-light');
    const single = await page.evaluate(
      (ids) => window.__tesseraChart!.edgeIds().find((id) => !ids.includes(id))!,
      bundles,
    );
    const singleAt = await page.evaluate((id) => window.__tesseraChart!.edgeMidpoint(id), single);
    await page.mouse.dblclick(singleAt!.x, singleAt!.y);
    await expect.poll(async () => (await counts(page)).drawn, { timeout: 20_000 }).toBe(30);
    expect(expanded).toBe(29 + members);

    // "Combine links" off: every call on its own, labels still never overlap.
    // (In the View menu; closed again, the pointer back on the toolbar, so no node is hovered.)
    const combineLinks = async () => {
      await page.getByTestId('chart-view-menu').click();
      await page.getByTestId('chart-combine-links').click();
      await page.keyboard.press('Escape');
      const menu = (await page.getByTestId('chart-view-menu').boundingBox())!;
      await page.mouse.move(menu.x + menu.width / 2, menu.y + menu.height / 2);
    };
    await combineLinks();
    await expect.poll(async () => (await counts(page)).drawn, { timeout: 20_000 }).toBe(CALLS);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    expect(await overlappingLabels(page)).toBe(0);
    await combineLinks();
    await expect.poll(async () => (await counts(page)).drawn, { timeout: 20_000 }).toBe(30);

    // Zoomed far out: only important labels (none of these ordinary ones) at a readable size.
    await page.evaluate(() => window.__tesseraChart!.zoomTo(0.2));
    await expect
      .poll(() =>
        page.evaluate(
          () => (
            window.__tesseraChart!.layoutLabels(),
            window.__tesseraChart!.labelsShown().length
          ),
        ),
      )
      .toBeLessThan(PEOPLE);
    expect(await overlappingLabels(page)).toBe(0);
    await page.evaluate(() => window.__tesseraChart!.fit());

    // Dark theme: labels in the light foreground colour.
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme))
      .toBe('dark');
    await page.waitForTimeout(300);
    await page.evaluate(() => window.__tesseraChart!.afterRender());
    await screenshot(page, 'chart-calls-combined-dark');

    // Exports: banner, reference and legend; the SVG export logs no errors.
    const errorsBefore = app.pageErrors.length;
    const svg = (await download(page, 'chart-export-svg')).bytes.toString('utf8');
    expect(app.pageErrors.slice(errorsBefore)).toEqual([]);
    expect(svg.match(/>RESTRICTED · TLP:AMBER</g)).toHaveLength(2);
    expect(svg).toContain('AT/BK/2026/0042 · Call records · Chart: Calls');
    expect(svg).toContain('>Person (10)<');
    expect(svg).toContain(`>Call (${CALLS})<`);
    const png = await download(page, 'chart-export-png');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    await writeFileCopy(png.bytes, 'chart-calls-export');
    expect(app.pageErrors).toEqual([]);
  });
});

async function writeFileCopy(bytes: Buffer, name: string): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { SCREENSHOT_DIR } = await import('./harness/index.ts');
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await writeFile(`${SCREENSHOT_DIR}/${name}.png`, bytes);
}
