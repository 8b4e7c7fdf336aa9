/**
 * The loopback web host: the same renderer and the same service contract as the desktop app, for
 * machines where Electron cannot run. It listens on 127.0.0.1 only and serves two things:
 *
 *   - the built renderer (dist/renderer) as static files, with the app's CSP and no directory
 *     traversal (decoded paths are resolved and must stay inside the static folder, symlinks too);
 *   - `/rpc`, a WebSocket carrying `{ id, method, input }` → `{ id, ok, result | error }` through
 *     the contract's `dispatch`.
 *
 * Other local pages and programs must not drive the services, so the WebSocket upgrade needs both
 * a per-run random token (handed to the user in the URL fragment, which browsers never send to a
 * server or put in a Referer) and an Origin equal to the host's own. The Host header is checked on
 * every request as well, which defeats DNS rebinding.
 *
 * Nothing a client sends may stop the host or let it grow without bound (issue 8, finding 5). The
 * defaults are in limits.ts (each overridable through `options.limits`, for tests):
 *   - every socket, WebSocket and server has an `error` handler; a protocol error (invalid UTF-8,
 *     an unmasked or RSV-flagged frame, a reserved opcode, a bad close code, a length over the cap)
 *     closes only that connection, with the RFC 6455 code ws chose (1002, 1007, 1009);
 *   - a message is at most 32 MiB, refused on its frame header before the payload is kept, in at
 *     most 1024 fragments; compression is off (no inflation bombs); UTF-8 is validated;
 *   - at most 16 `/rpc` connections (then HTTP 503) and 64 TCP sockets;
 *   - per connection, at most 32 requests in flight and a token bucket of 200 messages a second
 *     (burst 400): over the first, a `busy` reply; over the second, close 1008;
 *   - across connections, at most 64 MiB of requests being processed and answers not yet written
 *     out: over it, a `busy` reply without running the request (messages still arriving are
 *     bounded by the connection cap times the message cap);
 *   - a ping every 30 s: a connection that answered neither it nor anything else is dropped;
 *     HTTP requests must send their headers within 10 s and finish within 30 s (slow-loris);
 *   - envelopes are parsed by `parseRpcRequest` and answered by `answerRpc`, which never throw.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { RawData, ServerOptions, WebSocket } from 'ws';
import type { RpcResponse } from '../../shared/contract/bridge.ts';
import type { ServiceHandlers } from '../../shared/contract/index.ts';
import { CONTENT_SECURITY_POLICY } from '../main/policy.ts';
import { exportsFolderChooser } from '../services/files/filesService.ts';
import { createServiceHandlers, createServices } from '../services/handlers.ts';
import { ByteBudget, DEFAULT_LIMITS, TokenBucket } from './limits.ts';
import type { WebHostLimits } from './limits.ts';
import { answerRpc, BINARY_REFUSED, busyResponse, encodeRpcResponse, requestIdOf } from './rpc.ts';

const LOOPBACK = '127.0.0.1';

export interface WebHostOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly dataDir: string;
  readonly staticDir: string;
  /** Replaces the standard services (tests, or a host with extra wiring). */
  readonly handlers?: ServiceHandlers;
  /** Unlocks the agency identity for partner exchange (from TESSERA_PASSPHRASE). */
  readonly passphrase?: string;
  /** Overrides some of the bounds on clients (tests); see limits.ts for the defaults. */
  readonly limits?: Partial<WebHostLimits>;
  /** Where to report dropped connections and server errors (the CLI passes stderr). */
  readonly log?: (line: string) => void;
  /**
   * Test-only case store switches for the e2e harness (shared/contract/app.ts): accepted only
   * inside the test runner (VITEST set), so no user-reachable start can weaken the store.
   */
  readonly testing?: { readonly fastKdf: boolean; readonly unencryptedStore: boolean };
}

export interface WebHost {
  /** What to open: `http://127.0.0.1:PORT/#token=TOKEN`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, the only Origin accepted on /rpc. */
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  readonly dataDir: string;
  readonly handlers: ServiceHandlers;
  /** The bounds in force. */
  readonly limits: WebHostLimits;
  /** What clients hold now: open `/rpc` connections, and bytes counted against the budget. */
  usage(): { readonly connections: number; readonly bytesHeld: number };
  close(): Promise<void>;
}

/** Per `/rpc` connection. */
interface Connection {
  /** Cleared by each heartbeat; set again by a pong or any message. */
  alive: boolean;
  inFlight: number;
  readonly bucket: TokenBucket;
}

function messageBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function packageVersion(): string {
  try {
    const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(raw) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function sameSecret(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  if (options.testing && process.env.VITEST !== 'true') {
    throw new Error('the test-only case store switches are refused outside the test runner');
  }
  const limits: WebHostLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? (() => undefined);
  const staticRoot = await realpath(resolve(options.staticDir));
  const dataDir = resolve(options.dataDir);
  const token = randomBytes(24).toString('base64url');
  const services = options.handlers
    ? null
    : createServices({
        name: 'Tessera',
        version: packageVersion(),
        carrier: 'web',
        platform: process.platform,
        dataDir,
        chooseSavePath: exportsFolderChooser(dataDir),
        exchange: options.passphrase ? { passphrase: options.passphrase } : {},
        ...(options.testing ? { testing: options.testing } : {}),
      });
  const handlers = options.handlers ?? createServiceHandlers(services!);

  let port = 0;
  const allowedHosts = () => [`${LOOPBACK}:${port}`, `localhost:${port}`];
  const origin = () => `http://${LOOPBACK}:${port}`;

  function send(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    res.end(text);
  }

  async function resolveStatic(pathname: string): Promise<string | null> {
    const candidate = resolve(staticRoot, `.${pathname}`);
    if (!isInside(staticRoot, candidate)) return null;
    try {
      const real = await realpath(candidate);
      if (!isInside(staticRoot, real)) return null;
      const info = await stat(real);
      if (info.isFile()) return real;
      if (info.isDirectory()) {
        const index = resolve(real, 'index.html');
        return (await stat(index)).isFile() ? index : null;
      }
    } catch {
      // missing: the caller decides between 404 and the index.html fallback
    }
    return null;
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().includes(req.headers.host ?? '')) return send(res, 421, 'unexpected Host');
    // One origin only, the one /rpc accepts; the browser keeps the #token fragment across this.
    if (req.headers.host !== `${LOOPBACK}:${port}`) {
      res.writeHead(308, { ...SECURITY_HEADERS, Location: `${origin()}${req.url ?? '/'}` });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', origin()).pathname);
    } catch {
      return send(res, 400, 'bad path');
    }
    if (pathname.includes('\0') || pathname.includes('\\')) return send(res, 400, 'bad path');
    if (!isInside(staticRoot, resolve(staticRoot, `.${pathname}`)))
      return send(res, 403, 'forbidden');
    let file = await resolveStatic(pathname);
    // Client-side routes have no extension; they all get the app shell.
    if (!file && extname(pathname) === '') file = await resolveStatic('/index.html');
    if (!file) return send(res, 404, 'not found');
    const info = await stat(file);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // pipeline, not pipe: a read error (the file went away) or a client that hung up must end in
    // a destroyed response, not in an 'error' event nobody listens to.
    pipeline(createReadStream(file), res, () => undefined);
  }

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks those two timeouts on this period (30 s by default, longer than they are).
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, Math.floor(limits.headersTimeoutMs / 2)),
      ),
    },
    (req, res) => {
      serveStatic(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, 'internal error');
        else res.destroy();
      });
    },
  );
  server.maxConnections = limits.maxSockets;
  server.on('error', (error) => log(`web host: server error (${errorCode(error)})`));

  // closeTimeout is in ws 8.23 but not yet in its type definitions.
  const wsOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    maxFragments: limits.maxFragments,
    perMessageDeflate: false,
    skipUTF8Validation: false,
    closeTimeout: limits.closeTimeoutMs,
  };
  const wss = new WebSocketServer(wsOptions);
  wss.on('error', (error) => log(`web host: WebSocket server error (${errorCode(error)})`));
  const budget = new ByteBudget(limits.memoryBudgetBytes);
  const connections = new WeakMap<WebSocket, Connection>();

  function refuse(socket: Duplex, status: string): void {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // From here on the http server no longer watches this socket; a reset during a refusal
    // would otherwise be an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin());
    } catch {
      return refuse(socket, '400 Bad Request');
    }
    if (url.pathname !== '/rpc') return refuse(socket, '404 Not Found');
    if (!allowedHosts().includes(req.headers.host ?? '')) return refuse(socket, '403 Forbidden');
    if (req.headers.origin !== origin()) return refuse(socket, '403 Forbidden');
    if (!sameSecret(url.searchParams.get('token'), token)) return refuse(socket, '403 Forbidden');
    if (wss.clients.size >= limits.maxConnections) return refuse(socket, '503 Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const connection: Connection = {
      alive: true,
      inFlight: 0,
      bucket: new TokenBucket(limits.messagesPerSecond, limits.messageBurst),
    };
    connections.set(ws, connection);
    // ws has already answered a protocol error with its close code and is closing the connection;
    // without this listener the 'error' event would throw and end the process.
    ws.on('error', (error) => log(`web host: dropped an /rpc connection (${errorCode(error)})`));
    ws.on('pong', () => (connection.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      onMessage(ws, connection, data, isBinary);
    });
  });

  function onMessage(ws: WebSocket, connection: Connection, data: RawData, isBinary: boolean) {
    if (ws.readyState !== ws.OPEN) return;
    connection.alive = true;
    if (!connection.bucket.take()) {
      ws.close(1008, 'rate limit exceeded');
      return;
    }
    if (isBinary) return reply(ws, BINARY_REFUSED, 0);
    const bytes = messageBytes(data);
    const text = messageText(data);
    if (connection.inFlight >= limits.maxInFlightPerConnection)
      return reply(ws, busyResponse(requestIdOf(text), 'too many requests in flight'), 0);
    if (!budget.tryReserve(bytes))
      return reply(ws, busyResponse(requestIdOf(text), 'too much data being processed'), 0);
    connection.inFlight += 1;
    void answerRpc(handlers, text).then((response) => {
      connection.inFlight -= 1;
      reply(ws, response, bytes);
    });
  }

  /** Sends an answer; `held` bytes of the budget (and the answer's own) are freed once it is out. */
  function reply(ws: WebSocket, response: RpcResponse, held: number): void {
    const text = encodeRpcResponse(response);
    if (ws.readyState !== ws.OPEN) {
      budget.release(held);
      return;
    }
    budget.force(text.length);
    ws.send(text, () => budget.release(held + text.length));
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      const connection = connections.get(ws);
      if (!connection) continue;
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }, limits.heartbeatIntervalMs);
  heartbeat.unref();

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `${origin()}/#token=${token}`,
    origin: origin(),
    token,
    port,
    dataDir,
    handlers,
    limits,
    usage: () => ({ connections: wss.clients.size, bytesHeld: budget.used }),
    close() {
      closing ??= new Promise<void>((done) => {
        clearInterval(heartbeat);
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      }).then(() => services?.exchange.close());
      return closing;
    },
  };
}
