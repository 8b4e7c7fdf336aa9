/**
 * The refusal table for issue 8, finding 5 ("Any WebSocket protocol error kills the web host"): the
 * real web host (`electron/web/cli.ts`, the entry `npm run web` starts) runs as a child process so a
 * crash is observed instead of taking vitest down, and each attack from the issue is sent over a raw
 * TCP socket after a valid upgrade. After every attack the process must still be alive and a fresh,
 * well-behaved connection must still get a correct answer; the memory attacks also read the child's
 * peak resident set (VmHWM in /proc/PID/status).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RpcResponse } from '../../shared/contract/bridge.ts';
import {
  closeFrame,
  encodeFrame,
  OPCODE,
  openRawRpc,
  textFrame,
} from './fixtures/hostileClient.ts';
import type { RawRpcSocket, RawTarget } from './fixtures/hostileClient.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1024 * 1024;

let root: string;
let child: ChildProcess;
let target: RawTarget;
let stderr = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-hostile-'));
  const site = join(root, 'site');
  await mkdir(site);
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Tessera</title>');
  const env = { ...process.env };
  delete env.TESSERA_PASSPHRASE;
  delete env.TESSERA_PORT;
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'electron', 'web', 'cli.ts'),
      '--port',
      '0',
      '--data',
      join(root, 'data'),
      '--static',
      site,
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Tessera web host: (\S+)/.exec(out);
      if (match) resolve(new URL(match[1]!));
    });
    child.once('exit', (code) => reject(new Error(`web host exited (${code}): ${stderr}`)));
  });
  target = {
    port: Number(url.port),
    token: new URLSearchParams(url.hash.slice(1)).get('token')!,
    origin: url.origin,
  };
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(root, { recursive: true, force: true });
});

async function statusField(field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

function call(ws: WebSocket, message: unknown): Promise<RpcResponse> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as RpcResponse));
    ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
    ws.send(JSON.stringify(message));
  });
}

/** The host is still running and a fresh, valid connection gets a correct `app.info`. */
async function expectStillServing(): Promise<void> {
  expect(child.exitCode, stderr).toBeNull();
  expect(child.signalCode, stderr).toBeNull();
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}/rpc?token=${target.token}`, {
    origin: target.origin,
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  try {
    expect(await call(ws, { id: 1, method: 'app.info', input: {} })).toMatchObject({
      id: 1,
      ok: true,
      result: { name: 'Tessera', carrier: 'web' },
    });
  } finally {
    ws.close();
  }
}

async function attack(bytes: Buffer): Promise<{ code: number | null; raw: RawRpcSocket }> {
  const raw = await openRawRpc(target);
  await raw.write(bytes);
  const code = await raw.closed();
  raw.destroy();
  return { code, raw };
}

const request = (id: number, input: unknown = {}) =>
  JSON.stringify({ id, method: 'app.info', input });

describe('web host under attack (issue 8, finding 5): the process survives', () => {
  it('answers a valid request over the raw client (the harness itself works)', async () => {
    const raw = await openRawRpc(target);
    await raw.write(textFrame(request(7)));
    await expect.poll(() => raw.texts().length).toBe(1);
    expect(JSON.parse(raw.texts()[0]!)).toMatchObject({ id: 7, ok: true });
    raw.destroy();
  });

  it('invalid UTF-8 in a text frame: closed with 1007', async () => {
    const payload = Buffer.concat([Buffer.from('{"id":1,"method":"'), Buffer.from([0xc3, 0x28])]);
    expect((await attack(encodeFrame({ opcode: OPCODE.text, payload }))).code).toBe(1007);
    await expectStillServing();
  });

  it('unmasked frame: closed with 1002', async () => {
    const frame = encodeFrame({
      opcode: OPCODE.text,
      payload: Buffer.from(request(1)),
      masked: false,
    });
    expect((await attack(frame)).code).toBe(1002);
    await expectStillServing();
  });

  it('reserved opcode (0x3): closed with 1002', async () => {
    expect((await attack(encodeFrame({ opcode: 0x3, payload: Buffer.from('x') }))).code).toBe(1002);
    await expectStillServing();
  });

  it('RSV1 set without an extension: closed with 1002', async () => {
    const frame = encodeFrame({
      opcode: OPCODE.text,
      payload: Buffer.from(request(1)),
      rsv: 0b100,
    });
    expect((await attack(frame)).code).toBe(1002);
    await expectStillServing();
  });

  it('bad close code (1005, 999): closed with 1002', async () => {
    expect((await attack(closeFrame(1005))).code).toBe(1002);
    expect((await attack(closeFrame(999))).code).toBe(1002);
    await expectStillServing();
  });

  it('oversize length header (2^62): closed with 1009', async () => {
    const frame = encodeFrame({ opcode: OPCODE.text, announcedLength: 2n ** 62n });
    expect((await attack(frame)).code).toBe(1009);
    await expectStillServing();
  });

  it('a well-formed 257 MiB message: refused on its header, before buffering', async () => {
    const before = await statusField('VmRSS');
    const header = encodeFrame({ opcode: OPCODE.text, announcedLength: BigInt(257 * MiB) });
    // The header and the first mebibyte of a valid request; the rest never needs to be sent.
    const start = Buffer.alloc(MiB, 0x20);
    expect((await attack(Buffer.concat([header, start]))).code).toBe(1009);
    expect(await statusField('VmRSS')).toBeLessThan(before + 64 * MiB);
    await expectStillServing();
  });

  it('four 200 MB messages: each refused on its header', async () => {
    const codes = await Promise.all(
      [0, 1, 2, 3].map(() =>
        attack(
          Buffer.concat([
            encodeFrame({ opcode: OPCODE.text, announcedLength: 200_000_000n }),
            Buffer.alloc(4 * MiB, 0x20),
          ]),
        ).then((result) => result.code),
      ),
    );
    expect(codes).toEqual([1009, 1009, 1009, 1009]);
    await expectStillServing();
  });

  it('a burst of large messages under the cap from several connections stays in bounded memory', async () => {
    // Four 30 MB valid exports at once, each on its own connection (the shape of "four 200 MB
    // messages took it to 1.9 GB", under today's per-message cap).
    const content = Buffer.alloc(22 * MiB, 7).toString('base64');
    const sockets = await Promise.all([0, 1, 2, 3].map(() => openRawRpc(target)));
    await Promise.all(
      sockets.map((raw, i) =>
        raw.write(
          textFrame(
            JSON.stringify({
              id: i,
              method: 'files.export',
              input: { suggestedName: `burst-${i}.bin`, contentBase64: content },
            }),
          ),
        ),
      ),
    );
    await expect
      .poll(() => sockets.every((raw) => raw.texts().length === 1), {
        timeout: 30_000,
      })
      .toBe(true);
    const replies = sockets.map((raw) => JSON.parse(raw.texts()[0]!) as RpcResponse);
    for (const raw of sockets) raw.destroy();
    expect(replies.map((reply) => reply.id)).toEqual([0, 1, 2, 3]);
    // Each is either done or refused as busy; nothing is dropped without an answer.
    expect(replies.some((reply) => reply.ok)).toBe(true);
    for (const reply of replies) if (!reply.ok) expect(reply.error.code).toBe('busy');
    // Alone this peaks near 560 MB; under a loaded test run the collector runs later, so the bound
    // keeps some headroom. Without the memory budget the same burst went well past it.
    expect(await statusField('VmHWM')).toBeLessThan(680 * 1000 * 1000);
    await expectStillServing();
  }, 60_000);
});
