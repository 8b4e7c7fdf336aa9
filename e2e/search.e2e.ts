/**
 * Search and entity resolution in the demo case, through the real UI in Chromium: a misspelled
 * name finds the right person first, the type filter narrows the results, and a planted duplicate
 * is reviewed, merged (its relationships move to the kept entity) and the merge undone.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

async function openDemo(): Promise<Page> {
  const app = await suite.open({ testHooks: true });
  const page = app.page;
  await page.getByTestId('demo-banner').waitFor();
  await page.locator('.case-open-link', { hasText: 'demo' }).click();
  await page.getByTestId('case-workspace').waitFor();
  return page;
}

/**
 * Live records (entities and relationships) whose properties mention `id`, read through the app's
 * own database handle: the stored rows are ciphertext (issue 10), so reading IndexedDB directly
 * would see nothing.
 */
function referencesTo(page: Page, id: string): Promise<number> {
  return page.evaluate(async (target) => {
    const { db } = await window.__tesseraApp!.storage();
    const rows = await db.entities.toArray();
    return rows.filter(
      (row) => !row.deleted && row.id !== target && JSON.stringify(row.properties).includes(target),
    ).length;
  }, id);
}

async function resultIds(page: Page): Promise<string[]> {
  const ids = await page
    .getByTestId('search-results')
    .locator('[data-testid^="search-result-"]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-testid')!.slice(14)));
  return ids;
}

/** Opens the search tab with "/" (the focus lands in the query box) and waits for the index. */
async function openSearch(page: Page) {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  const input = page.getByTestId('search-input');
  await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
  await expect
    .poll(() => page.getByTestId('search-status').textContent(), { timeout: 30_000 })
    .not.toContain('Indexing');
  return input;
}

/** Bytes of the case's saved search index, read through the app's (decrypting) store; 0: none. */
function savedIndexBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const { db } = await window.__tesseraApp!.storage();
    const rows = (await db.meta.toArray()) as { key: string; content?: unknown }[];
    const row = rows.find((entry) => entry.key.endsWith(':search-index'));
    return row?.content instanceof Blob ? row.content.size : 0;
  });
}

describe('search and duplicates', () => {
  it('saves the index with the case and searches with it after a restart (issue 13)', async () => {
    const page = await openDemo();
    await openSearch(page);
    // Saved a few seconds after the indexing settles.
    await expect.poll(() => savedIndexBytes(page), { timeout: 30_000 }).toBeGreaterThan(1000);
    // A restart: the page reloads (the store locks and the harness unlocks it again).
    await page.reload();
    await page.getByTestId('case-workspace').waitFor({ timeout: 60_000 });
    const input = await openSearch(page);
    await input.fill('Radu Cazaku');
    const first = page.getByTestId('search-results').locator('[data-testid^="search-result-"]');
    await expect
      .poll(() => first.first().textContent(), { timeout: 10_000 })
      .toContain('Radu Cazacu');
    expect(suite.current()?.pageErrors ?? []).toEqual([]);
  });

  it('finds a misspelled name first, filters by type, merges a duplicate and undoes it', async () => {
    const page = await openDemo();

    // "/" opens the search tab with the focus in the query box.
    const input = await openSearch(page);
    await input.fill('Radu Cazaku');
    const first = page.getByTestId('search-results').locator('[data-testid^="search-result-"]');
    await expect
      .poll(() => first.first().textContent(), { timeout: 10_000 })
      .toContain('Radu Cazacu');
    expect(await first.first().locator('mark').count()).toBeGreaterThan(0);
    const raduId = (await resultIds(page))[0]!;
    await screenshot(page, 'search');

    // Type filter: 'verona' is in entities, notes and an attachment; then notes only, people only.
    const kinds = () =>
      first.evaluateAll((nodes) => [...new Set(nodes.map((n) => n.getAttribute('data-kind')))]);
    await input.fill('verona');
    await expect.poll(async () => (await kinds()).length).toBeGreaterThan(1);
    await page.getByTestId('search-type-filter').selectOption('note');
    await expect.poll(kinds).toEqual(['note']);
    await page.getByTestId('search-type-filter').selectOption('Person');
    await input.fill('cazacu');
    await expect.poll(async () => (await resultIds(page)).length).toBe(3);
    expect(await kinds()).toEqual(['entity']);
    const types = await page.locator('.search-result-type').allTextContents();
    expect(new Set(types)).toEqual(new Set(['Person']));

    // Clicking a result selects the entity.
    await page.getByTestId(`search-result-${raduId}`).click();
    await expect.poll(() => page.getByTestId('entity-caption').textContent()).toBe('Radu Cazacu');

    // The demo case has no duplicate: record Radu a second time.
    await page.getByTestId('new-entity').click();
    await page.getByTestId('entity-type-select').selectOption('Person');
    await page.getByTestId('field-name').fill('Radu Cazacu');
    if (!(await page.getByTestId('field-birthDate').isVisible())) {
      await page.getByTestId('entity-more-fields').click();
    }
    await page.getByTestId('field-birthDate').fill('1979-03-14');
    await page.getByTestId('entity-save').click();
    await page.getByTestId('entity-editor').waitFor({ state: 'detached' });

    const links = await referencesTo(page, raduId);
    expect(links).toBeGreaterThan(0);

    await page.getByTestId('tab-duplicates').click();
    await page.getByTestId('duplicate-pair-0').waitFor({ timeout: 15_000 });
    await page.getByTestId('duplicate-pair-0').click();
    const sides = page.locator('[data-testid^="duplicate-side-"]');
    const sideIds = await sides.evaluateAll((nodes) =>
      nodes.map((n) => n.getAttribute('data-entity-id')!),
    );
    expect(sideIds).toContain(raduId);
    const newId = sideIds.find((id) => id !== raduId)!;
    // Keep the new record, so the demo Radu's relationships must move to it.
    await page
      .getByTestId(sideIds[0] === newId ? 'duplicate-keep-left' : 'duplicate-keep-right')
      .check();
    expect(await page.getByTestId('duplicate-reasons').textContent()).toContain('birthDate');
    await screenshot(page, 'duplicates');

    await page.getByTestId('duplicate-merge').click();
    const undo = page.locator('[data-testid^="merge-undo-"]');
    await undo.first().waitFor();
    expect(await referencesTo(page, raduId)).toBe(0);
    expect(await referencesTo(page, newId)).toBe(links);
    await expect.poll(() => page.getByTestId('entity-caption').textContent()).toBe('Radu Cazacu');

    await undo.first().click();
    await expect.poll(() => undo.count()).toBe(0);
    expect(await referencesTo(page, raduId)).toBe(links);
    expect(await referencesTo(page, newId)).toBe(0);
    // Both are live again, so the pair is back for review.
    await page.getByTestId('duplicate-pair-0').waitFor();
    expect(suite.current()?.pageErrors ?? []).toEqual([]);
  });
});
