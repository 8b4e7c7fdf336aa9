import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, promises as fs, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { armor, Decrypter, Encrypter } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_MANIFEST_FORMAT,
  type IdentityCard,
  MANIFEST_SIGNATURE_CONTEXT,
} from '../../../shared/exchange/bundleFormat.ts';
import { ed25519Sign } from '../identity/keys.ts';
import { exportAgeSecretKey, type UnlockedIdentity } from '../identity/store.ts';
import {
  CHUNK_SIZE,
  parseHeader,
  StreamDecryptor,
  payloadKey,
  unwrapX25519,
  headerMac,
} from './age.ts';
import { CONTAINER_END, MAGIC, PART_END, partHeader, segmentHeader } from './container.ts';
import { BundleError, type BundleErrorCode } from './errors.ts';
import { openBundle, type OpenOptions, verifyBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { expectBundleError, makeAgency, sealRaw } from './fixtures/testSupport.ts';

type Agency = Awaited<ReturnType<typeof makeAgency>>;

let root: string;
let a: Agency;
let b: Agency;
let c: Agency;
let bundle: string;
let bKeyFile: string;
const ops = Buffer.from(JSON.stringify({ hello: 'partner', n: 42 }));
const attachment = crypto.randomBytes(3 * CHUNK_SIZE + 123);

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-bundle-test-'));
  [a, b, c] = await Promise.all([
    makeAgency(root, 'Agency A'),
    makeAgency(root, 'Agency B'),
    makeAgency(root, 'Agency C'),
  ]);
  await fs.writeFile(path.join(root, 'photo.jpg'), attachment);
  bundle = path.join(root, 'a-to-b.tsb');
  await sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: {
      caseId: 'case-1',
      policyVersion: 'policy-3',
      chain: { [b.card.agencyId]: { sequence: 7, previousBundleDigest: 'ab'.repeat(32) } },
    },
    operations: ops,
    attachments: [
      { name: 'photo.jpg', path: path.join(root, 'photo.jpg'), label: 'Photo of the van' },
      { name: 'empty', bytes: new Uint8Array(0) },
    ],
    out: bundle,
  });
  bKeyFile = path.join(root, 'b.key');
  await fs.writeFile(bKeyFile, `${exportAgeSecretKey(b.identity)}\n`);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/**
 * What openBundle may leave behind: its scratch folders (this test process's) in the temporary
 * folder, partial files next to `dir`, and the temporary folders of the single-pass opener.
 */
function leftovers(dir: string): string[] {
  return [
    ...readdirSync(os.tmpdir()).filter((name) =>
      name.startsWith(`.tessera-scratch-${process.pid}-`),
    ),
    ...readdirSync(dir).filter(
      (name) => name.startsWith('.tessera-open-') || name.includes('.tessera-partial-'),
    ),
  ];
}

async function expectRefused(
  file: string,
  opener: UnlockedIdentity,
  sender: IdentityCard,
  codes: BundleErrorCode[],
  message?: RegExp,
  options?: OpenOptions,
) {
  const outDir = path.join(root, `out-${crypto.randomBytes(4).toString('hex')}`);
  const error = await expectBundleError(
    openBundle(file, opener, sender, outDir, options),
    codes,
    message,
  );
  expect(existsSync(outDir)).toBe(false);
  expect(leftovers(root)).toEqual([]);
  return error;
}

describe('seal and open', () => {
  it('opens for the partner with every part intact', async () => {
    const outDir = path.join(root, 'opened-b');
    const opened = await openBundle(bundle, b.identity, a.card, outDir);
    expect(opened.operations.equals(ops)).toBe(true);
    expect(opened.manifest.caseId).toBe('case-1');
    expect(opened.manifest.sender.keyId).toBe(a.card.keyId);
    expect(opened.manifest.recipients).toEqual([
      {
        agencyId: b.card.agencyId,
        keyId: b.card.keyId,
        sequence: 7,
        previousBundleDigest: 'ab'.repeat(32),
      },
    ]);
    expect(opened.attachments.map((x) => [x.name, x.label, x.size])).toEqual([
      ['photo.jpg', 'Photo of the van', attachment.length],
      ['empty', undefined, 0],
    ]);
    expect((await fs.readFile(path.join(outDir, 'photo.jpg'))).equals(attachment)).toBe(true);
    expect(leftovers(root)).toEqual([]);
  });

  it("opens with the sender's own archive key", async () => {
    const opened = await openBundle(bundle, a.identity, a.card);
    expect(opened.operations.equals(ops)).toBe(true);
    expect(opened.dir).toBeNull();
    const chunks: Buffer[] = [];
    for await (const chunk of opened.readAttachment('photo.jpg')) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(attachment)).toBe(true);
    await opened.dispose();
    expect(leftovers(root)).toEqual([]);
  });

  it('verifies without any secret key and yields the same digest as open', async () => {
    const verified = await verifyBundle(bundle, a.card);
    expect(verified.signerKeyId).toBe(a.card.keyId);
    expect(verified.recipientStanzas).toBe(2);
    const opened = await openBundle(bundle, b.identity, a.card);
    expect(opened.bundleDigest).toBe(verified.bundleDigest);
    await opened.dispose();
  });
});

/** Payload sizes at every chunk boundary of age's STREAM: empty, one chunk either side, two. */
const CHUNK_EDGE_SIZES = [
  0,
  1,
  CHUNK_SIZE - 1,
  CHUNK_SIZE,
  CHUNK_SIZE + 1,
  2 * CHUNK_SIZE,
  2 * CHUNK_SIZE + 7,
];

describe('age interoperability', () => {
  it('a Tessera bundle decrypts with `age -d -i` and with the age-encryption library', async () => {
    const plain = execFileSync('age', ['-d', '-i', bKeyFile, bundle]);
    expect(plain.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
    expect(plain.includes(attachment)).toBe(true);
    const decrypter = new Decrypter();
    decrypter.addIdentity(exportAgeSecretKey(b.identity));
    const viaLibrary = await decrypter.decrypt(await fs.readFile(bundle));
    expect(Buffer.from(viaLibrary).equals(plain)).toBe(true);
  });

  it('files encrypted by `age -r` and by the library decrypt with Tessera (all chunk-size edge cases)', async () => {
    for (const size of CHUNK_EDGE_SIZES) {
      const data = crypto.randomBytes(size);
      const input = path.join(root, `plain-${size}`);
      await fs.writeFile(input, data);
      const viaCli = execFileSync('age', ['-r', b.card.ageRecipient, input]);
      const encrypter = new Encrypter();
      encrypter.addRecipient(b.card.ageRecipient);
      const viaLibrary = Buffer.from(await encrypter.encrypt(data));
      for (const file of [viaCli, viaLibrary]) {
        const header = parseHeader(file, { maxStanzas: 64, maxBytes: 32 * 1024 });
        const fileKey = unwrapX25519(header.stanzas, b.identity.secrets.ageSecret);
        expect(fileKey).not.toBeNull();
        expect(headerMac(fileKey!, header.macInput).equals(header.mac)).toBe(true);
        const payload = file.subarray(header.length);
        const decryptor = new StreamDecryptor(
          payloadKey(fileKey!, payload.subarray(0, 16)),
          payload.length - 16,
        );
        const out: Buffer[] = [];
        decryptor.update(payload.subarray(16), out);
        decryptor.final();
        expect(Buffer.concat(out).equals(data)).toBe(true);
      }
    }
  });

  it("Tessera's age encryption decrypts with `age -d` at every chunk-size edge case", async () => {
    for (const size of CHUNK_EDGE_SIZES) {
      const data = crypto.randomBytes(size);
      const file = path.join(root, `tessera-${size}.age`);
      await sealRaw({ plaintext: data, recipients: [c.card, b.card], out: file });
      expect(execFileSync('age', ['-d', '-i', bKeyFile, file]).equals(data)).toBe(true);
    }
  });
});

describe('attacks: each is a clear error and writes nothing', () => {
  it('a flipped byte anywhere (header stanzas, signature, MAC, nonce, payload, last byte)', async () => {
    const original = await fs.readFile(bundle);
    const headerLength = parseHeader(original, { maxStanzas: 64, maxBytes: 32 * 1024 }).length;
    const macPosition = headerLength - 10;
    const positions = [
      30, // first recipient stanza
      headerLength - 120, // signature stanza body
      macPosition,
      headerLength + 3, // payload nonce
      headerLength + 40_000, // first chunk
      headerLength + 150_000, // a middle chunk
      original.length - 1, // last tag byte
    ];
    for (const position of positions) {
      const tampered = Buffer.from(original);
      tampered[position] ^= 0x01;
      const file = path.join(root, 'tampered.tsb');
      await fs.writeFile(file, tampered);
      if (position === macPosition) {
        // The MAC line is the one part of the file the signature cannot cover (it authenticates
        // the signature stanza itself): verification without the key cannot see this flip, but
        // opening does, and nothing about the content can change (docs/bundle-format.md).
        await verifyBundle(file, a.card).catch((e: unknown) =>
          expect(e).toBeInstanceOf(BundleError),
        );
      } else {
        await expectBundleError(verifyBundle(file, a.card), [
          'bad-signature',
          'malformed',
          'corrupted',
        ]);
      }
      await expectRefused(file, b.identity, a.card, ['bad-signature', 'malformed', 'corrupted']);
    }
  });

  it('an armored copy of a valid bundle says armored bundles are not supported', async () => {
    const armored = path.join(root, 'armored.age');
    writeFileSync(armored, armor.encode(readFileSync(bundle)));
    await expectRefused(
      armored,
      b.identity,
      a.card,
      ['unsupported'],
      /armored bundles are not supported/,
    );
  });

  it('a truncated file', async () => {
    const original = await fs.readFile(bundle);
    const headerLength = parseHeader(original, { maxStanzas: 64, maxBytes: 32 * 1024 }).length;
    for (const length of [100, headerLength, headerLength + 16 + 65536 + 16, original.length - 1]) {
      const file = path.join(root, 'truncated.tsb');
      await fs.writeFile(file, original.subarray(0, length));
      await expectBundleError(verifyBundle(file, a.card), [
        'truncated',
        'bad-signature',
        'corrupted',
      ]);
      await expectRefused(file, b.identity, a.card, ['truncated', 'bad-signature', 'corrupted']);
    }
  });

  it('a valid age file re-encrypted by another recipient without the sender signature', async () => {
    const plain = execFileSync('age', ['-d', '-i', bKeyFile, bundle]);
    const input = path.join(root, 'stolen-plain');
    await fs.writeFile(input, plain);
    const reencrypted = path.join(root, 'reencrypted.tsb');
    execFileSync('age', ['-r', c.card.ageRecipient, '-o', reencrypted, input]);
    await expectBundleError(
      verifyBundle(reencrypted, a.card),
      ['unsigned'],
      /no Tessera signature/,
    );
    await expectRefused(reencrypted, c.identity, a.card, ['unsigned']);
    // Copying the sender's signature stanza onto the new header does not help either.
    const original = await fs.readFile(bundle);
    // (Format 2: its block list and signature stanzas.)
    const signedPart = parseHeader(original, { maxStanzas: 64, maxBytes: 32 * 1024 }).stanzas.slice(
      -2,
    );
    const forged = path.join(root, 'forged.tsb');
    await sealRaw({
      plaintext: plain,
      recipients: [c.card],
      extraStanzas: signedPart,
      out: forged,
    });
    await expectBundleError(verifyBundle(forged, a.card), ['bad-signature']);
    await expectRefused(forged, c.identity, a.card, ['bad-signature']);
  });

  it('an unknown signer, and a revoked one', async () => {
    await expectBundleError(verifyBundle(bundle, c.card), ['unknown-signer'], /unknown key/);
    await expectRefused(bundle, b.identity, c.card, ['unknown-signer']);
    const revokedStore = await makeAgency(root, 'Agency R');
    const sealedBeforeRevocation = path.join(root, 'by-r.tsb');
    await sealBundle({
      identity: revokedStore.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'c', policyVersion: 'p' },
      operations: ops,
      out: sealedBeforeRevocation,
    });
    await revokedStore.store.revoke('compromised');
    const revokedCard = await revokedStore.store.loadCard();
    await expectBundleError(
      verifyBundle(sealedBeforeRevocation, revokedCard),
      ['revoked'],
      /revoked \(compromised\)/,
    );
    await expectRefused(sealedBeforeRevocation, b.identity, revokedCard, ['revoked']);
    await expectBundleError(
      verifyBundle(sealedBeforeRevocation, revokedStore.card, {
        revocations: [revokedCard.revocation!],
      }),
      ['revoked'],
    );
  });

  it('a replayed bundle', async () => {
    const seen = new Set<string>();
    const first = await openBundle(bundle, b.identity, a.card, undefined, {
      seenBundleIds: (id) => seen.has(id),
    });
    seen.add(first.bundleId);
    await first.dispose();
    const error = await expectRefused(bundle, b.identity, a.card, ['replay'], /replayed/, {
      seenBundleIds: (id) => seen.has(id),
    });
    // The replay hook uses the id from the signed header.
    expect(error.message).toContain(first.bundleId);
    const again = await openBundle(bundle, b.identity, a.card, undefined, {
      seenBundleIds: () => false,
    });
    await again.dispose();
  });

  it('a bundle for another agency', async () => {
    await expectRefused(
      bundle,
      c.identity,
      a.card,
      ['not-addressed'],
      /this bundle is not addressed to Agency C \(agency-c\)/,
    );
  });

  it('a flood of recipient stanzas is refused before any key work', async () => {
    const flood = Array.from({ length: 100 }, () => ({
      type: 'X25519',
      args: [crypto.randomBytes(32).toString('base64').replace(/=+$/, '')],
      body: crypto.randomBytes(32),
    }));
    const file = path.join(root, 'flood.tsb');
    await sealRaw({
      plaintext: Buffer.from('x'),
      recipients: [b.card],
      extraStanzas: flood,
      signer: a.identity,
      out: file,
    });
    await expectBundleError(verifyBundle(file, a.card), ['too-large'], /more than 64 stanzas/);
    await expectRefused(file, b.identity, a.card, ['too-large']);
  });

  it('a decompression bomb from a signing sender is refused (no compression exists)', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const part = (name: string, data: Buffer) => [
      partHeader(name),
      segmentHeader(data.length),
      data,
      PART_END,
    ];
    const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
    const manifest = Buffer.from(
      JSON.stringify({
        format: BUNDLE_MANIFEST_FORMAT,
        version: BUNDLE_FORMAT_VERSION,
        bundleId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
        createdAt: new Date().toISOString(),
        caseId: 'case-1',
        sender: { agencyId: a.card.agencyId, agencyName: a.card.agencyName, keyId: a.card.keyId },
        recipients: [
          {
            agencyId: b.card.agencyId,
            keyId: b.card.keyId,
            sequence: 1,
            previousBundleDigest: null,
          },
        ],
        hlcRange: null,
        policyVersion: 'p',
        compression: 'gzip',
        parts: [
          { name: 'operations', kind: 'operations', size: ops.length, sha256: sha(ops) },
          { name: 'bomb.gz', kind: 'attachment', size: bomb.length, sha256: sha(bomb) },
        ],
      }),
    );
    const signature = ed25519Sign(
      a.identity.secrets.signingSeed,
      Buffer.concat([Buffer.from(MANIFEST_SIGNATURE_CONTEXT), manifest]),
    );
    const plaintext = Buffer.concat([
      MAGIC,
      ...part('operations', ops),
      ...part('bomb.gz', bomb),
      ...part('manifest.json', manifest),
      ...part('manifest.sig', signature),
      CONTAINER_END,
    ]);
    const file = path.join(root, 'bomb.tsb');
    await sealRaw({ plaintext, recipients: [b.card, a.card], signer: a.identity, out: file });
    await verifyBundle(file, a.card); // authentic: the sender really signed it
    await expectRefused(file, b.identity, a.card, ['manifest'], /compression/);
  });

  it('an oversized segment length is refused before it is buffered', async () => {
    const plaintext = Buffer.concat([
      MAGIC,
      partHeader('operations'),
      segmentHeader(0xffffffff),
      Buffer.alloc(10),
    ]);
    const file = path.join(root, 'huge-segment.tsb');
    await sealRaw({ plaintext, recipients: [b.card, a.card], signer: a.identity, out: file });
    await expectRefused(file, b.identity, a.card, ['too-large']);
  });

  it('a path-traversal part name is refused', async () => {
    const plaintext = Buffer.concat([
      MAGIC,
      ...[partHeader('operations'), PART_END],
      partHeader('../evil'),
      PART_END,
      CONTAINER_END,
    ]);
    const file = path.join(root, 'traversal.tsb');
    await sealRaw({ plaintext, recipients: [b.card, a.card], signer: a.identity, out: file });
    await expectRefused(file, b.identity, a.card, ['malformed'], /invalid part name/);
    expect(existsSync(path.join(root, 'evil'))).toBe(false);
  });
});

describe('age CLI on unknown stanzas', () => {
  it('age ignores the tessera-sig stanza (exit 0)', () => {
    const result = spawnSync('age', ['-d', '-i', bKeyFile, '-o', os.devNull, bundle]);
    expect(result.status).toBe(0);
  });
});
