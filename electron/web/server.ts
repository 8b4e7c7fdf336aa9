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
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { replyOf } from '../../shared/contract/bridge.ts';
import type { RpcResponse } from '../../shared/contract/bridge.ts';
import { dispatch } from '../../shared/contract/index.ts';
import type { ServiceHandlers } from '../../shared/contract/index.ts';
import { CONTENT_SECURITY_POLICY } from '../main/policy.ts';
import { exportsFolderChooser } from '../services/files/filesService.ts';
import { createServiceHandlers, createServices } from '../services/handlers.ts';

export const LOOPBACK = '127.0.0.1';
/** Base64 case bundles and chart exports travel in one message. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export interface WebHostOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly dataDir: string;
  readonly staticDir: string;
  /** Replaces the standard services (tests, or a host with extra wiring). */
  readonly handlers?: ServiceHandlers;
  /** Unlocks the agency identity for partner exchange (from TESSERA_PASSPHRASE). */
  readonly passphrase?: string;
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
  close(): Promise<void>;
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

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
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
    createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    serveStatic(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  function refuse(socket: Duplex, status: string): void {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
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
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void answer(ws, isBinary ? null : Buffer.isBuffer(data) ? data.toString('utf8') : null);
    });
  });

  async function answer(ws: WebSocket, text: string | null): Promise<void> {
    let request: unknown;
    try {
      request = text === null ? null : JSON.parse(text);
    } catch {
      request = null;
    }
    const { id, method, input } = (
      typeof request === 'object' && request !== null ? request : {}
    ) as Record<string, unknown>;
    const validId =
      (typeof id === 'number' && Number.isFinite(id)) ||
      (typeof id === 'string' && id.length <= 128);
    let response: RpcResponse;
    if (!validId || typeof method !== 'string') {
      response = {
        id: validId ? id : null,
        ok: false,
        error: {
          code: 'invalid-input',
          message: 'malformed request: expected { id, method, input }',
        },
      };
    } else {
      response = { id, ...(await replyOf(() => dispatch(handlers, method, input))) };
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
  }

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
    close() {
      closing ??= new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      }).then(() => services?.exchange.close());
      return closing;
    },
  };
}
