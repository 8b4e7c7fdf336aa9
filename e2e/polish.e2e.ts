/**
 * Everyday polish (issue 12), driven through the real UI: a double-click on "Create case" creates
 * one case, an unsaved form asks before the page is left, the same file is not attached twice
 * silently, a spaced IBAN is found, a bad filter date is said, and the first start asks for the
 * investigator's name and agency.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, useBrowserSuite } from './harness/index.ts';

const suite = useBrowserSuite();

async function start(): Promise<Page> {
  const app = await suite.open({ testHooks: true });
  await app.page.getByTestId('case-list').waitFor();
  return app.page;
}

async function casesWithReference(page: Page, reference: string): Promise<number> {
  return page.evaluate(
    async (ref) =>
      (await window.__tesseraApp!.repository.listCases()).filter((c) => c.reference === ref).length,
    reference,
  );
}

describe('everyday polish', () => {
  it('creates one case on a double-click and names an over-long title while typing', async () => {
    const page = await start();
    await page.getByTestId('new-case').click();
    await page.getByTestId('case-field-title').fill('x'.repeat(20_000));
    await expect(page.getByTestId('case-error-title').textContent()).resolves.toBe(
      'Title is 20,000 characters; the limit is 1,024',
    );
    await screenshot(page, 'polish-long-title');
    await page.getByTestId('case-field-reference').fill('AT/POL/2026/1');
    await page.getByTestId('case-field-title').fill('Double click');
    await page.getByTestId('case-save').dblclick();
    await page.getByTestId('case-workspace').waitFor();
    // Give a second save, had one started, the time to land.
    await page.waitForTimeout(500);
    expect(await casesWithReference(page, 'AT/POL/2026/1')).toBe(1);
  });

  it('asks before leaving an unsaved form', async () => {
    const page = await start();
    await page.getByTestId('new-case').click();
    await page.getByTestId('case-field-title').fill('Not saved yet');
    // The page's beforeunload listener cancels the unload (the browser then asks); a synthetic
    // event shows it without closing the page under the harness.
    const leaving = () =>
      page.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true });
        window.dispatchEvent(event);
        return event.defaultPrevented;
      });
    expect(await leaving()).toBe(true);
    await page.getByTestId('case-field-title').fill('');
    expect(await leaving()).toBe(false);
  });

  it('refuses the same file twice and finds a spaced IBAN', async () => {
    const page = await start();
    await page.getByTestId('new-case').click();
    await page.getByTestId('case-field-reference').fill('AT/POL/2026/2');
    await page.getByTestId('case-field-title').fill('Attachments and IBANs');
    await page.getByTestId('case-save').click();
    await page.getByTestId('case-workspace').waitFor();
    const caseId = await page.evaluate(
      async () =>
        (await window.__tesseraApp!.repository.listCases()).find(
          (c) => c.reference === 'AT/POL/2026/2',
        )!.id,
    );
    await page.evaluate(
      (id) =>
        window.__tesseraApp!.repository.createEntity(id, 'BankAccount', {
          iban: ['AT611904300234573201'],
        }),
      caseId,
    );

    await page.getByTestId('tab-attachments').click();
    const pane = page.locator('.case-main-pane');
    const file = { name: 'log.txt', mimeType: 'text/plain', buffer: Buffer.from('bay 7\n') };
    await pane.getByTestId('attachment-input').setInputFiles(file);
    await pane.locator('[data-testid^="attachment-sha256-"]').first().waitFor();
    await pane.getByTestId('attachment-input').setInputFiles({ ...file, name: 'copy.txt' });
    await pane.getByTestId('attachment-duplicate').waitFor();
    expect(await pane.getByTestId('attachment-duplicate').textContent()).toContain(
      'copy.txt is already attached as “log.txt”',
    );
    await screenshot(page, 'polish-duplicate-attachment');
    expect(
      await page.evaluate(
        async (id) => (await window.__tesseraApp!.repository.listAttachments(id)).length,
        caseId,
      ),
    ).toBe(1);

    await page.getByTestId('tab-search').click();
    await page.getByTestId('search-input').fill('AT61 1904 3002 3457 3201');
    await expect
      .poll(() => page.getByTestId('search-status').textContent(), { timeout: 30_000 })
      .toMatch(/^1 result/);
    await page.getByTestId('search-date-from').fill('2024-02-30');
    await expect
      .poll(() => page.getByTestId('search-status').textContent())
      .toBe('Correct the filters above to search.');
    expect(await page.getByTestId('search-date-from-problem').textContent()).toBe(
      '2024-02-30 does not exist (2024-02 has 29 days)',
    );
    await screenshot(page, 'polish-search-date');
  });

  it('asks for the investigator on first start and records the answer', async () => {
    const page = await start();
    await page.getByTestId('identity-banner').waitFor();
    await screenshot(page, 'polish-identity');
    await page.getByTestId('investigator-name').fill('Insp. Ana Vlad');
    await page.getByTestId('investigator-agency').fill('BK Wien');
    await page.getByTestId('identity-save').click();
    await page.getByTestId('identity-banner').waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('case-list').waitFor();
    expect(await page.getByTestId('identity-banner').count()).toBe(0);
  });
});
