/**
 * Issue 8, finding 8: opening a bundle leaves no plaintext anywhere it was not asked to go.
 *  - nothing is decrypted before the sender's signature over the ciphertext is checked;
 *  - decrypted parts wait in the scratch space (encrypted under a key in memory), so a `kill -9`
 *    in the middle leaves only ciphertext, which the next start sweeps;
 *  - attachments written to `outDir` are 0600, through partial files that the next open sweeps.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { closeSync, existsSync, openSync, promises as fs, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScratchSpace, sweepScratch } from '../files/scratch.ts';
import { cryptoThreads } from './cryptoWorker.ts';
import { BundleError } from './errors.ts';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency, sealRaw } from './fixtures/testSupport.ts';
import { parseHeader, payloadKey, StreamEncryptor, unwrapX25519 } from './age.ts';
import { exportAgeSecretKey } from '../identity/store.ts';

type Agency = Awaited<ReturnType<typeof makeAgency>>;

const repo = path.resolve(import.meta.dirname, '../../..');
const CANARY = `CANARY-${crypto.randomBytes(8).toString('hex')}`;
const MIB = 1024 * 1024;
let root: string;
let a: Agency;
let b: Agency;
let bundle: string;
let bundle1: string;
let attachment: Buffer;

/** `size` bytes of random data with the canary every 4 KiB, so every fragment of it shows. */
function canaryBytes(size: number): Buffer {
  const data = crypto.randomBytes(size);
  for (let at = 0; at + CANARY.length < size; at += 4096) data.write(CANARY, at, 'utf8');
  return data;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Files under `dirs` whose bytes contain the canary. */
async function canaryHits(...dirs: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const dir of dirs) {
    for (const file of await filesUnder(dir)) {
      const bytes = await fs.readFile(file).catch(() => Buffer.alloc(0));
      if (bytes.includes(CANARY)) hits.push(file);
    }
  }
  return hits;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-open-leaks-'));
  [a, b] = await Promise.all([makeAgency(root, 'Leak A'), makeAgency(root, 'Leak B')]);
  attachment = canaryBytes(20 * MIB);
  bundle = path.join(root, 'canary.tsb');
  await sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'case-canary', policyVersion: 'p' },
    operations: Buffer.from(JSON.stringify({ note: `informant ${CANARY}` })),
    attachments: [{ name: 'photo.bin', bytes: attachment }],
    out: bundle,
  });
  // The same content as format 1 (what bundles sealed before issue 13 are, and what a streamed
  // part still gives): its two-pass open has its own attack.
  bundle1 = path.join(root, 'canary-v1.tsb');
  const sealed1 = await sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'case-canary', policyVersion: 'p' },
    operations: Buffer.from(JSON.stringify({ note: `informant ${CANARY}` })),
    attachments: [
      {
        name: 'photo.bin',
        stream: Readable.from([attachment]),
      },
    ],
    out: bundle1,
  });
  expect(sealed1.format).toBe(1);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await fs.rm(root, { recursive: true, force: true });
});

describe('no plaintext before the signature', () => {
  it('a bundle with a forged outer signature is refused before anything is decrypted', async () => {
    // B's key opens it (B is a recipient) but A never signed this payload.
    const plain = Buffer.from(
      spawnSync('age', ['-d', '-i', '-', bundle], {
        input: `${exportAgeSecretKey(b.identity)}\n`,
        maxBuffer: 64 * MIB,
      }).stdout,
    );
    expect(plain.includes(CANARY)).toBe(true);
    const original = await fs.readFile(bundle);
    // Format 2: the sender's block list and signature stanzas, copied onto a new header.
    const signedPart = parseHeader(original, { maxStanzas: 64, maxBytes: 32 * 1024 }).stanzas.slice(
      -2,
    );
    const forged = path.join(root, 'forged.tsb');
    await sealRaw({
      plaintext: plain,
      recipients: [b.card],
      extraStanzas: signedPart,
      out: forged,
    });

    const decrypt = vi.spyOn(cryptoThreads().cipher, 'open');
    const scratch = await ScratchSpace.create(path.join(root, 'scratch-forged'));
    const create = vi.spyOn(scratch, 'create');
    const outDir = path.join(root, 'out-forged');
    const error = await openBundle(forged, b.identity, a.card, outDir, { scratch }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('bad-signature');
    expect(decrypt).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
    expect(existsSync(outDir)).toBe(false);
    expect(await filesUnder(scratch.dir)).toEqual([]);
    decrypt.mockRestore();
    await scratch.dispose();
  });
});

/**
 * Another valid ciphertext of `source`'s payload, of the same length, that a co-recipient (who
 * knows the file key) can make: the operations' "informant" changed to "INFORMANT".
 */
async function otherCiphertext(source: string): Promise<{ other: Buffer; start: number }> {
  const bytes = await fs.readFile(source);
  const header = parseHeader(bytes, { maxStanzas: 64, maxBytes: 32 * 1024 });
  const fileKey = unwrapX25519(header.stanzas, b.identity.secrets.ageSecret)!;
  const nonce = bytes.subarray(header.length, header.length + 16);
  const plain = Buffer.from(
    spawnSync('age', ['-d', '-i', '-', source], {
      input: `${exportAgeSecretKey(b.identity)}\n`,
      maxBuffer: 64 * MIB,
    }).stdout,
  );
  const at = plain.indexOf('informant');
  plain.write('INFORMANT', at, 'utf8');
  const chunks: Buffer[] = [];
  const encryptor = new StreamEncryptor(payloadKey(fileKey, nonce));
  encryptor.update(plain, chunks);
  encryptor.final(chunks);
  const other = Buffer.concat(chunks);
  expect(other.length).toBe(bytes.length - header.length - 16);
  return { other, start: header.length + 16 };
}

describe('format 2: a ciphertext that is not the signed one', () => {
  it('is refused at its first block, before that block is decrypted, and leaves nothing', async () => {
    // The co-recipient keeps the sender's header (a valid signature over the block list) and
    // puts its own ciphertext under it: block 0 (the operations) no longer matches its hash.
    const file = path.join(root, 'swapped2.tsb');
    await fs.copyFile(bundle, file);
    const { other, start } = await otherCiphertext(bundle);
    await fs.writeFile(file, Buffer.concat([(await fs.readFile(file)).subarray(0, start), other]));
    const scratch = await ScratchSpace.create(path.join(root, 'scratch-swapped2'));
    const outDir = path.join(root, 'out-swapped2');
    const error = await openBundle(file, b.identity, a.card, outDir, { scratch }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('bad-signature');
    // The list check, not the STREAM authentication, refused it: nothing was decrypted first.
    expect((error as BundleError).message).toMatch(/block 0 does not match the sender's signed/);
    expect(existsSync(outDir)).toBe(false);
    expect(await filesUnder(scratch.dir)).toEqual([]);
    await scratch.dispose();
    expect(await canaryHits(root)).toEqual([]);
  });
});

describe('format 1: the file changes between the two passes', () => {
  it('is refused when the decrypted ciphertext is not the one whose signature was checked', async () => {
    // A co-recipient knows the file key and can make another valid ciphertext of the same length:
    // swapped in after the signature pass, it must not be accepted as the sender's.
    const file = path.join(root, 'swapped.tsb');
    await fs.copyFile(bundle1, file);
    const { other, start } = await otherCiphertext(bundle1);

    const threads = cryptoThreads();
    const original = threads.cipherHash.digest.bind(threads.cipherHash);
    // The signature pass ends with the digest of what it hashed: swap the payload in place just
    // then, before the decryption pass reads it.
    const swap = vi.spyOn(threads.cipherHash, 'digest').mockImplementationOnce((id) => {
      const fd = openSync(file, 'r+');
      writeSync(fd, other, 0, other.length, start);
      closeSync(fd);
      return original(id);
    });
    const error = await openBundle(file, b.identity, a.card, path.join(root, 'out-swapped')).catch(
      (e: unknown) => e,
    );
    swap.mockRestore();
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('corrupted');
    expect((error as BundleError).message).toMatch(/changed while it was being opened/);
    expect(existsSync(path.join(root, 'out-swapped'))).toBe(false);
  });
});

describe('decrypted parts at rest', () => {
  it('without outDir the attachments stay encrypted in the scratch space until dispose', async () => {
    const scratch = await ScratchSpace.create(path.join(root, 'scratch-held'));
    const opened = await openBundle(bundle, b.identity, a.card, undefined, { scratch });
    expect(opened.operations.toString('utf8')).toContain(CANARY);
    expect(opened.dir).toBeNull();
    const [held] = opened.attachments;
    expect(held!.path).toBeNull();
    expect(held!.scratchFile!.path.startsWith(scratch.dir)).toBe(true);
    expect((await fs.stat(held!.scratchFile!.path)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(scratch.dir)).mode & 0o777).toBe(0o700);
    expect(await canaryHits(path.join(root, 'scratch-held'))).toEqual([]);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.readAttachment('photo.bin')) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(attachment)).toBe(true);
    await opened.dispose();
    expect(await filesUnder(scratch.dir)).toEqual([]);
    await scratch.dispose();
  });

  it('attachments in outDir are 0600, and partial files of dead processes are swept', async () => {
    const outDir = path.join(root, 'out-modes');
    await fs.mkdir(outDir);
    const stale = path.join(outDir, `.photo.bin.tessera-partial-${deadPid()}`);
    await fs.writeFile(stale, `half of ${CANARY}`);
    const mine = path.join(outDir, `.other.bin.tessera-partial-${process.pid}`);
    await fs.writeFile(mine, 'a live process is writing this');
    const opened = await openBundle(bundle, b.identity, a.card, outDir);
    expect(opened.attachments[0]!.path).toBe(path.join(outDir, 'photo.bin'));
    expect((await fs.stat(path.join(outDir, 'photo.bin'))).mode & 0o777).toBe(0o600);
    expect((await fs.readFile(path.join(outDir, 'photo.bin'))).equals(attachment)).toBe(true);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect((await fs.readdir(outDir)).sort()).toEqual([path.basename(mine), 'photo.bin'].sort());
    await fs.rm(outDir, { recursive: true }); // the kill test below scans all of `root`
  });
});

describe('an attachment that is already in outDir', () => {
  it('is refused, left as it was, and the open leaves no partial file behind', async () => {
    const outDir = path.join(root, 'out-existing');
    await fs.mkdir(outDir);
    await fs.writeFile(path.join(outDir, 'photo.bin'), 'the officer’s own file');
    const error = await openBundle(bundle, b.identity, a.card, outDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('invalid-input');
    expect(await fs.readdir(outDir)).toEqual(['photo.bin']);
    expect(await fs.readFile(path.join(outDir, 'photo.bin'), 'utf8')).toBe(
      'the officer’s own file',
    );
    await fs.rm(outDir, { recursive: true }); // the kill test below scans all of `root`
  });
});

describe('kill -9 in the middle of an open', () => {
  it('leaves no plaintext anywhere, and the next start removes what is left', async () => {
    const tmp = path.join(root, 'child-tmp');
    await fs.mkdir(tmp);
    const url = (file: string) => pathToFileURL(path.join(import.meta.dirname, file)).href;
    // The child opens the bundle again and again (attachments kept in its scratch space, no
    // outDir), so whenever it is killed it is somewhere in the middle of an open.
    const code = `
      const { openBundle } = await import(${JSON.stringify(url('open.ts'))});
      const { testProtector } = await import(${JSON.stringify(url('fixtures/testSupport.ts'))});
      const { IdentityStore } = await import(${JSON.stringify(url('../identity/store.ts'))});
      const identity = await new IdentityStore(${JSON.stringify(b.dir)}, testProtector()).unlock();
      const sender = await new IdentityStore(${JSON.stringify(a.dir)}, testProtector()).loadCard();
      for (;;) {
        const opened = await openBundle(${JSON.stringify(bundle)}, identity, sender);
        await opened.dispose();
      }`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx/esm', '--input-type=module', '-e', code],
      {
        cwd: repo,
        env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const scratchBytes = async (): Promise<number> => {
      let total = 0;
      for (const file of await filesUnder(tmp)) {
        total += await fs.stat(file).then(
          (s) => s.size,
          () => 0,
        );
      }
      return total;
    };
    const deadline = Date.now() + 120_000;
    let seen = 0;
    while ((seen = await scratchBytes()) <= MIB) {
      if (child.exitCode !== null) throw new Error(`the child ended early: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`the child never wrote 1 MiB: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;
    expect(seen).toBeGreaterThan(MIB);
    // (tsx, which runs the child's TypeScript, may keep a cache there too.)
    const ours = async () => (await fs.readdir(tmp)).filter((name) => name.startsWith('.tessera-'));
    expect((await ours()).every((name) => name.startsWith('.tessera-scratch-'))).toBe(true);
    const left = (await filesUnder(tmp)).filter((file) => file.includes('.tessera-scratch-'));
    expect(left.length).toBeGreaterThan(0); // killed halfway: its scratch files are still there
    for (const file of left) {
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    }
    expect(await canaryHits(tmp, root)).toEqual([]);
    // The next start (the exchange service, `tessera bundle open`) sweeps dead processes' folders.
    expect(await sweepScratch(tmp)).toBeGreaterThan(0);
    expect(await ours()).toEqual([]);
  });
});
