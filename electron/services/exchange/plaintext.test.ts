/**
 * Issue 10, the Node side: staged bundles, receipts, the exchange log's payloads, state and
 * temporary files hold no plaintext case content. A canary goes into the case's title and
 * reference, an entity's name, a note and an attachment's file name and bytes; two agencies run
 * a sealed export (transport and file delivery), an import with a receipt back by both routes, a
 * refused replay and a restart; then every file under both data directories is searched for the
 * canary (name, and bytes in UTF-8, Latin-1 and UTF-16LE). The only plaintext files are the ones
 * the user saves explicitly (outside the data directory).
 */
import crypto from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { downloadBytes, uploadBytes } from '../transfer/fixtures/testSupport.ts';
import {
  canaryHits,
  pairAgencies,
  releasableCase,
  testAgency,
  type TestAgency,
} from './fixtures/testSupport.ts';

const CANARY = `CANARY-${crypto.randomBytes(6).toString('hex')}`;

let root: string;
const agencies: TestAgency[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-plaintext-'));
});

afterAll(async () => {
  for (const agency of agencies) await agency.services.exchange.close();
  await rm(root, { recursive: true, force: true });
});

function canaryCase(owner: string, partner: string): CaseFile {
  const file = releasableCase(owner, partner);
  const bytes = Buffer.from(`${CANARY} `.repeat(100));
  const [first, ...entities] = file.entities;
  return {
    ...file,
    case: { ...file.case, title: `Case ${CANARY}`, reference: `REF-${CANARY}` },
    entities: [
      { ...first!, properties: { ...first!.properties, name: [`Name ${CANARY}`] } },
      ...entities,
    ],
    notes: file.notes.map((n) => ({ ...n, title: `Note ${CANARY}`, body: `Body ${CANARY}` })),
    attachments: file.attachments.map((a) => ({
      ...a,
      fileName: `${CANARY}.txt`,
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      contentBase64: bytes.toString('base64'),
    })),
  };
}

it('leaves no case content in the clear under either data directory', async () => {
  const a = await testAgency(root, 'plain-a');
  const b = await testAgency(root, 'plain-b');
  agencies.push(a, b);
  const shared = await mkdtemp(path.join(root, 'shared-'));
  await pairAgencies(a, b, shared);
  const file = canaryCase(a.id, b.id);

  // Transport: A seals, B opens, completes; the receipt goes back and A applies it.
  await a.call('exchange.export.seal', {
    partnerIds: [b.id],
    caseFile: file,
    delivery: 'transport',
  });
  await a.call('exchange.sync.now', {});
  await b.call('exchange.sync.now', {});
  const item = (await b.call('exchange.import.list', {})).items[0]!;
  const staged = await b.call('exchange.import.open', { bundleRef: item.bundleRef });
  expect(JSON.stringify(staged.operations)).toContain(CANARY);
  const ids = staged.operations.map((op) => (op.op === 'create' ? op.record.id : op.recordId));
  await b.call('exchange.import.complete', {
    bundleRef: item.bundleRef,
    acceptedIds: ids,
    rejectedIds: [],
  });
  await b.call('exchange.sync.now', {});
  await a.call('exchange.sync.now', {});

  // File delivery: a delta (the title changed), handed in under the name the sealer suggests; its
  // receipt goes to B's exports and is handed back to A. Then the same bundle again: a replay.
  await b.call('exchange.transport.configure', { agencyId: a.id, config: null });
  const changed: CaseFile = {
    ...file,
    case: {
      ...file.case,
      title: `Changed ${CANARY}`,
      updatedAt: file.case.updatedAt.replace(/^\d{4}/, '2025'),
    },
  };
  // As the app sends them: attachments uploaded in pieces first (held encrypted until sealed).
  const attachments = [];
  for (const { contentBase64, ...record } of changed.attachments) {
    const content = Buffer.from(contentBase64, 'base64');
    const ref = await uploadBytes(a.call, content, 'attachment', record.fileName, record.sha256);
    attachments.push({ ...record, contentRef: ref });
  }
  const sealed = await a.call('exchange.export.seal', {
    partnerIds: [b.id],
    caseFile: { ...changed, attachments },
    delivery: 'file',
  });
  const bundle = sealed.bundles[0]!;
  const exported = await downloadBytes(a.call, bundle.exportRef!);
  const handIn = async () =>
    b.call('exchange.import.fromFile', {
      ref: await uploadBytes(b.call, exported.bytes, 'bundle-import', exported.fileName),
    });
  const handed = await handIn();
  const second = await b.call('exchange.import.open', { bundleRef: handed.bundleRef! });
  expect(second.sequence).toBe(2);
  const done = await b.call('exchange.import.complete', {
    bundleRef: handed.bundleRef!,
    acceptedIds: second.operations.map((op) => (op.op === 'create' ? op.record.id : op.recordId)),
    rejectedIds: [],
  });
  const receipt = await downloadBytes(b.call, done.receiptExportRef!);
  const applied = await a.call('exchange.import.fromFile', {
    ref: await uploadBytes(a.call, receipt.bytes, 'bundle-import', receipt.fileName),
  });
  expect(applied.kind).toBe('receipt');
  const again = await handIn();
  await expect(
    b.call('exchange.import.open', { bundleRef: again.bundleRef! }),
  ).rejects.toMatchObject({
    code: 'replay',
  });

  // The canary did travel (to the partner, decrypted in memory) ...
  const log = await b.call('exchange.log.list', { limit: 50 });
  expect(log.entries.some((e) => e.type === 'bundle-received')).toBe(true);
  // ... and nothing under either data directory holds it: not the exported bundle's name, the
  // handed-in file's metadata, the receipts, the log, the state files, or the scratch space.
  const hits = [...(await canaryHits(a.dir, CANARY)), ...(await canaryHits(b.dir, CANARY))];
  expect(hits).toEqual([]);
  expect(bundle.fileName).not.toContain('REF-');
  // The control: the scan finds a canary written in the clear, in each encoding.
  const control = await mkdtemp(path.join(root, 'control-'));
  for (const encoding of ['utf8', 'latin1', 'utf16le'] as const) {
    await writeFile(path.join(control, encoding), Buffer.from(`x ${CANARY} x`, encoding));
  }
  const found = (await canaryHits(control, CANARY)).map((hit) =>
    path.basename(hit.split(' (')[0]!),
  );
  expect(new Set(found)).toEqual(new Set(['utf8', 'latin1', 'utf16le']));
});
