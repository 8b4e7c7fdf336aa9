/**
 * The import desk (importDesk.ts) through the service that composes it: files handed in are
 * sorted into bundles (waiting for review, by a tagged reference) and receipts (applied at once);
 * anything else, unknown references and completing what was never opened are refused by code.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BundleRef } from '../../../shared/contract/refs.ts';
import { downloadBytes, uploadBytes } from '../transfer/fixtures/testSupport.ts';
import { agencyPair, releasableCase, type TestAgency } from './fixtures/testSupport.ts';

const agencies = agencyPair('desk');
let a: TestAgency;
let b: TestAgency;

beforeAll(() => {
  ({ a, b } = agencies);
});

describe('ImportDesk', () => {
  it('keeps a bundle handed in for review and sends the receipt back as a file', async () => {
    const sealed = await a.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: releasableCase(a.id, b.id),
      delivery: 'file',
    });
    const handed = await b.call('exchange.import.fromFile', {
      ref: await uploadBytes(
        b.call,
        await readFile(sealed.bundles[0]!.path!),
        'bundle-import',
        'in.tessera',
      ),
    });
    expect(handed).toMatchObject({ kind: 'bundle', bundleRef: { kind: 'handed-in' } });
    const ref = handed.bundleRef!;
    expect((await b.call('exchange.import.list', {})).items).toMatchObject([
      { bundleRef: ref, source: 'file', partnerId: a.id, fileName: 'in.tessera', state: 'pending' },
    ]);
    await b.call('exchange.import.open', { bundleRef: ref });
    expect((await b.call('exchange.import.list', {})).items[0]!.state).toBe('staged');
    const done = await b.call('exchange.import.complete', {
      bundleRef: ref,
      acceptedIds: ['x'],
      rejectedIds: [],
    });
    expect(done).toMatchObject({ receiptStatus: 'applied', queued: false });
    expect(done.receiptExportRef).toEqual({ kind: 'export', name: `${done.bundleId}.receipt` });
    expect((await b.call('exchange.import.list', {})).items).toEqual([]);

    // The receipt, handed in at the sender, is applied at once.
    const receipt = await downloadBytes(b.call, done.receiptExportRef!);
    const applied = await a.call('exchange.import.fromFile', {
      ref: await uploadBytes(a.call, receipt.bytes, 'bundle-import', receipt.fileName),
    });
    expect(applied).toMatchObject({ kind: 'receipt', bundleRef: null });
    expect((await a.call('exchange.status', {})).partners[0]!.unacknowledged).toBe(0);
  });

  it('refuses other files, unknown references and completing what was not opened', async () => {
    await expect(
      b.call('exchange.import.fromFile', {
        ref: await uploadBytes(b.call, Buffer.from('neither'), 'bundle-import', 'x.txt'),
      }),
    ).rejects.toMatchObject({ code: 'not-a-bundle' });
    const missing: BundleRef = { kind: 'handed-in', id: '0123456789abcdef' };
    await expect(b.call('exchange.import.open', { bundleRef: missing })).rejects.toMatchObject({
      code: 'unknown-import',
    });
    const inbox: BundleRef = { kind: 'inbox', transport: '0123456789abcdef', name: 'b.tessera' };
    await expect(b.call('exchange.import.open', { bundleRef: inbox })).rejects.toMatchObject({
      code: 'unknown-import',
    });
    expect(await b.call('exchange.import.discard', { bundleRef: missing })).toEqual({
      discarded: false,
    });
    const pending = await b.call('exchange.import.fromFile', {
      ref: await uploadBytes(b.call, Buffer.from('age-encryption.org/v1\n'), 'bundle-import'),
    });
    await expect(
      b.call('exchange.import.complete', {
        bundleRef: pending.bundleRef!,
        acceptedIds: [],
        rejectedIds: [],
      }),
    ).rejects.toMatchObject({ code: 'not-staged' });
    expect(await b.call('exchange.import.discard', { bundleRef: pending.bundleRef! })).toEqual({
      discarded: true,
    });
  });
});
