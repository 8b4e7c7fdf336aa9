/**
 * The refusal table of issue 8: each attack an adversarial review made on the exchange, what it did
 * then, and the refusal Tessera answers with now, tried through the real code. One row per finding;
 * the files named in each row hold the full set of tests for it. A row that starts passing on an
 * attack again is a leak or a crash reintroduced.
 *
 *  #  attack (what it did before)                         refusal now
 *  1  originator-marked record, locally RED/SECRET         stays home, and the edge to it
 *     (went to the originator in full)                     (shared/exchange/policy.findings.test.ts)
 *  2  `bundle seal` with no policy (delivered RED)         no policy-free mode; `--policy-version`
 *                                                          refused (electron/cli/commands/bundle.test.ts)
 *  3  deleted record in a first snapshot (full create)     nothing of it goes; later a bare tombstone,
 *                                                          only to holders (shared/exchange/operations.test.ts)
 *  4  marked data through unmarked fields                  every field has a rule; quotes of withheld
 *     (case note quoting a RED person, ids in text …)      values are found (policy.findings, fuzz/canary)
 *  5  one malformed WebSocket frame (host died)            that connection closed, host answers
 *                                                          (electron/web/hostile.test.ts)
 *  6  1 GiB files as one base64 message                    1 MiB pieces; whole-file base64 refused by
 *                                                          the contract (electron/services/transfer)
 *  7  `import.fromFile {path: '/etc/shadow'}`, /dev/zero   no path in the contract; special files
 *                                                          refused (transferService.test.ts)
 *  8  kill -9 during open: plaintext before the signature  no decryption before the signature
 *                                                          (electron/services/bundle/openLeaks.test.ts)
 *  9  staged bundles decrypted at rest                     staged in an encrypted scratch space
 *                                                          (electron/services/exchange/staging.test.ts)
 * 10  one-character passphrase; TESSERA_SCRYPT_LOGN=14     strength floor; the cost only rises
 *                                                          (shared/exchange/passphrase.test.ts)
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../shared/contract/contract.ts';
import { checkPassphrase } from '../shared/exchange/passphrase.ts';
import { decideRelease, type ReleaseDecision } from '../shared/exchange/policy.ts';
import { initialSyncState } from '../shared/exchange/syncState.ts';
import {
  AGREEMENT,
  entity,
  hlcAt,
  inputOf,
  marks,
  note,
  NOW,
  OWN,
  PARTNER,
} from '../shared/exchange/fixtures/releaseFixtures.ts';
import { bundleCommand } from './cli/commands/bundle.ts';
import { BundleError, openBundle, sealBundle } from './services/bundle/index.ts';
import { makeAgency } from './services/bundle/fixtures/testSupport.ts';
import { planRelease } from './services/exchange/releaseSealer.ts';
import { ScratchSpace } from './services/files/scratch.ts';
import { DEFAULT_SCRYPT, raisedScrypt } from './services/identity/protector.ts';
import { TransferError } from './services/transfer/errors.ts';
import { TransferService } from './services/transfer/index.ts';
import { encodeFrame, OPCODE, openRawRpc, textFrame } from './web/fixtures/hostileClient.ts';
import { startWebHost, type WebHost } from './web/server.ts';
import { STUB_APP_INFO, stubHandlers } from '../shared/contract/fixtures/stubHandlers.ts';

const CANARY = `CANARY-${crypto.randomBytes(6).toString('hex')}`;
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-attacks-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function releasedJson(decision: ReleaseDecision): string {
  return JSON.stringify(decision.released);
}

async function bytesUnder(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await fs.readFile(path.join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

describe('the refusal table of issue 8', () => {
  it('1: a record the partner originated, marked RED and SECRET here, stays home with its edge', () => {
    const person = entity(
      'p1',
      'Person',
      { name: [`Ivan ${CANARY}`] },
      {
        originAgency: PARTNER,
        markings: marks({
          classification: 'SECRET',
          tlp: 'RED',
          referToOriginator: true,
          releasableTo: [PARTNER],
        }),
      },
    );
    const other = entity('p2', 'Person', { name: ['Olga'] });
    const family = entity('f1', 'Family', { person: ['p2'], relative: ['p1'] });
    const decision = decideRelease(inputOf([person, other, family]), AGREEMENT, PARTNER, OWN, {
      now: NOW,
    });
    expect(decision.withheld.map((item) => item.id)).toEqual(expect.arrayContaining(['p1', 'f1']));
    expect(releasedJson(decision)).not.toContain(CANARY);
  });

  it('2: `tessera bundle seal` has no policy-free mode', async () => {
    const code = await bundleCommand.run([
      'seal',
      '--dir',
      root,
      '--to',
      'b.json',
      '--in',
      'case.json',
      '--out',
      'x.tessera',
      '--policy-version',
      'none',
    ]);
    expect(code).toBe(2);
  });

  it('3: a deleted record is not in a first snapshot, not even as a tombstone', () => {
    const deleted = entity(
      'gone',
      'Person',
      { name: [`Deleted ${CANARY}`] },
      { deleted: true, markings: marks({ tlp: 'CLEAR', releasableTo: [PARTNER] }) },
    );
    const plan = planRelease(
      inputOf([deleted]),
      PARTNER,
      AGREEMENT,
      initialSyncState(PARTNER, 'case1'),
      { ownAgencyId: OWN, now: NOW },
    );
    expect(plan.serialized).not.toContain(CANARY);
    expect(plan.serialized).not.toContain('"gone"');
  });

  it('4: a case note quoting a TLP:RED person does not carry the quote', () => {
    const person = entity(
      'p1',
      'Person',
      { name: [`Victim ${CANARY}`] },
      { markings: marks({ tlp: 'RED' }), updatedAt: hlcAt(5) },
    );
    const quoting = note('n1', undefined, {
      body: `Interviewed Victim ${CANARY} on Monday`,
      markings: marks({ tlp: 'GREEN', releasableTo: [PARTNER] }),
    });
    const decision = decideRelease(inputOf([person, quoting]), AGREEMENT, PARTNER, OWN, {
      now: NOW,
    });
    expect(releasedJson(decision)).not.toContain(CANARY);
  });

  describe('5: malformed WebSocket frames', () => {
    let host: WebHost;
    beforeAll(async () => {
      const site = path.join(root, 'site');
      await fs.mkdir(site, { recursive: true });
      await fs.writeFile(path.join(site, 'index.html'), '<!doctype html><title>t</title>');
      host = await startWebHost({
        dataDir: path.join(root, 'web'),
        staticDir: site,
        handlers: stubHandlers((method) =>
          method === 'app.info'
            ? Promise.resolve(STUB_APP_INFO)
            : Promise.reject(new Error('not stubbed')),
        ),
      });
    });
    afterAll(() => host.close());

    const close = (code: number) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      return encodeFrame({ opcode: OPCODE.close, payload });
    };
    it.each([
      [
        'an unmasked frame',
        () => encodeFrame({ opcode: OPCODE.text, payload: Buffer.from('x'), masked: false }),
      ],
      ['a reserved opcode', () => encodeFrame({ opcode: 0x3, payload: Buffer.from('x') })],
      [
        'RSV1 without an extension',
        () => encodeFrame({ opcode: OPCODE.text, payload: Buffer.from('x'), rsv: 0b100 }),
      ],
      [
        'invalid UTF-8',
        () => encodeFrame({ opcode: OPCODE.text, payload: Buffer.from([0xff, 0xfe]) }),
      ],
      ['a bad close code', () => close(999)],
    ])('%s closes that connection and the host still answers', async (_name, frame) => {
      const target = { port: host.port, token: host.token, origin: host.origin };
      const hostile = await openRawRpc(target);
      await hostile.write(frame());
      expect(await hostile.closed()).toBeGreaterThanOrEqual(1002);
      hostile.destroy();
      const fresh = await openRawRpc(target);
      await fresh.write(textFrame(JSON.stringify({ id: 1, method: 'app.info', input: {} })));
      await expect.poll(() => fresh.texts().length).toBe(1);
      expect(JSON.parse(fresh.texts()[0]!)).toMatchObject({ id: 1, ok: true });
      fresh.destroy();
    });
  });

  it('6 and 7: no whole file as base64 and no path reach an import', async () => {
    const importInput = contract['exchange.import.fromFile'].input;
    expect(importInput.safeParse({ fileName: 'x', path: '/etc/shadow' }).success).toBe(false);
    expect(importInput.safeParse({ fileName: 'x', contentBase64: 'AAAA' }).success).toBe(false);
    const transfer = new TransferService({
      dataDir: path.join(root, 'transfer'),
      freeBytes: () => Promise.resolve(Number.MAX_SAFE_INTEGER),
      chooseOpenPath: () => Promise.resolve('/dev/zero'),
    });
    try {
      const { chosen } = await transfer.chooseImport();
      const taken = transfer.takeFile(chosen!.ref, 'bundle-import', path.join(root, 'taken'));
      await expect(taken).rejects.toBeInstanceOf(TransferError);
      await expect(taken).rejects.toMatchObject({ code: 'not-regular-file' });
      await expect(fs.stat(path.join(root, 'taken'))).rejects.toThrow();
    } finally {
      await transfer.close();
    }
  });

  it('8: a bundle whose payload was changed is refused before anything is decrypted', async () => {
    const a = await makeAgency(root, 'Agency A');
    const b = await makeAgency(root, 'Agency B');
    const file = path.join(root, 'bundle.tessera');
    await sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'case-1', policyVersion: 'p' },
      operations: Buffer.from(JSON.stringify({ note: CANARY.repeat(2000) })),
      attachments: [{ name: 'att-000001', bytes: Buffer.from(CANARY.repeat(50_000)) }],
      out: file,
    });
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 100] ^= 1;
    await fs.writeFile(file, bytes);
    const tmp = path.join(root, 'open-tmp');
    await fs.mkdir(tmp);
    const scratch = await ScratchSpace.create(tmp);
    try {
      const opened = openBundle(file, b.identity, a.card, path.join(root, 'out'), { scratch });
      await expect(opened).rejects.toBeInstanceOf(BundleError);
      await expect(opened).rejects.toMatchObject({ code: 'bad-signature' });
      expect((await bytesUnder(tmp)).includes(Buffer.from(CANARY))).toBe(false);
    } finally {
      await scratch.dispose();
    }
  });

  it('9: what is staged is held encrypted, never as plaintext on disk', async () => {
    const staging = path.join(root, 'staging');
    const scratch = await ScratchSpace.create(staging);
    await scratch.write('operations', Buffer.from(CANARY.repeat(1000)));
    expect((await bytesUnder(staging)).includes(Buffer.from(CANARY))).toBe(false);
    expect((await scratch.readAll(scratch.pathOf('operations'))).toString()).toContain(CANARY);
    await scratch.dispose();
  });

  it('10: a one-character passphrase is refused and the KDF cost cannot be lowered', () => {
    expect(checkPassphrase('x').ok).toBe(false);
    expect(checkPassphrase('password1234').ok).toBe(false);
    expect(checkPassphrase('quartz lantern meadow 7 harbour').ok).toBe(true);
    expect(raisedScrypt(14)).toEqual({ params: DEFAULT_SCRYPT, lowered: true });
  });
});
