/**
 * Fuzz targets for the web host's WebSocket boundary (issue 8: "a fuzz target for every parser that
 * reads outside input … WebSocket envelope: 10,000 mutated inputs each, 0 crashes, 0 hangs").
 *
 * `fuzzEnvelope` feeds generated and mutated `/rpc` texts to the code behind the socket
 * (`answerRpc`: `parseRpcRequest` + the contract's `dispatch`) with stub handlers that misbehave on
 * purpose (throw non-errors, return cycles and BigInts). A crash is any of: a rejection or a hang
 * (no answer within `HANG_MS`), an answer that cannot be encoded or is not a well-formed
 * `RpcResponse`, or a polluted `Object.prototype` afterwards.
 *
 * `fuzzFrames` mutates whole WebSocket frames (bit flips, lying lengths, truncation, junk) and sends
 * them over real sockets to an in-process host; a crash is the host failing to answer a well-formed
 * request afterwards, or an exception escaping to the process.
 *
 * Both are deterministic for a seed and return counts; `npm run fuzz` runs them at full size, the
 * unit tests at a small one. On a busy 2-core machine 10,000 envelopes take about 20 s and 1,000
 * frame sequences about 11 s (16 connections at a time).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { METHOD_NAMES } from '../../shared/contract/index.ts';
import { encodeFrame, OPCODE, openRawRpc, textFrame } from './hostileClient.ts';
import { answerRpc, encodeRpcResponse } from './rpc.ts';
import { startWebHost } from './server.ts';
import type { WebHost } from './server.ts';
import { STUB_APP_INFO, stubHandlers } from './stubHandlers.ts';

export interface FuzzResult {
  readonly crashes: number;
  readonly inputs: number;
  /** The first few inputs that crashed, abbreviated, for the report. */
  readonly failures: readonly string[];
}

const HANG_MS = 2000;
const MAX_REPORTED = 5;
const ERROR_CODES = new Set([
  'unknown-method',
  'invalid-input',
  'invalid-output',
  'failed',
  'forbidden',
  'disconnected',
  'busy',
]);

function abbreviate(value: string | Uint8Array): string {
  const text =
    typeof value === 'string' ? JSON.stringify(value) : Buffer.from(value).toString('hex');
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

// ---------------------------------------------------------------------------------------------
// Envelope texts

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const idArbitrary = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(null, true, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.jsonValue({ maxDepth: 2 }),
);

const methodArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METHOD_NAMES) },
  fc.constantFrom('', ...PROTOTYPE_NAMES, 'app.info.', 'APP.INFO', 'app.info\u0000'),
  fc.string({ maxLength: 160 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const inputArbitrary = fc.oneof(
  fc.constant({}),
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom(...PROTOTYPE_NAMES, 'id', 'path', 'name'), fc.jsonValue()),
  fc.record({
    suggestedName: fc.oneof(fc.string(), fc.constantFrom('..', '../x', 'a/b', 'ok.svg')),
    contentBase64: fc.oneof(fc.base64String(), fc.string()),
  }),
);

/** An envelope as JSON text, keys possibly missing or doubled. */
const envelopeArbitrary = fc
  .record({ id: idArbitrary, method: methodArbitrary, input: inputArbitrary }, { requiredKeys: [] })
  .map((value) => JSON.stringify(value));

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete'), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('insert'),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.constantFrom(
        '"',
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        '\\',
        '\\u',
        'null',
        '1e999',
        '"__proto__":',
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('replace'),
    at: fc.nat(),
    text: fc.string({ unit: 'binary', maxLength: 1, minLength: 1 }),
  }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate'),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'delete':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'insert':
        out = out.slice(0, at) + m.text + out.slice(at);
        break;
      case 'replace':
        out = out.slice(0, at) + m.text + out.slice(at + 1);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'duplicate':
        out = out.slice(0, at + m.length) + out.slice(at, at + m.length) + out.slice(at + m.length);
        break;
    }
  }
  return out;
}

const pathologicalArbitrary = fc.oneof(
  fc.integer({ min: 1, max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 50_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc
    .integer({ min: 1, max: 50_000 })
    .map((n) => `{"id":1,"method":"app.info","input":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.constantFrom(
    '{"__proto__":{"polluted":1},"id":1,"method":"app.info","input":{}}',
    '{"id":1,"method":"settings.update","input":{"__proto__":{"polluted":1}}}',
    '{"id":1,"method":"settings.update","input":{"constructor":{"prototype":{"polluted":1}}}}',
    '{"id":"\\ud800","method":"app.info","input":{}}',
    `{"id":${'9'.repeat(400)},"method":"app.info"}`,
    '{"id":1,"id":2,"method":"app.info","method":"x","input":{}}',
    '',
    ' ',
    '\u0000',
    '\ufeff{"id":1,"method":"app.info","input":{}}',
  ),
);

/** What a socket text can be: envelopes, mutated envelopes, any string, any bytes read as UTF-8. */
export const rpcTextArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: envelopeArbitrary },
  {
    weight: 4,
    arbitrary: fc
      .tuple(envelopeArbitrary, fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }))
      .map(([text, mutations]) => mutate(text, mutations)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 300 })
      .map((bytes) => Buffer.from(bytes).toString('utf8')),
  },
  { weight: 1, arbitrary: pathologicalArbitrary },
);

/** Handlers that do what a buggy service might: throw anything, return what JSON cannot carry. */
function misbehavingHandlers(seed: number) {
  let turn = seed >>> 0;
  const cyclic: Record<string, unknown> = { name: 'Tessera' };
  cyclic.self = cyclic;
  const hostile = {
    toString() {
      throw new Error('hostile toString');
    },
  };
  const misbehave = (method: string, input: unknown): unknown => {
    turn = (Math.imul(turn, 1103515245) + 12345) >>> 0;
    switch (turn % 8) {
      case 0:
        return method === 'app.info' ? STUB_APP_INFO : input;
      case 1:
        throw new Error(`${method} failed`);
      case 2:
        // A service (or a library under it) may throw anything at all.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw hostile;
      case 3:
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw undefined;
      case 4:
        return cyclic;
      case 5:
        return { value: 10n };
      case 6:
        return undefined;
      default:
        return input;
    }
  };
  // Rejections, as a real async handler produces them (not synchronous throws).
  return stubHandlers((method, input) => Promise.resolve().then(() => misbehave(method, input)));
}

function isWellFormedResponse(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const idOk =
    r.id === null ||
    typeof r.id === 'string' ||
    (typeof r.id === 'number' && Number.isFinite(r.id));
  if (!idOk || typeof r.ok !== 'boolean') return false;
  if (r.ok) return 'result' in r || r.result === undefined;
  const error = r.error as Record<string, unknown> | undefined;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    ERROR_CODES.has(error.code) &&
    typeof error.message === 'string'
  );
}

function prototypePolluted(): boolean {
  return Object.getOwnPropertyNames(Object.prototype).some(
    (name) =>
      ![
        'constructor',
        '__defineGetter__',
        '__defineSetter__',
        'hasOwnProperty',
        '__lookupGetter__',
        '__lookupSetter__',
        'isPrototypeOf',
        'propertyIsEnumerable',
        'toString',
        'valueOf',
        '__proto__',
        'toLocaleString',
      ].includes(name),
  );
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | 'hang'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'hang'>(
    (resolve) => (timer = setTimeout(() => resolve('hang'), ms)),
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why one text crashed the boundary, or null when it was answered properly. */
async function envelopeFailure(
  handlers: ReturnType<typeof misbehavingHandlers>,
  text: string,
): Promise<string | null> {
  let answer;
  try {
    answer = await withDeadline(answerRpc(handlers, text), HANG_MS);
  } catch (error) {
    return `answerRpc rejected: ${String(error)}`;
  }
  if (answer === 'hang') return `no answer within ${HANG_MS} ms`;
  let encoded: string;
  try {
    encoded = encodeRpcResponse(answer);
  } catch (error) {
    return `encodeRpcResponse threw: ${String(error)}`;
  }
  if (!isWellFormedResponse(JSON.parse(encoded)))
    return `malformed answer: ${encoded.slice(0, 200)}`;
  if (prototypePolluted()) return 'Object.prototype was polluted';
  return null;
}

/**
 * Runs `count` generated `/rpc` texts through the boundary. Deterministic for a seed.
 * Returns how many crashed (rejected, hung, gave a malformed or unencodable answer, polluted a
 * prototype) out of how many inputs.
 */
export async function fuzzEnvelope(count: number, seed: number): Promise<FuzzResult> {
  const handlers = misbehavingHandlers(seed);
  const texts = fc.sample(rpcTextArbitrary, { seed, numRuns: count });
  let crashes = 0;
  const failures: string[] = [];
  for (const text of texts) {
    const failure = await envelopeFailure(handlers, text);
    if (failure === null) continue;
    crashes += 1;
    if (failures.length < MAX_REPORTED) failures.push(`${failure} ← ${abbreviate(text)}`);
  }
  return { crashes, inputs: texts.length, failures };
}

// ---------------------------------------------------------------------------------------------
// Frames over real sockets

const validRequest = JSON.stringify({ id: 1, method: 'app.info', input: {} });

/** A frame to start from: the frames a client really sends. */
const baseFrameArbitrary: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(textFrame(validRequest)),
  fc.constant(encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from(validRequest) })),
  fc.constant(encodeFrame({ opcode: OPCODE.ping, payload: Buffer.from('hi') })),
  fc.constant(encodeFrame({ opcode: OPCODE.close, payload: Buffer.from([0x03, 0xe8]) })),
  fc.constant(
    Buffer.concat([
      encodeFrame({
        opcode: OPCODE.text,
        payload: Buffer.from(validRequest.slice(0, 10)),
        fin: false,
      }),
      encodeFrame({ opcode: OPCODE.continuation, payload: Buffer.from(validRequest.slice(10)) }),
    ]),
  ),
  fc
    .record({
      opcode: fc.integer({ min: 0, max: 15 }),
      rsv: fc.integer({ min: 0, max: 7 }),
      fin: fc.boolean(),
      masked: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 200 }),
      announcedLength: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
    })
    .map((spec) => encodeFrame(spec)),
);

type FrameMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array };

const frameMutationArbitrary: fc.Arbitrary<FrameMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip'),
    at: fc.integer({ min: 0, max: 15 }),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('set'),
    at: fc.integer({ min: 0, max: 13 }),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
  fc.record({ kind: fc.constant('append'), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

function mutateFrame(frame: Buffer, mutations: readonly FrameMutation[]): Buffer {
  let out = Buffer.from(frame);
  for (const m of mutations) {
    if (m.kind === 'append') {
      out = Buffer.concat([out, m.bytes]);
      continue;
    }
    if (out.length === 0) continue;
    const at = m.at % out.length;
    if (m.kind === 'flip') out[at] = out[at]! ^ (1 << m.bit);
    else if (m.kind === 'set') out[at] = m.value;
    else out = out.subarray(0, at);
  }
  return out;
}

export const frameBytesArbitrary: fc.Arbitrary<Buffer> = fc
  .tuple(baseFrameArbitrary, fc.array(frameMutationArbitrary, { maxLength: 4 }))
  .map(([frame, mutations]) => mutateFrame(frame, mutations));

function askAppInfo(host: WebHost): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}`, {
      origin: host.origin,
    });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 5000);
    ws.on('error', () => done(false));
    ws.on('open', () => ws.send(JSON.stringify({ id: 'probe', method: 'app.info', input: {} })));
    ws.on('message', (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as { id?: unknown; ok?: unknown };
      done(reply.id === 'probe' && reply.ok === true);
    });
  });
}

/** Sends one frame sequence on its own connection and gives the server a moment to react. */
async function sendFrames(host: WebHost, bytes: Buffer, settleMs: number): Promise<void> {
  const raw = await openRawRpc({ port: host.port, token: host.token, origin: host.origin });
  try {
    await raw.write(bytes);
    await raw.closed(settleMs).catch(() => undefined);
  } finally {
    raw.destroy();
  }
}

/**
 * Sends `count` mutated frame sequences, `parallel` connections at a time, to an in-process web
 * host with stub services, and checks after every batch that a well-formed request still gets its
 * answer. Returns how many batches' inputs were followed by a dead host or an escaped exception.
 */
export async function fuzzFrames(
  count: number,
  seed: number,
  { parallel = 16, settleMs = 50 }: { parallel?: number; settleMs?: number } = {},
): Promise<FuzzResult> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-frame-fuzz-'));
  await writeFile(join(root, 'index.html'), '<!doctype html>');
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => escaped.push(error);
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  const host = await startWebHost({
    dataDir: join(root, 'data'),
    staticDir: root,
    handlers: stubHandlers((method) => Promise.resolve(method === 'app.info' ? STUB_APP_INFO : {})),
    // Every fuzz input opens a connection; the rate and heartbeat limits are not what is tested.
    limits: { maxConnections: parallel * 2 },
  });
  const inputs = fc.sample(frameBytesArbitrary, { seed, numRuns: count });
  let crashes = 0;
  const failures: string[] = [];
  try {
    for (let start = 0; start < inputs.length; start += parallel) {
      const batch = inputs.slice(start, start + parallel);
      const before = escaped.length;
      await Promise.all(
        batch.map((bytes) => sendFrames(host, bytes, settleMs).catch(() => undefined)),
      );
      const alive = await askAppInfo(host);
      if (alive && escaped.length === before) continue;
      crashes += batch.length;
      if (failures.length < MAX_REPORTED)
        failures.push(
          `${alive ? `escaped: ${String(escaped[escaped.length - 1])}` : 'host stopped answering'} ← ${batch.map(abbreviate).join(' | ')}`,
        );
      if (!alive) break;
    }
  } finally {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    await host.close();
    await rm(root, { recursive: true, force: true });
  }
  return { crashes, inputs: inputs.length, failures };
}
