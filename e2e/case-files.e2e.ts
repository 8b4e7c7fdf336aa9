/**
 * Whole cases in and out as files, through the case list: export the demo case as a Tessera case
 * file and as FollowTheMoney lines, import FtM lines into a new case (twice, leaving the demo case
 * whole), import untidy real data with a report, and refuse an unreadable file and a duplicate
 * case with a clear message and no change.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { isEdgeSchema } from '../shared/model/index.ts';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

async function caseRows(page: Page): Promise<number> {
  return page.locator('[data-testid^="case-row-"]').count();
}

async function downloadFrom(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

describe('case files', () => {
  it('exports the demo case, imports FtM lines as a new case and refuses broken files', async () => {
    const { page } = await suite.open();
    await page.getByTestId('demo-banner').waitFor();
    const demoRow = page.locator('[data-testid^="case-row-"]').first();
    const demoId = (await demoRow.getAttribute('data-testid'))!.replace('case-row-', '');

    const caseFile = await downloadFrom(page, `case-export-${demoId}`);
    expect(caseFile.name).toMatch(/\.tessera\.json$/);
    const parsed = JSON.parse(caseFile.text) as { format: string; entities: unknown[] };
    expect(parsed.format).toBe('tessera.case');
    expect(parsed.entities.length).toBeGreaterThan(150);

    const ftm = await downloadFrom(page, `case-export-ftm-${demoId}`);
    const lines = ftm.text.trim().split('\n');
    expect(lines).toHaveLength(parsed.entities.length);
    expect(JSON.parse(lines[0]!)).toHaveProperty('schema');

    // The other tools' formats from the "Export as…" menu.
    const [gexf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`case-export-as-${demoId}`).selectOption('gexf'),
    ]);
    expect(gexf.suggestedFilename()).toMatch(/\.gexf$/);
    expect(await readFile(await gexf.path(), 'utf8')).toContain('<gexf');

    // The same case again: refused, nothing changes.
    const input = page.getByTestId('case-import-input');
    await input.setInputFiles({
      name: caseFile.name,
      mimeType: 'application/json',
      buffer: Buffer.from(caseFile.text),
    });
    await expect
      .poll(() => page.getByTestId('notification-error').last().textContent())
      .toContain('already in Tessera');
    expect(await caseRows(page)).toBe(1);

    // A file with nothing to import is refused whole; nothing changes.
    await input.setInputFiles({
      name: 'broken.ftm.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"id":"x1","schema":"Spaceship","properties":{}}\nnot json\n'),
    });
    await expect
      .poll(() => page.getByTestId('notification-error').last().textContent())
      .toContain('nothing was changed');
    await screenshot(page, 'case-import-refused');
    expect(await caseRows(page)).toBe(1);

    // Valid FtM lines (the demo's own entities), twice: two new cases with all of them, and the
    // demo case keeps every entity (issue 11: these imports used to move the demo's entities).
    for (const expected of [2, 3]) {
      await input.setInputFiles({
        name: 'lantern.ftm.json',
        mimeType: 'application/json',
        buffer: Buffer.from(ftm.text),
      });
      await expect.poll(() => caseRows(page)).toBe(expected);
    }
    const again = await downloadFrom(page, `case-export-ftm-${demoId}`);
    expect(again.text.trim().split('\n').sort()).toEqual([...lines].sort());

    // Untidy real data (a yente export): imported, with a report of what was kept and changed.
    await input.setInputFiles({
      name: 'yente-zala.ftm.jsonl',
      mimeType: 'application/json',
      buffer: await readFile(
        new URL('../shared/interchange/fixtures/ftm/yente-zala.ftm.jsonl', import.meta.url),
      ),
    });
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('import-report').textContent()).toContain('91 entities');
    await page.getByTestId('import-issue-ftm.unresolved-reference').waitFor();
    await page.getByTestId('import-issue-ftm.split').waitFor();
    await screenshot(page, 'case-import-report');
    await page.getByTestId('import-report-close').click();
    await expect.poll(() => caseRows(page)).toBe(4);

    await page.locator('.case-open-link', { hasText: 'Imported: lantern' }).first().click();
    await page.getByTestId('tab-entities').click();
    await page.getByTestId('entity-table').waitFor();
    const edges = lines.filter((line) =>
      isEdgeSchema((JSON.parse(line) as { schema: string }).schema),
    );
    const shownCount = async () =>
      Number((await page.getByTestId('entity-count').textContent())!.match(/\d+/)![0]);
    await expect.poll(shownCount).toBe(lines.length - edges.length);
    await page.getByTestId('entity-show-relationships').check();
    await expect.poll(shownCount).toBe(edges.length);
  });
});
