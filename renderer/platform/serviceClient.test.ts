import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServiceClient } from '../../shared/contract/client.ts';
import {
  DEFAULT_SETTINGS,
  TRANSFER_CHUNK_BASE64,
  TRANSFER_CHUNK_BYTES,
} from '../../shared/contract/index.ts';
import type { ServiceApi } from '../../shared/contract/index.ts';
import { startWebHost } from '../../electron/web/server.ts';
import type { WebHost } from '../../electron/web/server.ts';
import {
  createWebSocketCarrier,
  downloadToBlob,
  ServiceCallError,
  takeToken,
  TOKEN_STORAGE_KEY,
  uploadBlob,
} from './serviceClient.ts';
import type { SocketLike, TransferProgress } from './serviceClient.ts';

let root: string;
let host: WebHost;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-client-'));
  await mkdir(join(root, 'site'));
  await writeFile(join(root, 'site', 'index.html'), '<!doctype html>');
  host = await startWebHost({ dataDir: join(root, 'data'), staticDir: join(root, 'site') });
});
afterAll(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

/** What a browser on the host's page would do: `ws` with the page's Origin. */
const socketFrom = (origin: string) => (url: string) =>
  new WebSocket(url, { origin }) as unknown as SocketLike;
const rpcUrl = (h: WebHost, token = h.token) => `ws://127.0.0.1:${h.port}/rpc?token=${token}`;

describe('WebSocket carrier', () => {
  it('gives the typed API over the web host', async () => {
    const carrier = createWebSocketCarrier({
      url: rpcUrl(host),
      createSocket: socketFrom(host.origin),
    });
    await carrier.connect();
    const services = createServiceClient(carrier.invoke);
    const [info, settings] = await Promise.all([
      services['app.info']({}),
      services['settings.get']({}),
    ]);
    expect(info.carrier).toBe('web');
    expect(settings).toEqual(DEFAULT_SETTINGS);
    await expect(services['settings.update']({ theme: 'dark' })).resolves.toMatchObject({
      theme: 'dark',
    });
    await expect(carrier.invoke('app.info', { unexpected: true })).rejects.toMatchObject({
      name: 'ServiceCallError',
      code: 'invalid-input',
    });
    carrier.close();
  });

  it('fails clearly with a wrong token', async () => {
    const carrier = createWebSocketCarrier({
      url: rpcUrl(host, 'stale'),
      createSocket: socketFrom(host.origin),
    });
    const error: unknown = await carrier.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceCallError);
    expect((error as ServiceCallError).message).toMatch(/Cannot reach the Tessera web host/);
    carrier.close();
  });

  it('gives a call its own attempt when the reconnect it joined fails', async () => {
    let attempts = 0;
    const carrier = createWebSocketCarrier({
      url: rpcUrl(host),
      // The first attempt goes to a closed port, as a reconnect started while the host was down.
      createSocket: (url) =>
        socketFrom(host.origin)(attempts++ === 0 ? 'ws://127.0.0.1:1/rpc' : url),
    });
    const background = carrier.connect().catch((error: unknown) => error);
    await expect(carrier.invoke('app.info', {})).resolves.toMatchObject({ carrier: 'web' });
    expect(await background).toBeInstanceOf(ServiceCallError);
    expect(attempts).toBe(2);
    carrier.close();
  });

  it('fails calls in flight when the host goes away, and reconnects when it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-client-re-'));
    let current = await startWebHost({ dataDir: dir, staticDir: join(root, 'site') });
    const { port, origin } = current;
    // A restarted host has a new token (the page would get it from the new URL); the factory
    // stands in for that so the reconnection itself is what is tested.
    const carrier = createWebSocketCarrier({
      url: rpcUrl(current, 'TOKEN'),
      createSocket: (url) => socketFrom(origin)(url.replace('TOKEN', current.token)),
      reconnectDelayMs: 20,
    });
    await carrier.connect();
    await expect(carrier.invoke('app.info', {})).resolves.toMatchObject({ carrier: 'web' });
    const inFlight = carrier.invoke('settings.get', {});
    await current.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'disconnected' });
    await expect(carrier.invoke('app.info', {})).rejects.toMatchObject({ code: 'disconnected' });
    current = await startWebHost({ port, dataDir: dir, staticDir: join(root, 'site') });
    await expect(carrier.invoke('app.info', {})).resolves.toMatchObject({ carrier: 'web' });
    carrier.close();
    await current.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('chunked transfer helpers', () => {
  /** The typed services over the host's WebSocket, recording the size of every request sent. */
  async function connected() {
    const sent: number[] = [];
    const carrier = createWebSocketCarrier({
      url: rpcUrl(host),
      createSocket: (url) => {
        const socket = socketFrom(host.origin)(url);
        const send = socket.send.bind(socket);
        return Object.assign(socket, {
          send(data: string) {
            sent.push(data.length);
            send(data);
          },
        });
      },
    });
    await carrier.connect();
    return { services: createServiceClient(carrier.invoke), carrier, sent };
  }

  it('uploads a Blob in pieces of at most 1 MiB, with progress, over the web host', async () => {
    const { services, carrier, sent } = await connected();
    const bytes = randomBytes(3 * TRANSFER_CHUNK_BYTES + 17);
    const progress: TransferProgress[] = [];
    const ref = await uploadBlob(
      services,
      new Blob([bytes]),
      'bundle-import',
      (p) => progress.push(p),
      { fileName: 'big.tessera', sha256: createHash('sha256').update(bytes).digest('hex') },
    );
    expect(ref.kind).toBe('upload');
    expect(progress.map((p) => p.done)).toEqual([
      0,
      TRANSFER_CHUNK_BYTES,
      2 * TRANSFER_CHUNK_BYTES,
      3 * TRANSFER_CHUNK_BYTES,
      bytes.length,
    ]);
    expect(Math.max(...sent)).toBeLessThan(TRANSFER_CHUNK_BASE64 + 1000);
    await services['transfer.upload.cancel']({ uploadId: ref.uploadId });
    carrier.close();
  });

  it('gives the transfer code as the reason, and cancels the upload on failure', async () => {
    const { services, carrier } = await connected();
    const error: unknown = await uploadBlob(services, new Blob(['abc']), 'attachment', undefined, {
      sha256: '0'.repeat(64),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceCallError);
    expect(error).toMatchObject({ code: 'failed', reason: 'sha256-mismatch' });
    carrier.close();

    const cancelled: string[] = [];
    const failing = {
      'transfer.upload.begin': () =>
        Promise.resolve({ uploadId: `u${'1'.repeat(32)}`, chunkBytes: 4 }),
      'transfer.upload.chunk': () =>
        Promise.reject(new ServiceCallError('disk full', 'failed', 'disk-full')),
      'transfer.upload.finish': () => Promise.reject(new Error('not reached')),
      'transfer.upload.cancel': ({ uploadId }: { uploadId: string }) => {
        cancelled.push(uploadId);
        return Promise.resolve({ cancelled: true });
      },
    } as unknown as ServiceApi;
    await expect(uploadBlob(failing, new Blob(['abcdefgh']), 'attachment')).rejects.toMatchObject({
      reason: 'disk-full',
    });
    expect(cancelled).toEqual([`u${'1'.repeat(32)}`]);
  });

  it('downloads an exported file in pieces into a Blob', async () => {
    const { services, carrier, sent } = await connected();
    const bytes = randomBytes(2 * TRANSFER_CHUNK_BYTES + 99);
    await mkdir(join(root, 'data', 'exports'), { recursive: true });
    await writeFile(join(root, 'data', 'exports', 'case-b-1.tessera'), bytes);
    const progress: number[] = [];
    const file = await downloadToBlob(services, { kind: 'export', name: 'case-b-1.tessera' }, (p) =>
      progress.push(p.done),
    );
    expect(file.fileName).toBe('case-b-1.tessera');
    expect(Buffer.from(await file.blob.arrayBuffer()).equals(bytes)).toBe(true);
    expect(progress).toEqual([0, TRANSFER_CHUNK_BYTES, 2 * TRANSFER_CHUNK_BYTES, bytes.length]);
    expect(Math.max(...sent)).toBeLessThan(1000);
    await expect(
      downloadToBlob(services, { kind: 'export', name: 'missing.tessera' }),
    ).rejects.toThrow(/gone/);
    carrier.close();
  });
});

describe('token handling', () => {
  function environment(hash: string) {
    const store = new Map<string, string>();
    const replaced: string[] = [];
    return {
      replaced,
      store,
      env: {
        location: { hash, pathname: '/', search: '' },
        sessionStorage: {
          getItem: (key: string) => store.get(key) ?? null,
          setItem: (key: string, value: string) => void store.set(key, value),
        },
        history: {
          state: null,
          replaceState: (_s: unknown, _t: string, url?: string | URL | null) =>
            void replaced.push(String(url)),
        },
      },
    };
  }

  it('moves the token from the fragment to sessionStorage and out of the address bar', () => {
    const { env, store, replaced } = environment('#token=abc&view=chart');
    expect(takeToken(env)).toBe('abc');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(replaced).toEqual(['/#view=chart']);
  });

  it('uses the stored token after a reload', () => {
    const { env, store, replaced } = environment('');
    expect(takeToken(env)).toBeNull();
    store.set(TOKEN_STORAGE_KEY, 'kept');
    expect(takeToken(env)).toBe('kept');
    expect(replaced).toEqual([]);
  });
});
