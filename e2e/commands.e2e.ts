/**
 * Commands through the UI: the palette (the web edition's menu) and the keys run the same table.
 * The palette opens with Ctrl+Shift+P, finds a command by words, runs it with Enter, and the
 * selection-bound commands (link, delete) act on the selected entity.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

async function openDemoCase(): Promise<Page> {
  const app = await suite.open();
  const { page } = app;
  await page.getByTestId('demo-banner').waitFor();
  await page.locator('.case-open-link', { hasText: 'demo' }).click();
  await page.getByTestId('case-workspace').waitFor();
  await page.getByTestId('tab-entities').click();
  await page.getByTestId('entity-table').waitFor();
  return page;
}

async function runFromPalette(page: Page, words: string): Promise<void> {
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('Control+Shift+P');
  await page.getByTestId('palette-input').waitFor();
  // Focus is in the palette's field as it opens: typing goes there.
  await page.keyboard.type(words);
  await page.keyboard.press('Enter');
  await page.getByTestId('palette').waitFor({ state: 'detached' });
}

describe('commands', () => {
  it('runs commands from the palette as the keys do, and links and deletes the selection', async () => {
    const page = await openDemoCase();

    await page.keyboard.press('Control+Shift+P');
    await page.getByTestId('palette-input').fill('entity');
    // Nothing is selected yet: link and delete are listed but disabled.
    await expect.poll(() => page.getByTestId('palette-linkEntities').isDisabled()).toBe(true);
    await screenshot(page, 'command-palette');
    await page.keyboard.press('Escape');
    await page.getByTestId('palette').waitFor({ state: 'detached' });

    await runFromPalette(page, 'show chart');
    await page.getByTestId('chart-view').waitFor();
    await page.keyboard.press('t');
    await page.getByTestId('entity-table').waitFor();

    await page.locator('[data-testid^="entity-row-"]').first().click();
    await page.getByTestId('entity-details').waitFor();
    await runFromPalette(page, 'link');
    await page.getByTestId('link-targets').waitFor();
    await screenshot(page, 'command-link-target');
    await page.keyboard.press('Escape');

    // Delete asks as the details pane's own button does, then the selection is gone.
    await runFromPalette(page, 'delete');
    await page.getByTestId('entity-delete-confirm').click();
    await page.getByTestId('case-summary').waitFor();
  });
});
