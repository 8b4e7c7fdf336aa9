/**
 * Exchange polish (issue 12), through the real UI of two agencies on two loopback web hosts
 * (set up and paired through their service handlers, e2e/harness/exchangeSetup.ts):
 * - A's first export explains deny by default; one click marks what the agreement lets go, the
 *   preview then lists it as released, and Undo takes the marking back;
 * - sealing refuses a preview that no longer matches the case, and the sealed bundle reports the
 *   total the preview showed; the exchange log names the case by its reference;
 * - B's top bar counts the bundle that arrived, and B opens it from outside any case, creates the
 *   case by accepting it, and opens it;
 * - the web host serves /favicon.ico and a page load meets no 404.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EntityRecord } from '../shared/model/index.ts';
import { launchBrowser, openApp, screenshot, startHost } from './harness/index.ts';
import type { AppPage, TestHost } from './harness/index.ts';
import { nameAgency, pairAgencies } from './harness/exchangeSetup.ts';
import type { Agency } from './harness/exchangeSetup.ts';

const CRIME_AREA = 'drug trafficking';
const REFERENCE = 'A/2026/12';

let browser: Browser;
let hostA: TestHost;
let hostB: TestHost;
let shared: string;
const pages: AppPage[] = [];

beforeAll(async () => {
  shared = await mkdtemp(join(tmpdir(), 'tessera-exchange-ux-'));
  [hostA, hostB] = await Promise.all([startHost(), startHost()]);
  browser = await launchBrowser();
  const a: Agency = { host: hostA, agencyId: 'AGA', agencyName: 'Agency A' };
  const b: Agency = { host: hostB, agencyId: 'AGB', agencyName: 'Agency B' };
  await Promise.all([nameAgency(a), nameAgency(b)]);
  await pairAgencies(a, b, { crimeAreas: [CRIME_AREA] });
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    await self.host.handlers['exchange.transport.configure']({
      agencyId: other.agencyId,
      config: { kind: 'folder', root: shared },
    });
  }
});

afterAll(async () => {
  for (const app of pages) await app.close();
  await browser?.close();
  await Promise.all([hostA?.close(), hostB?.close()]);
  await rm(shared, { recursive: true, force: true });
  for (const app of pages) app.assertNoExternalRequests();
  expect(pages.flatMap((app) => app.pageErrors)).toEqual([]);
});

async function open(host: TestHost): Promise<Page> {
  const app = await openApp(browser, host, { testHooks: true });
  pages.push(app);
  await app.page.getByTestId('case-list').waitFor();
  return app.page;
}

async function releasableTo(page: Page, id: string): Promise<readonly string[] | undefined> {
  return page.evaluate(
    async (entityId) =>
      (await window.__tesseraApp!.repository.getEntity(entityId))?.markings.releasableTo,
    id,
  );
}

describe('exchange polish', () => {
  let caseId: string;
  let ivan: EntityRecord;
  let victim: EntityRecord;
  let total: string;

  it('explains the first export, marks what the agreement allows in one undoable step', async () => {
    const a = await open(hostA);
    // A's case as an officer leaves it: nothing marked for any partner, a victim TLP:RED.
    ({ caseId, ivan, victim } = await a.evaluate(
      async ({ area, reference }) => {
        const repo = window.__tesseraApp!.repository;
        const c = await repo.createCase({
          reference,
          title: 'Harbour shipments',
          leadInvestigator: 'Lead A',
          crimeAreas: [area],
        });
        const ivan = await repo.createEntity(c.id, 'Person', { name: ['Ivan Petrov'] });
        const firm = await repo.createEntity(c.id, 'Company', { name: ['Danube Freight'] });
        await repo.createEntity(c.id, 'Directorship', {
          director: [ivan.id],
          organization: [firm.id],
        });
        const victim = await repo.createEntity(
          c.id,
          'Person',
          { name: ['Victim V'] },
          {
            markings: {
              classification: 'UNCLASSIFIED',
              tlp: 'RED',
              releasableTo: [],
              referToOriginator: false,
            },
          },
        );
        return { caseId: c.id, ivan, victim };
      },
      { area: CRIME_AREA, reference: REFERENCE },
    ));
    await a.getByTestId(`case-row-${caseId}`).locator('.case-open-link').click();
    await a.getByTestId('tab-exchange').click();
    await a.getByTestId('exchange-nav-share').click();
    await a.getByTestId('first-export-note').waitFor();
    await a.getByTestId('export-partner-AGB').check();
    await a.getByTestId('export-preview').click();
    await expect.poll(() => a.getByTestId('preview-total-AGB').textContent()).toBe('nothing');

    // The offer: the case and the three records the agreement lets go; never the TLP:RED victim.
    const offer = a.getByTestId('release-offer-AGB');
    await offer.waitFor();
    await expect(offer.locator('li').count()).resolves.toBe(4);
    await expect(a.getByTestId(`release-offer-item-${victim.id}`).count()).resolves.toBe(0);
    expect(await releasableTo(a, ivan.id)).toEqual([]);
    await screenshot(a, 'exchange-first-export-offer');

    await a.getByTestId('release-offer-mark-AGB').click();
    await expect
      .poll(() => a.getByTestId('preview-total-AGB').textContent())
      .toMatch(/^4 records released \(the case, 3 entities and relationships\)/);
    await expect(a.getByTestId(`withheld-item-${victim.id}`).count()).resolves.toBe(1);
    await expect(a.getByTestId('release-offer-AGB').count()).resolves.toBe(0);
    expect(await releasableTo(a, ivan.id)).toEqual(['AGB']);

    // One undo step takes the whole marking back.
    await a.getByTestId('undo').click();
    await expect.poll(() => releasableTo(a, ivan.id)).toEqual([]);
    await a.getByTestId('export-preview').click();
    await expect.poll(() => a.getByTestId('preview-total-AGB').textContent()).toBe('nothing');
    await a.getByTestId('release-offer-AGB').waitFor();
  });

  it('seals what the preview showed, says the same total, and logs the case by reference', async () => {
    const a = pages[0]!.page;
    await a.getByTestId('release-offer-mark-AGB').click();
    await expect
      .poll(() => a.getByTestId('preview-total-AGB').textContent())
      .toMatch(/^4 records released/);
    total = (await a.getByTestId('preview-total-AGB').textContent())!;

    // The case changes after the preview (a new, unmarked record): nothing is sealed until the
    // officer has seen the new preview.
    await a.evaluate(
      (id) => window.__tesseraApp!.repository.createEntity(id, 'Person', { name: ['Late Comer'] }),
      caseId,
    );
    await a.getByTestId('export-seal').click();
    await a.getByTestId('export-stale').waitFor();
    await expect(a.getByTestId('sealed-AGB').count()).resolves.toBe(0);
    await expect(a.getByTestId('preview-AGB').textContent()).resolves.toContain('Late Comer');

    await a.getByTestId('export-seal').click();
    await a.getByTestId('sealed-AGB').waitFor();
    // The preview said "4 records released (…)"; the sealed bundle counts the same 4.
    expect(total).toMatch(/^4 records/);
    await expect(a.getByTestId('sealed-total-AGB').textContent()).resolves.toBe(
      '4 records released',
    );
    // Sent once: the next export of this case is no longer the first.
    await expect.poll(() => a.getByTestId('first-export-note').count()).toBe(0);

    await a.getByTestId('exchange-nav-log').click();
    await a.getByTestId('log-show').click();
    const log = a.getByTestId('exchange-log');
    await expect.poll(() => log.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    const text = await log.locator('tbody').innerText();
    expect(text).toContain(`case ${REFERENCE}`);
    expect(text).toContain('Agency B (AGB)');
    expect(text).not.toContain(caseId);
  });

  it('counts an arrived bundle in the top bar and opens it outside any case', async () => {
    const b = await open(hostB);
    // No bundle yet: the inbox shows without a badge.
    await b.getByTestId('topbar-inbox').waitFor();
    await expect(b.getByTestId('topbar-inbox-badge').count()).resolves.toBe(0);

    // A's outbox goes to the shared folder; B's transport fetches it into B's inbox.
    await hostA.handlers['exchange.sync.now']({});
    await hostB.handlers['exchange.sync.now']({});
    await expect
      .poll(() => b.getByTestId('topbar-inbox-badge').textContent(), { timeout: 20_000 })
      .toBe('1');
    await screenshot(b, 'exchange-topbar-badge');

    await b.getByTestId('topbar-inbox').click();
    await b.getByTestId('topbar-inbox-dialog').waitFor();
    await b.getByTestId('pending-open').first().click();
    await b.getByTestId('review-screen').waitFor();
    await expect(b.getByTestId('import-target').getAttribute('data-target')).resolves.toBe('new');
    await expect(b.getByTestId('import-target').textContent()).resolves.toContain(REFERENCE);
    await screenshot(b, 'exchange-topbar-review');
    await b.getByTestId('review-apply').click();
    await b.getByTestId('inbox-applied').waitFor();
    // Imported: nothing waits any more.
    await expect.poll(() => b.getByTestId('topbar-inbox-badge').count()).toBe(0);
    await b.getByTestId('inbox-open-case').click();
    await b.getByTestId('case-workspace').waitFor();
    await expect(b.getByTestId('breadcrumb').textContent()).resolves.toContain(REFERENCE);
    const names = await b.evaluate(
      async (id) =>
        (await window.__tesseraApp!.repository.listEntities(id))
          .map((e) => e.properties.name?.[0])
          .filter(Boolean)
          .sort(),
      caseId,
    );
    expect(names).toEqual(['Danube Freight', 'Ivan Petrov']);
  });

  it('serves /favicon.ico, and a page load meets no 404', async () => {
    const response = await fetch(new URL('/favicon.ico', hostA.origin));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    const app = await openApp(browser, hostA, { lockScreens: 'leave' });
    pages.push(app);
    const failed: string[] = [];
    app.page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await app.page.reload({ waitUntil: 'networkidle' });
    expect(failed).toEqual([]);
  });
});
