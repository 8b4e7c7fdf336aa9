/**
 * The renderer's one way to the Node services. In Electron the preload exposes `window.tessera`;
 * in a browser served by the loopback web host there is a WebSocket to `/rpc` instead. Either way
 * the rest of the renderer gets the same typed `ServiceApi` and never learns which carrier it has.
 *
 * Web carrier: the host prints `http://127.0.0.1:PORT/#token=…`. The token is moved from the
 * fragment into sessionStorage (so a reload still works) and removed from the visible URL. Requests
 * carry increasing ids; a dropped connection fails the calls in flight with a clear error and is
 * re-opened in the background with a growing delay, and any later call reconnects first.
 */
import type {
  RpcResponse,
  ServiceErrorCode,
  ServiceReply,
  TesseraBridge,
} from '../../shared/contract/bridge.ts';
import { createServiceClient } from '../../shared/contract/client.ts';
import type { RawInvoke } from '../../shared/contract/client.ts';
import type { MethodName, ServiceApi } from '../../shared/contract/contract.ts';
import { TRANSFER_CHUNK_BYTES } from '../../shared/contract/transfer.ts';
import type { DownloadRef, UploadPurpose, UploadRef } from '../../shared/contract/transfer.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    readonly tessera?: TesseraBridge;
  }
}

export const TOKEN_STORAGE_KEY = 'tessera.webToken';

/** A failed service call, with the code from the Node side (or `disconnected`/`forbidden` from here). */
export class ServiceCallError extends Error {
  override readonly name = 'ServiceCallError';
  constructor(
    message: string,
    readonly code: ServiceErrorCode,
    /** The service's own code for a `failed` call (e.g. a transfer's `too-large`). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export function unwrapReply(reply: ServiceReply): unknown {
  if (reply.ok) return reply.result;
  throw new ServiceCallError(reply.error.message, reply.error.code, reply.error.reason);
}

/** What the carrier needs of a WebSocket; the DOM's and `ws`'s both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: { data?: unknown }) => void,
  ): void;
}

export interface WebSocketCarrierOptions {
  readonly url: string;
  readonly createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** A call gets no answer within this time: it fails (the host is wedged or gone). */
  readonly callTimeoutMs?: number;
}

export interface WebSocketCarrier {
  readonly invoke: RawInvoke;
  /** Resolves once connected; rejects with a clear error when the host cannot be reached. */
  connect(): Promise<void>;
  /** Stops for good: no reconnects, calls in flight fail. */
  close(): void;
}

const OPEN = 1;

interface Pending {
  readonly method: string;
  readonly resolve: (reply: ServiceReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export function createWebSocketCarrier(options: WebSocketCarrierOptions): WebSocketCarrier {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const baseDelay = options.reconnectDelayMs ?? 250;
  const maxDelay = options.maxReconnectDelayMs ?? 5000;
  const callTimeout = options.callTimeoutMs ?? 10 * 60 * 1000;
  const pending = new Map<number, Pending>();
  let socket: SocketLike | null = null;
  let connecting: Promise<SocketLike> | null = null;
  let nextId = 1;
  let delay = baseDelay;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const unreachable = () =>
    new ServiceCallError(
      'Cannot reach the Tessera web host. Is `npm run web` still running? If it was restarted, open the new address it printed.',
      'disconnected',
    );

  function failAll(error: (method: string) => Error): void {
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      pending.delete(id);
      call.reject(error(call.method));
    }
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      ensureOpen().catch(() => scheduleReconnect());
    }, delay);
    delay = Math.min(delay * 2, maxDelay);
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let response: RpcResponse;
    try {
      response = JSON.parse(data) as RpcResponse;
    } catch {
      return;
    }
    if (typeof response.id !== 'number') return;
    const call = pending.get(response.id);
    if (!call) return;
    pending.delete(response.id);
    clearTimeout(call.timer);
    call.resolve(response);
  }

  function ensureOpen(): Promise<SocketLike> {
    if (closed)
      return Promise.reject(
        new ServiceCallError('the service connection was closed', 'disconnected'),
      );
    if (socket && socket.readyState === OPEN) return Promise.resolve(socket);
    connecting ??= new Promise<SocketLike>((resolve, reject) => {
      let opened = false;
      let candidate: SocketLike;
      try {
        candidate = createSocket(options.url);
      } catch {
        connecting = null;
        reject(unreachable());
        return;
      }
      candidate.addEventListener('open', () => {
        opened = true;
        socket = candidate;
        connecting = null;
        delay = baseDelay;
        resolve(candidate);
      });
      candidate.addEventListener('message', (event) => onMessage(event.data));
      candidate.addEventListener('close', () => {
        if (!opened) {
          connecting = null;
          reject(unreachable());
          return;
        }
        if (socket === candidate) socket = null;
        failAll(
          (method) =>
            new ServiceCallError(
              `${method}: the connection to the web host was lost`,
              'disconnected',
            ),
        );
        scheduleReconnect();
      });
      // 'error' is always followed by 'close', which does the work.
      candidate.addEventListener('error', () => undefined);
    });
    return connecting;
  }

  /**
   * A call that joins a connection attempt already under way (a background reconnect started
   * while the host was down) gets one fresh attempt of its own if that one fails: the host may
   * be back by now.
   */
  async function openForCall(): Promise<SocketLike> {
    const joined = connecting !== null;
    try {
      return await ensureOpen();
    } catch (error) {
      if (!joined || closed) throw error;
      return ensureOpen();
    }
  }

  const invoke: RawInvoke = async (method: MethodName, input: unknown) => {
    const open = await openForCall();
    const id = nextId++;
    const reply = await new Promise<ServiceReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ServiceCallError(`${method}: no answer from the web host`, 'disconnected'));
      }, callTimeout);
      pending.set(id, { method, resolve, reject, timer });
      try {
        open.send(JSON.stringify({ id, method, input }));
      } catch {
        pending.delete(id);
        clearTimeout(timer);
        reject(
          new ServiceCallError(
            `${method}: the connection to the web host was lost`,
            'disconnected',
          ),
        );
      }
    });
    return unwrapReply(reply);
  };

  return {
    invoke,
    connect: () => ensureOpen().then(() => undefined),
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      failAll(
        (method) =>
          new ServiceCallError(`${method}: the service connection was closed`, 'disconnected'),
      );
      socket?.close();
      socket = null;
    },
  };
}

export interface TokenEnvironment {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
}

/** Takes the token out of `#token=…` into sessionStorage (keeping other fragment parameters). */
export function takeToken(env: TokenEnvironment): string | null {
  const params = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const fromUrl = params.get('token');
  if (fromUrl) {
    env.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    env.history.replaceState(
      env.history.state,
      '',
      `${env.location.pathname}${env.location.search}${rest ? `#${rest}` : ''}`,
    );
    return fromUrl;
  }
  return env.sessionStorage.getItem(TOKEN_STORAGE_KEY);
}

export function rpcUrl(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/rpc?token=${encodeURIComponent(token)}`;
}

/** The typed services over whichever carrier this page has. */
export async function connectServices(): Promise<ServiceApi> {
  const bridge = window.tessera;
  if (bridge) {
    return createServiceClient(async (method, input) =>
      unwrapReply(await bridge.invoke(method, input)),
    );
  }
  const token = takeToken(window);
  if (!token) {
    throw new ServiceCallError(
      'No access token in this address. Open the address printed by `npm run web` (it ends in #token=…).',
      'forbidden',
    );
  }
  const carrier = createWebSocketCarrier({ url: rpcUrl(window.location, token) });
  await carrier.connect();
  return createServiceClient(carrier.invoke);
}

// ---------------------------------------------------------------------------------------------
// Large files: chunked upload and download (issue 8, finding 6). No message carries a whole file,
// and an upload never holds more than one piece of it in memory (as bytes and as base64).

/** Bytes moved so far of `total`. */
export interface TransferProgress {
  readonly done: number;
  readonly total: number;
}
export type OnTransferProgress = (progress: TransferProgress) => void;

type UploadApi = Pick<
  ServiceApi,
  | 'transfer.upload.begin'
  | 'transfer.upload.chunk'
  | 'transfer.upload.finish'
  | 'transfer.upload.cancel'
>;
type DownloadApi = Pick<
  ServiceApi,
  'transfer.download.begin' | 'transfer.download.chunk' | 'transfer.download.cancel'
>;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface UploadOptions {
  /** Defaults to the File's name. */
  readonly fileName?: string;
  /** Checked by the service at finish (lowercase hex). */
  readonly sha256?: string;
  readonly signal?: AbortSignal;
}

/**
 * Uploads `blob` in pieces of TRANSFER_CHUNK_BYTES, reading one slice at a time, and returns the
 * reference to hand to the consuming method. On any failure the upload is cancelled on the Node
 * side and the error (a ServiceCallError whose `reason` is the transfer code) is thrown.
 */
export async function uploadBlob(
  client: UploadApi,
  blob: Blob,
  purpose: UploadPurpose,
  onProgress?: OnTransferProgress,
  options: UploadOptions = {},
): Promise<UploadRef> {
  const named = (blob as { readonly name?: unknown }).name;
  const fileName = options.fileName ?? (typeof named === 'string' ? named : '');
  const { uploadId, chunkBytes } = await client['transfer.upload.begin']({
    purpose,
    // The contract takes a plain name of at most 255 characters.
    fileName: fileName.replace(/[\\/\0]/g, '_').slice(0, 255) || 'upload',
    size: blob.size,
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
  });
  const step = Math.min(chunkBytes, TRANSFER_CHUNK_BYTES);
  try {
    onProgress?.({ done: 0, total: blob.size });
    for (let offset = 0; offset < blob.size; offset += step) {
      options.signal?.throwIfAborted();
      const piece = new Uint8Array(await blob.slice(offset, offset + step).arrayBuffer());
      const { received } = await client['transfer.upload.chunk']({
        uploadId,
        offset,
        contentBase64: bytesToBase64(piece),
      });
      onProgress?.({ done: received, total: blob.size });
    }
    const { ref } = await client['transfer.upload.finish']({ uploadId });
    return ref;
  } catch (error) {
    await client['transfer.upload.cancel']({ uploadId }).catch(() => undefined);
    throw error;
  }
}

export interface DownloadedBlob {
  readonly blob: Blob;
  readonly fileName: string;
  /** As recorded by the source (staged attachments), else null. */
  readonly sha256: string | null;
}

/**
 * Downloads the file behind `ref` piece by piece and reassembles it as a Blob (for a browser
 * download or the attachment store). The download is cancelled on the Node side on failure.
 */
export async function downloadToBlob(
  client: DownloadApi,
  ref: DownloadRef,
  onProgress?: OnTransferProgress,
  options: { readonly type?: string; readonly signal?: AbortSignal } = {},
): Promise<DownloadedBlob> {
  const started = await client['transfer.download.begin']({ ref });
  const { downloadId, size, fileName, sha256 } = started;
  const step = Math.min(started.chunkBytes, TRANSFER_CHUNK_BYTES);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  try {
    onProgress?.({ done: 0, total: size });
    while (offset < size) {
      options.signal?.throwIfAborted();
      const piece = await client['transfer.download.chunk']({ downloadId, offset, length: step });
      const bytes = base64ToBytes(piece.contentBase64);
      if (bytes.length === 0 && !piece.done) {
        throw new ServiceCallError(
          `${fileName}: the download stopped at ${offset} bytes`,
          'failed',
        );
      }
      parts.push(bytes);
      offset += bytes.length;
      onProgress?.({ done: offset, total: size });
      if (piece.done) break;
    }
    if (offset !== size) {
      throw new ServiceCallError(`${fileName}: ${offset} of ${size} bytes arrived`, 'failed');
    }
  } catch (error) {
    await client['transfer.download.cancel']({ downloadId }).catch(() => undefined);
    throw error;
  }
  // An empty file needs no piece; its download is still open on the Node side.
  if (size === 0) await client['transfer.download.cancel']({ downloadId }).catch(() => undefined);
  return {
    blob: new Blob(parts, { type: options.type ?? 'application/octet-stream' }),
    fileName,
    sha256,
  };
}

/** True in Electron, where the main process can open a native file dialog (files.chooseImport). */
export function hasNativeFileDialog(): boolean {
  return typeof window !== 'undefined' && window.tessera !== undefined;
}
