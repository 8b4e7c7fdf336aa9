/**
 * The web host's bounds on clients (limits.ts), each tested in-process with small limits and stub
 * handlers so the edge is reached in milliseconds: connection cap, requests in flight, the global
 * memory budget, the message rate, the heartbeat that drops silent clients, and slow-loris HTTP.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RpcResponse } from '../../shared/contract/bridge.ts';
import { encodeFrame, OPCODE, openRawRpc, textFrame } from './fixtures/hostileClient.ts';
import { ByteBudget, TokenBucket } from './limits.ts';
import type { WebHostLimits } from './limits.ts';
import { startWebHost } from './server.ts';
import type { WebHost } from './server.ts';
import { STUB_APP_INFO, stubHandlers } from '../../shared/contract/fixtures/stubHandlers.ts';

let root: string;
let site: string;
const hosts: WebHost[] = [];
const sockets: { close(): void }[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-limits-'));
  site = join(root, 'site');
  await mkdir(site);
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Tessera</title>');
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A gate the stub's `app.info` waits on, so requests stay in flight as long as a test wants. */
function gate() {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open: () => open() };
}

/** A host whose app.info calls `entered` as it starts and answers once `wait` settles. */
async function host(
  limits: Partial<WebHostLimits>,
  wait?: Promise<void>,
  entered?: () => void,
): Promise<WebHost> {
  const started = await startWebHost({
    dataDir: join(root, 'data'),
    staticDir: site,
    limits,
    handlers: stubHandlers(async (method) => {
      if (method !== 'app.info') throw new Error('not stubbed');
      entered?.();
      await wait;
      return STUB_APP_INFO;
    }),
  });
  hosts.push(started);
  return started;
}

function open(h: WebHost): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/rpc?token=${h.token}`, {
      origin: h.origin,
    });
    sockets.push({ close: () => ws.terminate() });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Waits until a new /rpc connection is taken again (a slot freed after the cap was reached). */
async function expectOpensAgain(h: WebHost): Promise<void> {
  await expect
    .poll(async () =>
      open(h).then(
        () => true,
        () => false,
      ),
    )
    .toBe(true);
}

/** Collects every answer a socket gets. */
function answers(ws: WebSocket): RpcResponse[] {
  const got: RpcResponse[] = [];
  ws.on('message', (data: Buffer) => got.push(JSON.parse(data.toString()) as RpcResponse));
  return got;
}

const info = (id: number | string, pad = '') =>
  JSON.stringify({ id, method: 'app.info', input: {}, pad });

describe('TokenBucket', () => {
  it('allows the burst, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 500; // one token back at 2 per second
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now = 60_000; // refills to the burst, not beyond
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('ByteBudget', () => {
  it('refuses a reservation that does not fit, whole', () => {
    const budget = new ByteBudget(10);
    expect(budget.tryReserve(6)).toBe(true);
    expect(budget.tryReserve(5)).toBe(false);
    expect(budget.used).toBe(6);
    budget.force(10);
    expect(budget.tryReserve(1)).toBe(false);
    budget.release(16);
    expect(budget.tryReserve(10)).toBe(true);
  });
});

describe('web host limits', () => {
  it('refuses an /rpc connection over the cap with 503, and takes one again when a slot frees', async () => {
    const h = await host({ maxConnections: 2 });
    const first = await open(h);
    await open(h);
    await expect(open(h)).rejects.toThrow(/503/);
    first.close();
    await expectOpensAgain(h);
  });

  it('answers `busy` (with the id) past the requests in flight of one connection', async () => {
    const wait = gate();
    const h = await host({ maxInFlightPerConnection: 2 }, wait.opened);
    const ws = await open(h);
    const got = answers(ws);
    for (const id of [1, 2, 3]) ws.send(info(id));
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({ id: 3, ok: false, error: { code: 'busy' } });
    wait.open();
    await expect.poll(() => got.length).toBe(3);
    expect(got.slice(1)).toMatchObject([
      { id: 1, ok: true },
      { id: 2, ok: true },
    ]);
    ws.send(info(4));
    await expect.poll(() => got.length).toBe(4);
    expect(got[3]).toMatchObject({ id: 4, ok: true });
  });

  it('answers `busy` past the memory budget shared by all connections, and frees it after', async () => {
    const wait = gate();
    const running = gate();
    const h = await host({ memoryBudgetBytes: 4096 }, wait.opened, running.open);
    const a = await open(h);
    const b = await open(h);
    const gotA = answers(a);
    const gotB = answers(b);
    a.send(info('a', 'x'.repeat(3000)));
    // a's handler runs, so a's bytes are held: b arrives after that by construction, not by a sleep.
    await running.opened;
    b.send(info('b', 'x'.repeat(3000)));
    await expect.poll(() => gotB.length).toBe(1);
    expect(gotB[0]).toMatchObject({ id: 'b', ok: false, error: { code: 'busy' } });
    wait.open();
    await expect.poll(() => gotA.length).toBe(1);
    expect(gotA[0]).toMatchObject({ id: 'a', ok: true });
    b.send(info('b2', 'x'.repeat(3000)));
    await expect.poll(() => gotB.length).toBe(2);
    expect(gotB[1]).toMatchObject({ id: 'b2', ok: true });
    await expect.poll(() => h.usage().bytesHeld).toBe(0);
  });

  it('gives the budget back when a client hangs up with requests in flight', async () => {
    const wait = gate();
    const h = await host({ memoryBudgetBytes: 100_000 }, wait.opened);
    const ws = await open(h);
    for (let i = 0; i < 5; i++) ws.send(info(i, 'x'.repeat(10_000)));
    await expect.poll(() => h.usage().bytesHeld).toBeGreaterThan(50_000);
    ws.terminate();
    await expect.poll(() => h.usage().connections).toBe(0);
    wait.open();
    await expect.poll(() => h.usage().bytesHeld).toBe(0);
  });

  it('closes a connection that floods messages past its rate with 1008', async () => {
    const h = await host({ messagesPerSecond: 1, messageBurst: 5 });
    const raw = await openRawRpc({ port: h.port, token: h.token, origin: h.origin });
    sockets.push({ close: () => raw.destroy() });
    await raw.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => textFrame(info(i)))));
    expect(await raw.closed()).toBe(1008);
    const ws = await open(h);
    const got = answers(ws);
    ws.send(info('after'));
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({ id: 'after', ok: true });
  });

  it('refuses a message over the size cap on its header with 1009', async () => {
    const h = await host({ maxMessageBytes: 1024 });
    const raw = await openRawRpc({ port: h.port, token: h.token, origin: h.origin });
    sockets.push({ close: () => raw.destroy() });
    await raw.write(encodeFrame({ opcode: OPCODE.text, announcedLength: 1025n }));
    expect(await raw.closed()).toBe(1009);
  });

  it('destroys a connection that does not answer its close frame', async () => {
    const h = await host({ closeTimeoutMs: 200 });
    const raw = await openRawRpc({ port: h.port, token: h.token, origin: h.origin });
    sockets.push({ close: () => raw.destroy() });
    const gone = new Promise((resolve) => raw.socket.once('close', resolve));
    await raw.write(encodeFrame({ opcode: 0x3 }));
    expect(await raw.closed()).toBe(1002);
    // The raw client never sends its own close frame; the host must not wait for it forever.
    const started = Date.now();
    await gone;
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('drops a client that upgrades and then stays silent (no pong)', async () => {
    const h = await host({ heartbeatIntervalMs: 100 });
    // The raw client never answers pings; a real one (ws, browsers) does and stays connected.
    const silent = await openRawRpc({ port: h.port, token: h.token, origin: h.origin });
    sockets.push({ close: () => silent.destroy() });
    const polite = await open(h);
    await silent.closed(3000);
    expect(silent.frames().some((frame) => frame.opcode === OPCODE.ping)).toBe(true);
    expect(polite.readyState).toBe(WebSocket.OPEN);
  });

  it('closes an HTTP connection that never finishes its headers (slow-loris)', async () => {
    const h = await host({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const socket = connectTcp({ host: '127.0.0.1', port: h.port });
    sockets.push({ close: () => socket.destroy() });
    socket.on('error', () => undefined);
    // Read what comes (a 408), so the end of the stream and then 'close' are seen.
    socket.resume();
    socket.write(`GET /rpc?token=${h.token} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('caps the TCP sockets held at once, upgraded or not', async () => {
    const h = await host({ maxSockets: 2 });
    const idle: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = connectTcp({ host: '127.0.0.1', port: h.port });
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      idle.push(socket);
      sockets.push({ close: () => socket.destroy() });
    }
    const extra = connectTcp({ host: '127.0.0.1', port: h.port });
    extra.on('error', () => undefined);
    extra.resume();
    sockets.push({ close: () => extra.destroy() });
    await new Promise((resolve) => extra.once('close', resolve));
    idle[0]!.destroy();
    await expectOpensAgain(h);
  });

  it('answers a binary message with invalid-input and keeps the connection', async () => {
    const h = await host({});
    const ws = await open(h);
    const got = answers(ws);
    ws.send(Buffer.from(info(1)));
    ws.send(info(2));
    await expect.poll(() => got.length).toBe(2);
    expect(got[0]).toMatchObject({ id: null, ok: false, error: { code: 'invalid-input' } });
    expect(got[1]).toMatchObject({ id: 2, ok: true });
  });
});
