/**
 * The bundle opener (bundleOpener.ts) through the service that composes it: every refusal carries
 * a code (issue 9: no branching on wording), is kept for the import list without quoting what the
 * bundle carried, and is logged with what is really known of the bundle, never placeholders.
 */
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleRefKey, type BundleRef } from '../../../shared/contract/refs.ts';
import { serializeOperations } from '../../../shared/exchange/operations.ts';
import { POLICY_VERSION } from '../../../shared/exchange/policy.ts';
import { sealBundle } from '../bundle/index.ts';
import { testProtector } from '../bundle/fixtures/testSupport.ts';
import { IdentityStore } from '../identity/store.ts';
import { uploadBytes } from '../transfer/fixtures/testSupport.ts';
import {
  agencyPair,
  canaryHits,
  pairAgencies,
  releasableCase,
  testAgency,
  trustPartner,
  type TestAgency,
} from './fixtures/testSupport.ts';

const agencies = agencyPair('imp');
let root: string;
let a: TestAgency;
let b: TestAgency;
const CANARY = `CANARY-${crypto.randomBytes(6).toString('hex')}`;

beforeAll(() => {
  ({ root, a, b } = agencies);
});

async function handIn(agency: TestAgency, bytes: Buffer): Promise<BundleRef> {
  const handed = await agency.call('exchange.import.fromFile', {
    ref: await uploadBytes(agency.call, bytes, 'bundle-import', 'in.tessera'),
  });
  return handed.bundleRef!;
}

async function refusal(
  ref: BundleRef,
  agency: TestAgency = b,
): Promise<{ code?: unknown; message?: unknown }> {
  return agency.call('exchange.import.open', { bundleRef: ref }).then(
    () => ({}),
    (error: unknown) => error as { code?: unknown },
  );
}

async function lastReceived(agency: TestAgency = b): Promise<Record<string, unknown>> {
  const log = await agency.call('exchange.log.list', { limit: 20 });
  return log.entries.find((e) => e.type === 'bundle-received')!.data;
}

async function sealedByA(): Promise<Buffer> {
  const sealed = await a.call('exchange.export.seal', {
    partnerIds: [b.id],
    caseFile: releasableCase(a.id, b.id),
    delivery: 'file',
  });
  return readFile(sealed.bundles[0]!.path!);
}

describe('refusals carry codes and real facts', () => {
  it('a replay: code `replay`, logged with the case, sequence and digest it was received as', async () => {
    const bytes = await sealedByA();
    const first = await handIn(b, bytes);
    const staged = await b.call('exchange.import.open', { bundleRef: first });
    await b.call('exchange.import.complete', {
      bundleRef: first,
      acceptedIds: [],
      rejectedIds: ['x'],
    });

    const again = await handIn(b, bytes);
    expect(await refusal(again)).toMatchObject({ code: 'replay' });
    expect(await lastReceived()).toEqual({
      bundleId: staged.bundleId,
      sender: a.id,
      caseId: staged.caseId,
      sequence: staged.sequence,
      digest: staged.bundleDigest,
      outcome: 'replay',
      detail: 'replay',
    });
    const listed = (await b.call('exchange.import.list', {})).items;
    expect(listed.find((i) => bundleRefKey(i.bundleRef) === bundleRefKey(again))?.state).toBe(
      'failed',
    );
    expect(await b.call('exchange.import.discard', { bundleRef: again })).toEqual({
      discarded: true,
    });
  });

  it('operations that do not validate: `invalid-operations`, nothing of them kept or logged', async () => {
    // A pair of its own: the bundle is the first of its chain.
    const sender = await testAgency(root, 'ops-a');
    const receiver = await testAgency(root, 'ops-b');
    await pairAgencies(sender, receiver);
    const identity = await new IdentityStore(
      path.join(sender.dir, 'exchange', 'identity'),
      testProtector(sender.passphrase),
    ).unlock();
    const cardB = (await receiver.call('exchange.identity.card', {})).card;
    const file = releasableCase(sender.id, receiver.id);
    const entity = file.entities[0]!;
    // A property named after the canary with a value of the wrong type: the parser's message
    // quotes the property's path, so the message must not be what is kept.
    const bad = { ...entity, properties: { ...entity.properties, [CANARY]: [5] } };
    const text = serializeOperations(file.case.id, [
      { op: 'create', record: file.case },
      { op: 'create', record: bad as unknown as typeof entity },
    ]);
    const out = path.join(root, 'bad.tessera');
    const sealed = await sealBundle({
      identity,
      recipients: [cardB],
      manifestFields: {
        caseId: file.case.id,
        policyVersion: POLICY_VERSION,
        chain: { [receiver.id]: { sequence: 1, previousBundleDigest: null } },
      },
      operations: Buffer.from(text),
      out,
    });
    const ref = await handIn(receiver, await readFile(out));
    const error = await refusal(ref, receiver);
    expect(error).toMatchObject({ code: 'invalid-operations' });
    // The officer sees the parser's words in the answer ...
    expect(String(error.message)).toContain(CANARY);
    // ... but the failure kept and the log hold the code only, with the manifest's facts.
    const item = (await receiver.call('exchange.import.list', {})).items.find(
      (i) => bundleRefKey(i.bundleRef) === bundleRefKey(ref),
    )!;
    expect(item).toMatchObject({
      state: 'failed',
      error: 'the operations in the bundle do not validate',
    });
    expect(await lastReceived(receiver)).toMatchObject({
      bundleId: sealed.bundleId,
      caseId: file.case.id,
      digest: sealed.bundleDigest,
      outcome: 'invalid',
      detail: 'invalid-operations',
    });
    expect(await canaryHits(receiver.dir, CANARY)).toEqual([]);
    await receiver.call('exchange.import.discard', { bundleRef: ref });
    for (const agency of [sender, receiver]) await agency.services.exchange.close();
  });

  it('an unsigned file and a bundle from an unknown sender: `unsigned`, `unknown-sender`', async () => {
    const unsigned = await handIn(b, Buffer.from('age-encryption.org/v1\n-> X25519 abc\n---\n'));
    expect(await refusal(unsigned)).toMatchObject({ code: 'unsigned' });

    const stranger = await testAgency(root, 'imp-c');
    await trustPartner(stranger, b);
    const fromStranger = await stranger.call('exchange.export.seal', {
      partnerIds: [b.id],
      caseFile: releasableCase(stranger.id, b.id),
      delivery: 'file',
    });
    await stranger.services.exchange.close();
    const unknown = await handIn(b, await readFile(fromStranger.bundles[0]!.path!));
    expect(await refusal(unknown)).toMatchObject({ code: 'unknown-sender' });
  });
});
