/**
 * The investigator's path through the workbench, driven through the real UI in Chromium against
 * the loopback web host: cases, entities, a relationship drawn on the chart, an attachment, reload,
 * audit history, validation, the demo case. Every test fails if the page reaches beyond 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

async function start(): Promise<Page> {
  const app = await suite.open({ testHooks: true });
  await app.page.getByTestId('case-list').waitFor();
  return app.page;
}

async function createCase(page: Page, reference: string, title: string): Promise<void> {
  await page.getByTestId('new-case').click();
  await page.getByTestId('case-field-reference').fill(reference);
  await page.getByTestId('case-field-title').fill(title);
  await page.getByTestId('case-field-jurisdictions').fill('ro, at');
  await page.getByTestId('case-save').click();
  await page.getByTestId('case-workspace').waitFor();
}

async function addEntity(
  page: Page,
  schema: string,
  fields: Record<string, string>,
): Promise<void> {
  await page.getByTestId('new-entity').click();
  await page.getByTestId('entity-type-select').selectOption(schema);
  for (const [name, value] of Object.entries(fields)) {
    await page.getByTestId(`field-${name}`).fill(value);
  }
  await page.getByTestId('entity-save').click();
  await page.getByTestId('entity-editor').waitFor({ state: 'detached' });
}

function entityCount(page: Page): Promise<number> {
  return page.locator('[data-testid^="entity-row-"]').count();
}

async function chartCounts(page: Page): Promise<{ nodes: number; edges: number }> {
  const view = page.getByTestId('chart-view');
  return {
    nodes: Number(await view.getAttribute('data-node-count')),
    edges: Number(await view.getAttribute('data-edge-count')),
  };
}

describe('workbench', () => {
  it('keeps a new case, its entities, a relationship drawn on the chart and an attachment across a reload', async () => {
    const page = await start();
    await createCase(page, 'AT/BK/2026/0042', 'Vienna bus station smuggling');
    await addEntity(page, 'Person', { name: 'Marta Ionescu' });
    await addEntity(page, 'Company', { name: 'Danube Freight SRL' });
    await addEntity(page, 'Phone', { number: '+43 660 1234567' });
    await page.getByTestId('tab-entities').click();
    await expect.poll(() => entityCount(page)).toBe(3);

    // A chart with all three entities; then Shift-drag from the person to the company.
    await page.getByTestId('tab-chart').click();
    await page.getByTestId('chart-menu').click();
    await page.getByTestId('chart-new').click();
    await page.getByTestId('chart-name-input').fill('Suspects');
    await page.getByTestId('chart-name-save').click();
    await page.getByTestId('chart-add-toggle').click();
    await page.getByTestId('chart-add-all').click();
    await expect.poll(async () => (await chartCounts(page)).nodes).toBe(3);
    const ids = await page.evaluate(() => window.__tesseraChart!.nodeIds());
    const byName = await page.evaluate(() => {
      const chart = window.__tesseraChart!;
      return chart.nodeIds().map((id) => ({ id, label: chart.label(id) ?? '' }));
    });
    expect(byName.map((node) => node.id).sort()).toEqual([...ids].sort());
    const person = byName.find((node) => node.label.includes('Marta'))!.id;
    const company = byName.find((node) => node.label.includes('Danube'))!.id;
    const from = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), person);
    const to = await page.evaluate((id) => window.__tesseraChart!.nodePosition(id), company);
    await page.keyboard.down('Shift');
    await page.mouse.move(from!.x, from!.y);
    await page.mouse.down();
    await page.mouse.move(to!.x, to!.y, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.getByTestId('relationship-editor').waitFor();
    await page.getByTestId('relationship-type-select').selectOption('Directorship');
    await page.getByTestId('relationship-save').click();
    await expect.poll(async () => (await chartCounts(page)).edges).toBe(1);
    await screenshot(page, 'new-case-chart');

    // Attach a file and check the hash the app shows against one computed here.
    const content = Buffer.from('Surveillance log, 12 March: subject met driver at bay 7.\n');
    const sha256 = createHash('sha256').update(content).digest('hex');
    await page.getByTestId('tab-attachments').click();
    const casePane = page.locator('.case-main-pane');
    await casePane.getByTestId('attachment-input').setInputFiles({
      name: 'surveillance-log.txt',
      mimeType: 'text/plain',
      buffer: content,
    });
    const hashCell = casePane.locator('[data-testid^="attachment-sha256-"]');
    await hashCell.first().waitFor();
    expect(await hashCell.first().getAttribute('title')).toBe(sha256);

    // Reload: the case reopens with everything in it.
    await page.reload();
    await page.getByTestId('case-workspace').waitFor();
    await expect.poll(() => casePane.locator('[data-testid^="attachment-row-"]').count()).toBe(1);
    await page.getByTestId('tab-entities').click();
    await expect.poll(() => entityCount(page)).toBe(3);
    await page.getByTestId('entity-show-relationships').check();
    await expect.poll(() => entityCount(page)).toBe(1);
    expect(await page.getByTestId('entity-table').textContent()).toContain('Directorship');
    await page.getByTestId('tab-chart').click();
    await expect.poll(() => chartCounts(page)).toEqual({ nodes: 3, edges: 1 });
  });

  it('undoes and redoes an edit with the keyboard', async () => {
    const page = await start();
    await createCase(page, 'AT/LKA/2026/11', 'Undo check');
    await addEntity(page, 'Organization', { name: 'Sunrise Logistics' });
    await page.getByTestId('tab-entities').click();
    await expect.poll(() => entityCount(page)).toBe(1);
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => entityCount(page)).toBe(0);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => entityCount(page)).toBe(1);
    expect(await page.getByTestId('entity-table').textContent()).toContain('Sunrise Logistics');
  });

  it('shows an edit in the audit history of the record', async () => {
    const page = await start();
    await createCase(page, 'RO/DIICOT/2026/7', 'Audit trail check');
    await addEntity(page, 'Person', { name: 'Ion Popa' });
    await page.getByTestId('tab-entities').click();
    await page.locator('[data-testid^="entity-row-"]').first().click();
    await page.getByTestId('entity-edit').click();
    await page.getByTestId('field-name').fill('Ion Popescu');
    await page.getByTestId('entity-save').click();
    await page.getByTestId('entity-editor').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('entity-caption').textContent()).toBe('Ion Popescu');
    await page.getByTestId('entity-history').click();
    const history = page.getByTestId('history-panel');
    await history.waitFor();
    await expect.poll(() => history.getByTestId('history-entry').count()).toBe(2);
    const text = await history.textContent();
    expect(text).toContain('Ion Popa');
    expect(text).toContain('Ion Popescu');
    await screenshot(page, 'entity-history');
  });

  it('refuses an empty required name and an impossible date with clear messages, saving nothing', async () => {
    const page = await start();
    await createCase(page, 'IT/ROS/2026/3', 'Validation check');
    await page.getByTestId('tab-entities').click();
    await page.getByTestId('new-entity').click();
    await page.getByTestId('entity-type-select').selectOption('Person');
    await page.getByTestId('field-name').fill('   ');
    await page.getByTestId('field-birthDate').fill('1987-02-30');
    await page.getByTestId('entity-save').click();
    await expect
      .poll(() => page.getByTestId('field-error-name').textContent())
      .toContain('required');
    expect(await page.getByTestId('field-error-birthDate').textContent()).toContain(
      'does not exist',
    );
    await screenshot(page, 'validation-errors');
    await page.getByTestId('entity-cancel').click();
    expect(await entityCount(page)).toBe(0);
    await page.reload();
    await page.getByTestId('case-workspace').waitFor();
    await page.getByTestId('tab-entities').click();
    await page.getByTestId('entity-table').waitFor();
    expect(await entityCount(page)).toBe(0);
  });

  it('opens the demo case and renders its chart', async () => {
    const page = await start();
    await page.getByTestId('demo-banner').waitFor();
    await page.locator('.case-open-link', { hasText: 'demo' }).click();
    await page.getByTestId('case-workspace').waitFor();
    await page.getByTestId('tab-entities').click();
    await page.getByTestId('entity-table').waitFor();
    await screenshot(page, 'demo-workspace');
    await page.getByTestId('tab-chart').click();
    await expect
      .poll(async () => (await chartCounts(page)).nodes, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(50);
    expect((await chartCounts(page)).edges).toBeGreaterThanOrEqual(80);
    await screenshot(page, 'demo-chart');
  });
});
