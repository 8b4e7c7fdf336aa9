import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RpcResponse } from '../../shared/contract/bridge.ts';
import { DEFAULT_SETTINGS } from '../../shared/contract/index.ts';
import { CONTENT_SECURITY_POLICY } from '../main/policy.ts';
import { startWebHost } from './server.ts';
import type { WebHost } from './server.ts';

let root: string;
let host: WebHost;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-web-'));
  const site = join(root, 'site');
  await mkdir(join(site, 'assets'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Tessera</title>');
  await writeFile(join(site, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'SECRET');
  await symlink(join(root, 'secret.txt'), join(site, 'link.txt'));
  host = await startWebHost({ port: 0, dataDir: join(root, 'data'), staticDir: site });
});
afterAll(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(
  path: string,
  headers: Record<string, string> = {},
  address = '127.0.0.1',
): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port: host.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, message: unknown): Promise<RpcResponse> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as RpcResponse));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

const rpc = () => `ws://127.0.0.1:${host.port}/rpc?token=${host.token}`;

describe('web host: static files', () => {
  it('listens on 127.0.0.1 and hands out the token in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('is not reachable on other interfaces', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info && info.family === 'IPv4' && !info.internal);
    if (!external) return;
    await expect(get('/', {}, external.address)).rejects.toThrow();
  });

  it('serves files with their type and the security headers', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    const script = await get('/assets/app.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log(1)');
  });

  it('falls back to index.html for routes, 404 for missing assets', async () => {
    expect((await get('/case/123')).body).toContain('<title>Tessera</title>');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('blocks directory traversal, encoded or through a symlink', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
      '/link.txt',
      '/%00',
    ]) {
      const got = await get(path);
      expect(got.body, path).not.toContain('SECRET');
      expect(got.status, path).toBeGreaterThanOrEqual(400);
    }
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', { Host: `evil.example:${host.port}` })).status).toBe(421);
    const viaLocalhost = await get('/case/1', { Host: `localhost:${host.port}` });
    expect(viaLocalhost.status).toBe(308);
    expect(viaLocalhost.headers.location).toBe(`${host.origin}/case/1`);
  });
});

describe('web host: /rpc', () => {
  it('requires the token', async () => {
    await expect(connect(`ws://127.0.0.1:${host.port}/rpc`, host.origin)).rejects.toThrow(/403/);
    await expect(
      connect(`ws://127.0.0.1:${host.port}/rpc?token=wrong`, host.origin),
    ).rejects.toThrow(/403/);
    await expect(
      connect(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}x`, host.origin),
    ).rejects.toThrow(/403/);
  });

  it('checks the Origin', async () => {
    await expect(connect(rpc(), undefined)).rejects.toThrow(/403/);
    await expect(connect(rpc(), 'http://evil.example')).rejects.toThrow(/403/);
    await expect(connect(rpc(), `http://localhost:${host.port}`)).rejects.toThrow(/403/);
    await expect(connect(rpc(), 'null')).rejects.toThrow(/403/);
  });

  it('round-trips settings through dispatch and persists them', async () => {
    const ws = await connect(rpc(), host.origin);
    try {
      expect(await call(ws, { id: 1, method: 'app.info', input: {} })).toMatchObject({
        id: 1,
        ok: true,
        result: { name: 'Tessera', carrier: 'web', dataDir: host.dataDir },
      });
      expect(await call(ws, { id: 2, method: 'settings.get', input: {} })).toEqual({
        id: 2,
        ok: true,
        result: DEFAULT_SETTINGS,
      });
      const updated = await call(ws, {
        id: 'u',
        method: 'settings.update',
        input: { userName: 'ann' },
      });
      expect(updated).toEqual({
        id: 'u',
        ok: true,
        result: { ...DEFAULT_SETTINGS, userName: 'ann' },
      });
      const onDisk: unknown = JSON.parse(
        await readFile(join(host.dataDir, 'settings.json'), 'utf8'),
      );
      expect(onDisk).toMatchObject({ userName: 'ann' });
    } finally {
      ws.close();
    }
  });

  it('answers bad requests with errors, not by dropping the connection', async () => {
    const ws = await connect(rpc(), host.origin);
    try {
      expect(await call(ws, 'not json')).toMatchObject({
        id: null,
        ok: false,
        error: { code: 'invalid-input' },
      });
      expect(await call(ws, { id: 3, method: 'child_process.exec', input: {} })).toMatchObject({
        id: 3,
        ok: false,
        error: { code: 'unknown-method' },
      });
      expect(
        await call(ws, { id: 4, method: 'settings.update', input: { theme: 'neon' } }),
      ).toMatchObject({
        id: 4,
        ok: false,
        error: { code: 'invalid-input' },
      });
      expect(await call(ws, { id: 5, method: 'app.info', input: {} })).toMatchObject({
        id: 5,
        ok: true,
      });
    } finally {
      ws.close();
    }
  });

  it('saves exports into the data directory', async () => {
    const ws = await connect(rpc(), host.origin);
    try {
      const reply = await call(ws, {
        id: 6,
        method: 'files.export',
        input: {
          suggestedName: 'chart.svg',
          contentBase64: Buffer.from('<svg/>').toString('base64'),
        },
      });
      expect(reply).toEqual({
        id: 6,
        ok: true,
        result: { path: join(host.dataDir, 'exports', 'chart.svg') },
      });
      expect(await readFile(join(host.dataDir, 'exports', 'chart.svg'), 'utf8')).toBe('<svg/>');
    } finally {
      ws.close();
    }
  });
});
