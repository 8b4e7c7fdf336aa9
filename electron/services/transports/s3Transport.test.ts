import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3TestServer } from './fixtures/s3TestServer.ts';
import { startS3TestServer } from './fixtures/s3TestServer.ts';
import { MIN_PART_SIZE } from '../../../shared/exchange/transportConfig.ts';
import { S3Transport, s3Error } from './s3Transport.ts';
import type { TransferProgress } from './transport.ts';
import { TransportError } from './transport.ts';
import { expectCreateOnly, expectFetchedFromB, lazyStream } from './fixtures/mailboxChecks.ts';

const MiB = 1024 * 1024;

/** Deterministic pseudo-random bytes, produced lazily so the source is never whole in memory. */
function patternStream(size: number, seed: number): Readable {
  return lazyStream(size, (offset, n) => {
    const chunk = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) chunk.writeUInt32LE(((offset + i) * 2654435761 + seed) >>> 0, i);
    return chunk;
  });
}

async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('S3Transport against s3rver on 127.0.0.1', () => {
  let server: S3TestServer;
  let transport: S3Transport;
  let dir: string;

  beforeAll(async () => {
    server = await startS3TestServer();
    transport = new S3Transport({ ...server.config, partSize: MIN_PART_SIZE });
    dir = await mkdtemp(join(tmpdir(), 'tessera-s3t-'));
  });

  afterAll(async () => {
    transport.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('probes the bucket', async () => {
    expect((await transport.probe()).status).toBe('online');
    const missing = new S3Transport({ ...server.config, bucket: 'no-such-bucket' });
    expect((await missing.probe()).status).toBe('error');
    missing.destroy();
  });

  it('round-trips a small file from a path, lists and acknowledges it', async () => {
    const source = join(dir, 'small.tessera');
    await writeFile(source, 'sealed bytes');
    const put = await transport.put('agency-b', 'b1.tessera', source);
    expect(put).toMatchObject({
      size: 12,
      location: expect.stringContaining('tessera/agency-b/b1.tessera') as string,
    });

    const entries = await transport.list('agency-b');
    expect(entries.map((e) => [e.name, e.size])).toEqual([['b1.tessera', 12]]);
    expect(Date.parse(entries[0]!.modified)).toBeGreaterThan(0);
    await expectFetchedFromB(transport, dir, 'b1.tessera', 'sealed bytes');

    await transport.acknowledge('agency-b', 'b1.tessera');
    expect(await transport.list('agency-b')).toEqual([]);
    // Twice is harmless.
    await transport.acknowledge('agency-b', 'b1.tessera');
  });

  it('refuses to overwrite a name (create-only)', async () => {
    await expectCreateOnly(transport);
    const target = join(dir, 'once.tessera');
    await transport.get('agency-b', 'once.tessera', target);
    expect(await readFile(target, 'utf8')).toBe('first');
  });

  it('streams a 20 MiB object as a multipart upload with progress', async () => {
    const size = 20 * MiB;
    const ups: TransferProgress[] = [];
    await transport.put('agency:b', 'big.tessera', patternStream(size, 7), {
      size,
      onProgress: (p) => ups.push(p),
    });
    // Progress after each 5 MiB part, ending at the total.
    expect(ups.length).toBeGreaterThanOrEqual(5);
    expect(ups.at(-1)).toEqual({ transferred: size, total: size });
    expect(ups.every((p, i) => i === 0 || p.transferred >= ups[i - 1]!.transferred)).toBe(true);

    expect(await transport.list('agency:b')).toEqual([
      expect.objectContaining({ name: 'big.tessera', size }),
    ]);
    const downs: TransferProgress[] = [];
    const target = join(dir, 'big.tessera');
    await transport.get('agency:b', 'big.tessera', target, { onProgress: (p) => downs.push(p) });
    expect(downs.at(-1)).toEqual({ transferred: size, total: size });
    expect(await sha256OfStream(createReadStream(target))).toBe(
      await sha256OfStream(patternStream(size, 7)),
    );
    // Nothing but the final file is left in the destination folder.
    expect((await readdir(dir)).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('refuses a stream shorter than announced and leaves no object', async () => {
    await expect(
      transport.put('agency-b', 'short.tessera', Readable.from([randomBytes(100)]), { size: 200 }),
    ).rejects.toMatchObject({ code: 'size-mismatch' });
    await expect(
      transport.put('agency-b', 'short-mp.tessera', patternStream(6 * MiB, 1), { size: 7 * MiB }),
    ).rejects.toMatchObject({ code: 'size-mismatch' });
    const names = (await transport.list('agency-b')).map((e) => e.name);
    expect(names).not.toContain('short.tessera');
    expect(names).not.toContain('short-mp.tessera');
  });

  it('refuses traversal in names and mailboxes', async () => {
    for (const [mailbox, name] of [
      ['agency-b', '../x.tessera'],
      ['agency-b', 'a/b.tessera'],
      ['..', 'x.tessera'],
      ['a/b', 'x.tessera'],
    ] as const) {
      await expect(transport.put(mailbox, name, Readable.from([]), { size: 0 })).rejects.toThrow(
        TransportError,
      );
    }
  });

  it('reports a missing object as not-found and a dead endpoint as offline', async () => {
    await expect(
      transport.get('agency-b', 'nope.tessera', join(dir, 'nope')),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
    const dead = new S3Transport({
      ...server.config,
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      connectTimeoutMs: 1000,
    });
    expect((await dead.probe()).status).toBe('offline');
    await expect(dead.list('agency-b')).rejects.toMatchObject({ code: 'offline', retryable: true });
    dead.destroy();
  });

  it('maps S3 errors to transport error codes', () => {
    const cases: [unknown, string, boolean][] = [
      [{ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }, 'conflict', false],
      [
        { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } },
        'conflict',
        false,
      ],
      [{ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, 'auth', false],
      [{ name: 'InternalError', $metadata: { httpStatusCode: 503 } }, 'io', true],
      [{ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } }, 'io', false],
      [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'offline', true],
    ];
    for (const [error, code, retryable] of cases) {
      expect(s3Error(error, 'x')).toMatchObject({ code, retryable });
    }
  });
});
