/**
 * Two agencies exchanging through the service HANDLERS, in process: each with its own data
 * directory and ExchangeService, sharing a folder (or an S3 server on 127.0.0.1). Inputs and
 * outputs go through the contract's zod schemas, as the carriers do.
 */
import crypto from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleRefKey } from '../../../shared/contract/index.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { formatHlc } from '../../../shared/model/hlc.ts';
import type { ServicesOptions } from '../handlers.ts';
import { startS3TestServer, type S3TestServer } from '../transports/fixtures/s3TestServer.ts';
import { downloadBytes, uploadBytes } from '../transfer/fixtures/testSupport.ts';
import {
  agreeWith,
  configureBothWays,
  releasableCase,
  testAgency,
  trustPartner,
  type TestAgency,
} from './fixtures/testSupport.ts';

type Agency = TestAgency;

let root: string;
const agencies: Agency[] = [];

async function agency(id: string, extra: Partial<ServicesOptions> = {}): Promise<Agency> {
  const created = await testAgency(root, id, extra);
  agencies.push(created);
  return created;
}

/** The demo case, releasable to `partner` except one entity (and what hangs on it). */
function caseFor(owner: string, partner: string): { file: CaseFile; withheldId: string } {
  const file = releasableCase(owner, partner);
  const withheldId = file.entities.find((e) => e.schema === 'Person')!.id;
  return {
    withheldId,
    file: {
      ...file,
      entities: file.entities.map((e) =>
        e.id === withheldId ? { ...e, markings: { ...e.markings, releasableTo: [] } } : e,
      ),
    },
  };
}

/** Exchange cards both ways, confirm fingerprints out of band, set agreements. */
async function pair(a: Agency, b: Agency): Promise<void> {
  const cardA = await a.call('exchange.identity.card', {});
  const cardB = await b.call('exchange.identity.card', {});
  expect(cardA.qrSvg).toContain('<svg');
  const imported = await a.call('exchange.partners.import', { cardJson: cardB.cardJson });
  expect(imported.partner.state).toBe('unconfirmed');
  await b.call('exchange.partners.import', { cardJson: cardA.cardJson });
  await expect(
    a.call('exchange.partners.confirm', {
      agencyId: b.id,
      fingerprint: cardA.summary.fingerprintHex,
    }),
  ).rejects.toThrow(/does not match/);
  const confirmed = await a.call('exchange.partners.confirm', {
    agencyId: b.id,
    fingerprint: cardB.summary.fingerprintHex,
  });
  expect(confirmed.partner.state).toBe('trusted');
  await b.call('exchange.partners.confirm', {
    agencyId: a.id,
    fingerprint: cardA.summary.fingerprintWords,
  });
  await agreeWith(a, b);
  await agreeWith(b, a);
}

async function inboxFile(agencyDir: string, name: string): Promise<string> {
  const transports = path.join(agencyDir, 'exchange', 'transports');
  for (const key of await readdir(transports)) {
    const file = path.join(transports, key, 'inbox', name);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  throw new Error(`no ${name} in an inbox`);
}

/** A seals to B over the transport; B opens and applies; the receipt returns to A. */
async function roundTrip(
  a: Agency,
  b: Agency,
  file: CaseFile,
  withheldId: string,
): Promise<string> {
  const preview = await a.call('exchange.export.preview', { partnerIds: [b.id], caseFile: file });
  const forB = preview.partners[0]!;
  expect(forB.ready).toBe(true);
  expect(forB.fullSnapshot).toBe(true);
  expect(forB.withheld.map((w) => w.id)).toContain(withheldId);
  expect(forB.withheld.find((w) => w.id === withheldId)!.reasons.join(' ')).toMatch(/releasable/i);

  const sealed = await a.call('exchange.export.seal', {
    partnerIds: [b.id],
    caseFile: file,
    delivery: 'transport',
  });
  const bundle = sealed.bundles[0]!;
  expect(bundle.sequence).toBe(1);
  expect(bundle.operations).toBeGreaterThan(10);
  expect((await a.call('exchange.status', {})).partners[0]!.sync!.outbox).toBe(1);

  await a.call('exchange.sync.now', {});
  await b.call('exchange.sync.now', {});
  const list = await b.call('exchange.import.list', {});
  expect(list.items).toHaveLength(1);
  const item = list.items[0]!;
  expect(item).toMatchObject({ partnerId: a.id, source: 'transport', state: 'pending' });

  const staged = await b.call('exchange.import.open', { bundleRef: item.bundleRef });
  expect(staged.bundleId).toBe(bundle.bundleId);
  expect(staged.incoming.status).toBe('next');
  const ids = staged.operations.map((op) => (op.op === 'create' ? op.record.id : op.recordId));
  expect(ids).not.toContain(withheldId);
  expect(ids).toContain(file.case.id);
  if (staged.attachments.length > 0) {
    const part = staged.attachments[0]!;
    const content = await downloadBytes(b.call, {
      kind: 'staged-attachment',
      bundleRef: item.bundleRef,
      name: part.name,
    });
    const sha = crypto.createHash('sha256').update(content.bytes).digest('hex');
    expect(sha).toBe(part.sha256);
    expect(content.sha256).toBe(part.sha256);
  }
  const inboxCopy = path.join(root, `${b.id}-${bundle.bundleId}.copy`);
  await writeFile(inboxCopy, await readFile(await inboxFile(b.dir, item.fileName)));

  const done = await b.call('exchange.import.complete', {
    bundleRef: item.bundleRef,
    acceptedIds: ids,
    rejectedIds: [],
  });
  expect(done).toMatchObject({ receiptStatus: 'applied', queued: true, missing: [] });
  expect((await b.call('exchange.import.list', {})).items).toHaveLength(0);

  const before = await a.call('exchange.status', {});
  expect(before.partners[0]!.unacknowledged).toBe(1);
  await b.call('exchange.sync.now', {});
  await a.call('exchange.sync.now', {});
  const after = await a.call('exchange.status', {});
  expect(after.partners[0]!.unacknowledged).toBe(0);
  expect(after.network).toBe('online');
  const partners = await a.call('exchange.partners.list', {});
  expect(partners.partners[0]!.cases[0]).toMatchObject({
    caseId: file.case.id,
    acknowledged: 1,
    unacknowledged: 0,
  });
  for (const side of [a, b]) {
    const verified = await side.call('exchange.log.verify', {});
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  }
  const log = await a.call('exchange.log.list', { limit: 20 });
  expect(log.entries.map((e) => e.type)).toEqual(
    expect.arrayContaining(['release-decision', 'bundle-sent', 'receipt-received']),
  );
  return inboxCopy;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-exchange-'));
});

afterAll(async () => {
  for (const a of agencies) await a.services.exchange.close();
  await rm(root, { recursive: true, force: true });
});

describe('exchange service over a shared folder', () => {
  let a: Agency;
  let b: Agency;
  let shared: string;
  let replayCopy: string;
  let demo: ReturnType<typeof caseFor>;

  beforeAll(async () => {
    a = await agency('agency-a');
    b = await agency('agency-b');
    shared = await mkdtemp(path.join(root, 'shared-'));
    await pair(a, b);
    await configureBothWays(a, b, { kind: 'folder', root: shared });
    demo = caseFor(a.id, b.id);
  });

  it('runs a full round trip with a receipt back to the sender', async () => {
    replayCopy = await roundTrip(a, b, demo.file, demo.withheldId);
  });

  it('refuses a replayed bundle handed in again', async () => {
    const imported = await b.call('exchange.import.fromFile', {
      ref: await uploadBytes(b.call, await readFile(replayCopy), 'bundle-import', 'again.tessera'),
    });
    expect(imported.kind).toBe('bundle');
    await expect(
      b.call('exchange.import.open', { bundleRef: imported.bundleRef! }),
    ).rejects.toThrow(/replay/);
    const listed = (await b.call('exchange.import.list', {})).items;
    expect(
      listed.find((i) => bundleRefKey(i.bundleRef) === bundleRefKey(imported.bundleRef!))?.state,
    ).toBe('failed');
    await b.call('exchange.import.discard', { bundleRef: imported.bundleRef! });
  });

  it('refuses a tampered bundle in the inbox and stages nothing', async () => {
    const changed: CaseFile = {
      ...demo.file,
      case: {
        ...demo.file.case,
        title: 'Changed title',
        updatedAt: formatHlc({ wallMs: Date.parse('2024-06-01'), counter: 0, node: 'demo' }),
      },
    };
    const sealed = await a.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: changed,
      delivery: 'transport',
    });
    expect(sealed.bundles[0]!.sequence).toBe(2);
    await a.call('exchange.sync.now', {});
    await b.call('exchange.sync.now', {});
    const item = (await b.call('exchange.import.list', {})).items[0]!;
    const file = await inboxFile(b.dir, item.fileName);
    const bytes = await readFile(file);
    bytes[bytes.length - 100] ^= 0x01;
    await writeFile(file, bytes);
    await expect(b.call('exchange.import.open', { bundleRef: item.bundleRef })).rejects.toThrow(
      /bundle|signature|authenticat|corrupt/i,
    );
    const staging = path.join(b.dir, 'exchange', 'staging', bundleRefKey(item.bundleRef));
    expect(
      await stat(staging).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    const listed = (await b.call('exchange.import.list', {})).items[0]!;
    expect(listed.state).toBe('failed');
    expect(listed.error).toBeTruthy();
  });

  it('refuses bundles from unconfirmed and blocked partners', async () => {
    const d = await agency('agency-d');
    const cardD = await d.call('exchange.identity.card', {});
    await trustPartner(d, b);
    const fromD = caseFor(d.id, b.id);
    const sealed = await d.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: fromD.file,
      delivery: 'file',
    });
    const exported = await downloadBytes(d.call, sealed.bundles[0]!.exportRef!);
    expect(exported.bytes.length).toBe(sealed.bundles[0]!.size);

    // B knows D's card but has not confirmed it.
    await b.call('exchange.partners.import', { cardJson: cardD.cardJson });
    const handed = await b.call('exchange.import.fromFile', {
      ref: await uploadBytes(b.call, exported.bytes, 'bundle-import', exported.fileName),
    });
    expect(handed.kind).toBe('bundle');
    await expect(b.call('exchange.import.open', { bundleRef: handed.bundleRef! })).rejects.toThrow(
      /not been confirmed/,
    );

    // Another key presented for agency-d, not signed by the pinned one: blocked.
    const impostor = await agency('agency-d');
    const fake = await impostor.call('exchange.identity.card', {});
    const blocked = await b.call('exchange.partners.import', { cardJson: fake.cardJson });
    expect(blocked.partner.state).toBe('blocked');
    expect(blocked.partner.warning).toMatch(/changed/);
    await expect(b.call('exchange.import.open', { bundleRef: handed.bundleRef! })).rejects.toThrow(
      /blocked/,
    );
    await expect(
      b.call('exchange.partners.confirm', {
        agencyId: 'agency-d',
        fingerprint: cardD.summary.fingerprintHex,
      }),
    ).rejects.toThrow(/does not match/);
  });

  it('keeps the transport secrets encrypted and survives lock and unlock', async () => {
    const text = await readFile(path.join(a.dir, 'exchange', 'transports.json'), 'utf8');
    expect(text).not.toContain(shared);
    await a.call('exchange.identity.lock', {});
    expect((await a.call('exchange.status', {})).identity.unlocked).toBe(false);
    await expect(a.call('exchange.identity.unlock', { passphrase: 'wrong' })).rejects.toThrow();
    await a.call('exchange.identity.unlock', { passphrase: `secret of ${a.id}` });
    const partner = (await a.call('exchange.partners.list', {})).partners[0]!;
    expect(partner.transport).toEqual({ kind: 'folder', root: shared });
  });
});

describe('exchange service over S3', () => {
  let s3: S3TestServer;

  beforeAll(async () => {
    s3 = await startS3TestServer();
  });

  afterAll(async () => {
    await s3.close();
  });

  it('runs the round trip through an S3-compatible server', async () => {
    const a = await agency('s3-a');
    const b = await agency('s3-b');
    await pair(a, b);
    await configureBothWays(a, b, { kind: 's3', ...s3.config });
    const listed = (await a.call('exchange.partners.list', {})).partners[0]!;
    expect(listed.transport).toMatchObject({ kind: 's3', secretAccessKey: '********' });
    const { file, withheldId } = caseFor(a.id, b.id);
    await roundTrip(a, b, file, withheldId);
  });
});

describe('files in pieces (issue 8, findings 6 and 7)', () => {
  it('seals attachments uploaded in pieces and imports a bundle chosen in a dialog', async () => {
    let chosenPath: string | null = null;
    const a = await agency('piece-a');
    const b = await agency('piece-b', { chooseOpenPath: () => Promise.resolve(chosenPath) });
    await pair(a, b);
    const { file } = caseFor(a.id, b.id);
    expect(file.attachments.length).toBeGreaterThan(0);
    // What the app sends: each attachment uploaded first, the case file carrying references.
    const attachments = [];
    for (const { contentBase64, ...record } of file.attachments) {
      const ref = await uploadBytes(
        a.call,
        Buffer.from(contentBase64, 'base64'),
        'attachment',
        record.fileName,
        record.sha256,
      );
      attachments.push({ ...record, contentRef: ref });
    }
    const sealed = await a.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: { ...file, attachments },
      delivery: 'file',
    });
    const bundle = sealed.bundles[0]!;
    expect(bundle.attachments).toBeGreaterThan(0);
    const exported = await downloadBytes(a.call, bundle.exportRef!);
    expect(exported.bytes.length).toBe(bundle.size);

    chosenPath = path.join(root, 'chosen.tessera');
    await writeFile(chosenPath, exported.bytes);
    const { chosen } = await b.call('files.chooseImport', {});
    expect(chosen?.fileName).toBe('chosen.tessera');
    const handed = await b.call('exchange.import.fromFile', { ref: chosen!.ref });
    const staged = await b.call('exchange.import.open', { bundleRef: handed.bundleRef! });
    // The upload references stay at home: no operation carries one.
    expect(JSON.stringify(staged.operations)).not.toMatch(/contentRef|uploadId/);
    expect(staged.attachments).toHaveLength(bundle.attachments);
    for (const part of staged.attachments) {
      const content = await downloadBytes(b.call, {
        kind: 'staged-attachment',
        bundleRef: handed.bundleRef!,
        name: part.name,
      });
      const original = file.attachments.find((x) => x.id === part.recordId)!;
      expect(content.bytes.equals(Buffer.from(original.contentBase64, 'base64'))).toBe(true);
    }
  });

  it('refuses to seal an attachment whose upload does not match its record', async () => {
    const a = await agency('mismatch-a');
    const b = await agency('mismatch-b');
    await pair(a, b);
    const { file } = caseFor(a.id, b.id);
    const ref = await uploadBytes(a.call, Buffer.from('not the attachment'), 'attachment');
    // Every attachment points at the wrong bytes (whichever the policy releases).
    const attachments = file.attachments.map(({ contentBase64: _c, ...record }) => ({
      ...record,
      contentRef: ref,
    }));
    await expect(
      a.call('exchange.export.seal', {
        partnerIds: [b.id],
        caseFile: { ...file, attachments },
        delivery: 'file',
      }),
    ).rejects.toThrow(/does not match its size and SHA-256/);
    // The web host has no dialog.
    await expect(a.call('files.chooseImport', {})).rejects.toMatchObject({ code: 'no-dialog' });
  });
});
