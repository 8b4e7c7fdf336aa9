/**
 * Partner exchange between two agencies, through the real UI: two loopback web hosts (agency A and
 * agency B, each with its own data directory) and two browser contexts. They create identities,
 * swap cards, confirm fingerprints and set agreements; A marks material, previews (some withheld)
 * and seals over a shared folder; B syncs, reviews and accepts, and sees only what was releasable;
 * B edits and replies while A edits the same field; A's review shows the conflict. Then one more
 * bundle goes A → B over S3 (s3rver on 127.0.0.1).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startS3TestServer } from '../electron/services/transports/fixtures/s3TestServer.ts';
import type { S3TestServer } from '../electron/services/transports/fixtures/s3TestServer.ts';
import type { EntityRecord } from '../shared/model/index.ts';
import type { CaseRepository } from '../renderer/db/repository.types.ts';
import { launchBrowser, openApp, screenshot, startHost } from './harness/index.ts';
import type { AppPage, TestHost } from './harness/index.ts';

const PASSPHRASE = 'correct horse battery staple';
const CRIME_AREA = 'drug trafficking';

let browser: Browser;
let hostA: TestHost;
let hostB: TestHost;
let appA: AppPage;
let appB: AppPage;
let shared: string;
let s3: S3TestServer | undefined;

beforeAll(async () => {
  shared = await mkdtemp(join(tmpdir(), 'tessera-exchange-folder-'));
  [hostA, hostB] = await Promise.all([startHost(), startHost()]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await appA?.close();
  await appB?.close();
  await browser?.close();
  await Promise.all([hostA?.close(), hostB?.close(), s3?.close()]);
  await rm(shared, { recursive: true, force: true });
  appA?.assertNoExternalRequests();
  appB?.assertNoExternalRequests();
  expect([...(appA?.pageErrors ?? []), ...(appB?.pageErrors ?? [])]).toEqual([]);
});

interface TestWindow {
  readonly __tesseraApp: { readonly repository: CaseRepository };
}

async function start(host: TestHost, agencyId: string, agencyName: string): Promise<AppPage> {
  const app = await openApp(browser, host, { testHooks: true });
  const { page } = app;
  await page.getByTestId('case-list').waitFor();
  await page.getByTestId('open-settings').click();
  const settings = page.getByTestId('settings-panel');
  await settings.getByLabel('Agency id').fill(agencyId);
  await settings.getByLabel('Agency name').fill(agencyName);
  await settings.getByRole('button', { name: /save/i }).click();
  await settings.waitFor({ state: 'detached' });
  // The repository's clock is named after the agency at start-up.
  await page.reload();
  await page.getByTestId('case-list').waitFor();
  return app;
}

async function openCase(page: Page, caseId?: string): Promise<void> {
  await page.getByTestId('home').click();
  await page.getByTestId('case-list').waitFor();
  const row = caseId
    ? page.getByTestId(`case-row-${caseId}`)
    : page.locator('[data-testid^="case-row-"]').first();
  await row.locator('.case-open-link').click();
  await page.getByTestId('case-workspace').waitFor();
}

async function exchangeSection(page: Page, section: string): Promise<void> {
  await page.getByTestId('tab-exchange').click();
  await page.getByTestId(`exchange-nav-${section}`).click();
}

async function createIdentity(page: Page, agencyId: string, name: string): Promise<string> {
  await page.getByTestId('tab-exchange').click();
  await page.getByTestId('identity-name').fill(name);
  await page.getByTestId('identity-agency-id').fill(agencyId);
  await page.getByTestId('identity-passphrase').fill(PASSPHRASE);
  await page.getByTestId('identity-passphrase-repeat').fill(PASSPHRASE);
  await page.getByTestId('identity-create').click();
  const card = page.getByTestId('own-card-json');
  await card.waitFor();
  await expect
    .poll(() => page.getByTestId('own-card-qr').getAttribute('src'))
    .toMatch(/^data:image\/svg\+xml/);
  return card.inputValue();
}

async function addPartner(
  page: Page,
  partnerId: string,
  cardJson: string,
  fingerprint: string,
  transport: () => Promise<void>,
) {
  await exchangeSection(page, 'partners');
  await page.getByTestId('partner-card-input').fill(cardJson);
  await page.getByTestId('partner-card-import').click();
  await expect
    .poll(() => page.getByTestId(`partner-state-${partnerId}`).textContent())
    .toBe('not confirmed');
  await page.getByTestId(`partner-fingerprint-${partnerId}`).fill(fingerprint);
  await page.getByTestId(`partner-confirm-${partnerId}`).click();
  await expect
    .poll(() => page.getByTestId(`partner-state-${partnerId}`).textContent())
    .toBe('trusted');
  await page.getByTestId(`partner-agreement-${partnerId}`).click();
  await page.getByTestId('agreement-legalBasis').fill(`MOU ${partnerId}/2026`);
  await page.getByTestId('agreement-crimeAreas').fill(CRIME_AREA);
  await page.getByTestId('agreement-save').click();
  await page.getByTestId('agreement-form').waitFor({ state: 'detached' });
  await page.getByTestId(`partner-transport-${partnerId}`).click();
  await transport();
  await page.getByTestId('transport-save').click();
  await page.getByTestId('transport-form').waitFor({ state: 'detached' });
}

async function folderTransport(page: Page): Promise<void> {
  await page.getByTestId('transport-kind').selectOption('folder');
  await page.getByTestId('transport-root').fill(shared);
}

async function s3Transport(page: Page, server: S3TestServer): Promise<void> {
  await page.getByTestId('transport-kind').selectOption('s3');
  await page.getByTestId('transport-endpoint').fill(server.endpoint);
  await page.getByTestId('transport-region').fill('us-east-1');
  await page.getByTestId('transport-bucket').fill(server.bucket);
  await page.getByTestId('transport-prefix').fill('tessera');
  await page.getByTestId('transport-accessKeyId').fill('S3RVER');
  await page.getByTestId('transport-secretAccessKey').fill('S3RVER');
}

async function sealTo(page: Page, partnerId: string, shot?: string): Promise<void> {
  await exchangeSection(page, 'share');
  await page.getByTestId(`export-partner-${partnerId}`).check();
  await page.getByTestId('export-preview').click();
  await page.getByTestId(`preview-${partnerId}`).waitFor();
  if (shot) await screenshot(page, shot);
  await page.getByTestId('export-seal').click();
  await page.getByTestId(`sealed-${partnerId}`).waitFor();
}

async function syncAndOpen(page: Page, shot?: string): Promise<void> {
  await exchangeSection(page, 'inbox');
  const pending = page.getByTestId('pending-open');
  await expect
    .poll(
      async () => {
        await page.getByTestId('sync-now').click();
        await page.getByTestId('sync-now').isEnabled();
        return pending.count();
      },
      { timeout: 30_000, interval: 1000 },
    )
    .toBeGreaterThan(0);
  await pending.first().click();
  await page.getByTestId('review-screen').waitFor();
  if (shot) await screenshot(page, shot);
}

async function apply(page: Page): Promise<void> {
  await page.getByTestId('review-apply').click();
  await page.getByTestId('review-screen').waitFor({ state: 'detached' });
}

describe('exchange between two agencies', () => {
  let caseId: string;
  let ivan: EntityRecord;
  let firm: EntityRecord;
  let informant: EntityRecord;

  it('A shares what is releasable, B accepts, replies, and a concurrent edit shows as a conflict', async () => {
    [appA, appB] = await Promise.all([
      start(hostA, 'AGA', 'Agency A'),
      start(hostB, 'AGB', 'Agency B'),
    ]);
    const a = appA.page;
    const b = appB.page;

    // A's case, with an informant that must not leave A.
    const created = await a.evaluate(async (area) => {
      const repo = (window as unknown as TestWindow).__tesseraApp.repository;
      const c = await repo.createCase({
        reference: 'A/2026/7',
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
      const informant = await repo.createEntity(c.id, 'Person', { name: ['Informant K-7'] });
      return { caseId: c.id, ivan, firm, informant };
    }, CRIME_AREA);
    ({ caseId, ivan, firm, informant } = created);
    await openCase(a, caseId);
    await openCase(b);

    const cardA = await createIdentity(a, 'AGA', 'Agency A');
    const cardB = await createIdentity(b, 'AGB', 'Agency B');
    const fingerprintA = (await a.getByTestId('own-fingerprint-hex').textContent()) ?? '';
    const fingerprintB = (await b.getByTestId('own-fingerprint-words').textContent()) ?? '';
    await addPartner(a, 'AGB', cardB, fingerprintB, () => folderTransport(a));
    await addPartner(b, 'AGA', cardA, fingerprintA, () => folderTransport(b));
    await screenshot(a, 'exchange-partners');
    await exchangeSection(a, 'identity');
    await a.getByTestId('show-card').click();
    await a.getByTestId('own-card-qr').waitFor();
    await screenshot(a, 'exchange-identity');

    // Bulk marking: everything releasable to B, then the informant back to A only.
    await exchangeSection(a, 'markings');
    await a.getByTestId('markings-select-all').check();
    await a.getByTestId('markings-releasable-mode').selectOption('set');
    await a.getByTestId('markings-partners').fill('AGB');
    await a.getByTestId('markings-apply').click();
    await expect
      .poll(() => a.getByTestId(`markings-current-${ivan.id}`).textContent())
      .toContain('to AGB');
    await a.getByTestId(`markings-select-${informant.id}`).check();
    await a.getByTestId('markings-releasable-mode').selectOption('remove');
    await a.getByTestId('markings-partners').fill('AGB');
    await a.getByTestId('markings-apply').click();
    await expect
      .poll(() => a.getByTestId(`markings-current-${informant.id}`).textContent())
      .toContain('not releasable');

    await sealTo(a, 'AGB', 'exchange-preview');
    await expect(a.getByTestId(`withheld-item-${informant.id}`).textContent()).resolves.toMatch(
      /not marked releasable|AGB/,
    );
    await exchangeSection(a, 'inbox');
    await a.getByTestId('sync-now').click();

    // B receives, reviews, accepts all: only what was releasable arrives.
    await syncAndOpen(b, 'exchange-review-new');
    await expect(b.getByTestId('review-counts').textContent()).resolves.toMatch(/^4 new/);
    await expect(b.getByTestId(`review-origin-${ivan.id}`).textContent()).resolves.toContain(
      'from AGA',
    );
    await apply(b);
    const atB = await b.evaluate(
      (id) => (window as unknown as TestWindow).__tesseraApp.repository.listEntities(id),
      caseId,
    );
    expect(
      atB
        .map((e) => e.properties.name?.[0])
        .filter(Boolean)
        .sort(),
    ).toEqual(['Danube Freight', 'Ivan Petrov']);
    expect(atB).toHaveLength(3);
    expect(atB.every((e) => e.originAgency === 'AGA')).toBe(true);

    // Concurrent edits: both rename Ivan; B also renames the firm. B replies.
    await a.evaluate(
      (id) =>
        (window as unknown as TestWindow).__tesseraApp.repository.updateEntity(id, {
          properties: { name: ['Ivan A. Petrov'] },
        }),
      ivan.id,
    );
    await b.evaluate(
      async (ids) => {
        const repo = (window as unknown as TestWindow).__tesseraApp.repository;
        await repo.updateEntity(ids.firm, { properties: { name: ['Danube Freight SRL'] } });
        await repo.updateEntity(ids.ivan, { properties: { name: ['Ivan B. Petrov'] } });
      },
      { firm: firm.id, ivan: ivan.id },
    );
    await openCase(b, caseId);
    await sealTo(b, 'AGA');
    await exchangeSection(b, 'inbox');
    await b.getByTestId('sync-now').click();

    await syncAndOpen(a, 'exchange-review-conflict');
    await expect(a.getByTestId(`review-item-${firm.id}`).getAttribute('data-status')).resolves.toBe(
      'changed',
    );
    await expect(a.getByTestId(`review-item-${ivan.id}`).getAttribute('data-status')).resolves.toBe(
      'conflict',
    );
    await expect(a.getByTestId(`review-local-${ivan.id}`).textContent()).resolves.toBe(
      'Ivan A. Petrov',
    );
    await expect(a.getByTestId(`review-remote-${ivan.id}`).textContent()).resolves.toBe(
      'Ivan B. Petrov',
    );
    // A takes B's firm name and keeps its own name for Ivan.
    // Conflicts start undecided and unticked (issue 12): applying waits for an answer.
    await expect(a.getByTestId(`review-accept-${ivan.id}`).isChecked()).resolves.toBe(false);
    await expect(a.getByTestId('review-apply').isDisabled()).resolves.toBe(true);
    await a.getByTestId('review-keep-mine').click();
    await apply(a);
    const firmAtA = await a.evaluate(
      (id) => (window as unknown as TestWindow).__tesseraApp.repository.getEntity(id),
      firm.id,
    );
    const ivanAtA = await a.evaluate(
      (id) => (window as unknown as TestWindow).__tesseraApp.repository.getEntity(id),
      ivan.id,
    );
    expect(firmAtA?.properties.name).toEqual(['Danube Freight SRL']);
    expect(ivanAtA?.properties.name).toEqual(['Ivan A. Petrov']);

    await exchangeSection(a, 'log');
    await a.getByTestId('log-verify').click();
    await expect.poll(() => a.getByTestId('log-verdict').textContent()).toMatch(/intact/);
  });

  it('sends one bundle from A to B over S3', async () => {
    s3 = await startS3TestServer();
    const server = s3;
    const a = appA.page;
    const b = appB.page;
    for (const [page, partner] of [
      [a, 'AGB'],
      [b, 'AGA'],
    ] as const) {
      await exchangeSection(page, 'partners');
      await page.getByTestId(`partner-transport-${partner}`).click();
      await s3Transport(page, server);
      await page.getByTestId('transport-save').click();
      await page.getByTestId('transport-form').waitFor({ state: 'detached' });
    }
    await a.evaluate(
      (id) =>
        (window as unknown as TestWindow).__tesseraApp.repository.updateEntity(id, {
          properties: { name: ['Danube Freight Holding'] },
        }),
      firm.id,
    );
    await sealTo(a, 'AGB');
    await exchangeSection(a, 'inbox');
    await a.getByTestId('sync-now').click();
    await syncAndOpen(b);
    await expect(b.getByTestId(`review-item-${firm.id}`).getAttribute('data-status')).resolves.toBe(
      'changed',
    );
    await apply(b);
    const firmAtB = await b.evaluate(
      (id) => (window as unknown as TestWindow).__tesseraApp.repository.getEntity(id),
      firm.id,
    );
    expect(firmAtB?.properties.name).toEqual(['Danube Freight Holding']);
  });

  it('hands a bundle over as a file: downloaded and uploaded in pieces', async () => {
    const a = appA.page;
    const b = appB.page;
    await a.evaluate(
      (id) =>
        (window as unknown as TestWindow).__tesseraApp.repository.updateEntity(id, {
          properties: { name: ['Danube Freight Group'] },
        }),
      firm.id,
    );
    await exchangeSection(a, 'share');
    await a.getByTestId('export-partner-AGB').check();
    await a.getByTestId('export-preview').click();
    await a.getByTestId('preview-AGB').waitFor();
    await a.getByTestId('delivery-file').check();
    await a.getByTestId('export-seal').click();
    await a.getByTestId('sealed-AGB').waitFor();
    // The browser download is reassembled from pieces (transfer.download.*).
    const [download] = await Promise.all([
      a.waitForEvent('download'),
      a.getByTestId('download-AGB').click(),
    ]);
    const name = download.suggestedFilename();
    expect(name).toMatch(/\.tessera$/);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 21).toString('latin1')).toBe('age-encryption.org/v1');

    // B hands it in through the file input: uploaded in pieces, then queued for review.
    await exchangeSection(b, 'inbox');
    await b.getByTestId('import-file').setInputFiles({
      name,
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    await expect.poll(() => b.getByTestId('pending-open').count()).toBeGreaterThan(0);
    await b.getByTestId('pending-open').first().click();
    await b.getByTestId('review-screen').waitFor();
    await expect(b.getByTestId(`review-item-${firm.id}`).getAttribute('data-status')).resolves.toBe(
      'changed',
    );
    await apply(b);
    const firmAtB = await b.evaluate(
      (id) => (window as unknown as TestWindow).__tesseraApp.repository.getEntity(id),
      firm.id,
    );
    expect(firmAtB?.properties.name).toEqual(['Danube Freight Group']);
  });
});
