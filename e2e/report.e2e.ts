/**
 * Reports from the case workspace: open the demo case, click "Report…", write the case summary as
 * PDF (built in the report worker) and read the downloaded file with poppler's pdftotext: the
 * marking banner at the top and bottom of every page and "Page x of y"; then the disclosure
 * schedule as XLSX and the summary as DOCX, unzipped.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

describe('reports', () => {
  it('writes the demo case summary as a PDF with a banner and page numbers on every page', async () => {
    const { page } = await suite.open();
    await page.getByTestId('demo-banner').waitFor();
    await page.locator('.case-open-link', { hasText: 'demo' }).click();
    await page.getByTestId('case-workspace').waitFor();
    await page.getByTestId('make-report').click();
    await page.getByTestId('report-dialog').waitFor();
    await page.getByTestId('report-template').selectOption('case');
    await page.getByTestId('report-format').selectOption('pdf');
    await screenshot(page, 'report-dialog');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByTestId('report-make').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^DEMO-2024-0417-case-own-\d{4}-\d{2}-\d{2}\.pdf$/,
    );
    const file = await download.path();
    const text = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    });
    expect(text.status).toBe(0);
    const pages = text.stdout.split('\f').filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThan(5);
    pages.forEach((pageText, i) => {
      const lines = pageText
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      expect(lines[0]).toMatch(/^(UNCLASSIFIED|RESTRICTED|CONFIDENTIAL|SECRET) · TLP:/);
      expect(lines.at(-2)).toBe(lines[0]);
      expect(lines.at(-1)).toMatch(new RegExp(`Page ${i + 1} of ${pages.length}$`));
    });
    expect(text.stdout).toContain('Operation Lantern');

    // The disclosure schedule as XLSX and the case summary as DOCX, from the same worker.
    for (const [template, format, part, expected] of [
      ['schedule', 'xlsx', 'xl/sharedStrings.xml', 'Disclosure schedule'],
      ['case', 'docx', 'word/document.xml', 'Operation Lantern'],
    ] as const) {
      await page.getByTestId('make-report').click();
      await page.getByTestId('report-template').selectOption(template);
      await page.getByTestId('report-format').selectOption(format);
      const [office] = await Promise.all([
        page.waitForEvent('download', { timeout: 120_000 }),
        page.getByTestId('report-make').click(),
      ]);
      expect(office.suggestedFilename()).toMatch(new RegExp(`-${template}-own-.*\\.${format}$`));
      const xml = spawnSync('unzip', ['-p', await office.path(), part], { encoding: 'utf8' });
      expect(xml.stdout).toContain(expected);
    }

    // The chart's Export menu opens the same dialog as a chart briefing of that chart.
    await page.getByTestId('tab-chart').click();
    await page.getByTestId('chart-export-menu').click();
    await page.getByTestId('chart-export-report').click();
    await page.getByTestId('report-dialog').waitFor();
    expect(await page.getByTestId('report-template').inputValue()).toBe('chart');
  }, 240_000);
});
