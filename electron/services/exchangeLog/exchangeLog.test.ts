import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEntryInput, LogSigner } from './exchangeLog.ts';
import { ExchangeLog, checkpointPathFor, releaseDecisionEntry, verifyLog } from './exchangeLog.ts';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const signer: LogSigner = (message) => sign(null, message, privateKey);
  return { raw: new Uint8Array(raw), publicKey, signer };
}

const digest = 'ab'.repeat(32);
const sent: LogEntryInput = {
  type: 'bundle-sent',
  data: {
    bundleId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    caseId: 'case1',
    partners: [{ agencyId: 'BKA', sequence: 1 }],
    digest,
    policyVersion: 'tessera-release-policy/1',
    operations: 12,
    attachments: 1,
  },
};
const decision = releaseDecisionEntry('case1', {
  policyVersion: 'tessera-release-policy/1',
  partnerId: 'BKA',
  released: { case: {}, entities: [1, 2], notes: [], attachments: [], notices: [], charts: [] },
  withheld: [{ id: 'pRed' }],
  stripped: [{}],
});
const received: LogEntryInput = {
  type: 'bundle-received',
  data: {
    bundleId: '01JBBBBBBBBBBBBBBBBBBBBBBB',
    caseId: 'case1',
    sender: 'BKA',
    sequence: 1,
    digest,
    outcome: 'applied',
  },
};

let dir: string;
let path: string;
const keys = keyPair();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-log-'));
  path = join(dir, 'exchange-log.jsonl');
  const log = await ExchangeLog.open(path);
  await log.append([decision, sent], keys.signer);
  await log.append([received], keys.signer);
  await log.append(
    [{ type: 'purge', data: { caseId: 'case1', recordIds: ['x'], reason: 'retention ended' } }],
    keys.signer,
  );
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lines(): Promise<string[]> {
  return (await readFile(path, 'utf8')).replace(/\n$/, '').split('\n');
}

async function writeLines(next: string[]): Promise<void> {
  await writeFile(path, next.map((line) => `${line}\n`).join(''));
}

describe('exchange log', () => {
  it('chains entries, signs the head after each exchange and verifies', async () => {
    const all = await lines();
    expect(all.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual([
      'release-decision',
      'bundle-sent',
      'head-signature',
      'bundle-received',
      'head-signature',
      'purge',
    ]);
    expect(JSON.parse(all[0]!)).toMatchObject({
      data: { released: 3, withheld: 1, withheldIds: ['pRed'], strippedProperties: 1 },
    });
    const result = await verifyLog(path, keys.raw);
    expect(result).toMatchObject({ ok: true, entries: 6, signatures: 2, problems: [] });
    const reopened = await ExchangeLog.open(path);
    expect(reopened.length).toBe(6);
    expect(reopened.headHash).toBe(result.head);
  });

  it('accepts the key as base64 or a list (after rotation)', async () => {
    const other = keyPair();
    expect((await verifyLog(path, Buffer.from(keys.raw).toString('base64'))).ok).toBe(true);
    expect((await verifyLog(path, [other.raw, keys.raw])).ok).toBe(true);
    const wrong = await verifyLog(path, other.raw);
    expect(wrong.ok).toBe(false);
    expect(wrong.problems.join('\n')).toMatch(/does not verify/);
  });

  const tamperings: readonly [string, (all: string[]) => string[], RegExp][] = [
    [
      'an edited entry',
      (all) => all.map((l, i) => (i === 1 ? l.replace('"operations":12', '"operations":13') : l)),
      /line 3 does not follow line 2/,
    ],
    [
      'an edited last entry',
      (all) =>
        all.map((l, i) =>
          i === all.length - 1 ? l.replace('retention ended', 'retention ended!') : l,
        ),
      /does not match its signed checkpoint/,
    ],
    ['a deleted entry', (all) => all.filter((_, i) => i !== 3), /sequence|does not follow/],
    ['reordered entries', (all) => [all[1]!, all[0]!, ...all.slice(2)], /sequence|does not follow/],
    [
      'a truncated log',
      (all) => all.slice(0, 3),
      /truncated: the checkpoint covers 6 entries, the file holds 3/,
    ],
    [
      'a forged appended entry',
      (all) => {
        const last = all[all.length - 1]!;
        return [...all, last];
      },
      /not covered by a signature|does not follow/,
    ],
  ];

  it.each(tamperings)('detects %s', async (_name, tamper, message) => {
    await writeLines(tamper(await lines()));
    const result = await verifyLog(path, keys.raw);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(message);
    if (!/forged/.test(_name)) await expect(ExchangeLog.open(path)).rejects.toThrow(/damaged/);
  });

  it('detects a re-hashed chain through the signatures and checkpoint', async () => {
    // A forger without the key rebuilds a consistent chain after an edit: the signatures catch it.
    const { createHash } = await import('node:crypto');
    const all = (await lines()).map((line) => JSON.parse(line) as Record<string, unknown>);
    (all[1]!.data as Record<string, unknown>).operations = 99;
    let prev = '0'.repeat(64);
    const rebuilt = all.map((entry) => {
      const line = JSON.stringify({ ...entry, prev });
      prev = createHash('sha256').update(line).digest('hex');
      return line;
    });
    await writeLines(rebuilt);
    const result = await verifyLog(path, keys.raw);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/signature at line 3 is for another head/);
    expect(result.problems.join('\n')).toMatch(/does not match its signed checkpoint/);
  });

  it('detects a missing or forged checkpoint', async () => {
    await rm(checkpointPathFor(path));
    expect((await verifyLog(path, keys.raw)).problems).toEqual(['the checkpoint file is missing']);
    await writeFile(checkpointPathFor(path), '{"format":"tessera.exchange-log-checkpoint"}');
    expect((await verifyLog(path, keys.raw)).problems).toEqual(['the checkpoint file is damaged']);
  });

  it('refuses invalid entries and keeps appends in order', async () => {
    const log = await ExchangeLog.open(path);
    await expect(
      log.append(
        [{ type: 'purge', data: { caseId: 'bad id!', recordIds: [], reason: '' } }],
        keys.signer,
      ),
    ).rejects.toThrow(/invalid purge/);
    await Promise.all([log.append([sent], keys.signer), log.append([received], keys.signer)]);
    const result = await verifyLog(path, keys.raw);
    expect(result).toMatchObject({ ok: true, entries: 10, signatures: 4 });
  });
});
