/**
 * What crosses a carrier. Both the Electron preload and the loopback web host answer every call with
 * a `ServiceReply` envelope instead of throwing, because neither IPC nor contextBridge nor JSON keeps
 * an error's class or code; the renderer's client turns a failure back into a `ServiceError`.
 *
 * The web host's requests arrive as text from a socket, so `parseRpcRequest` reads them as outside
 * input: it never throws, and whatever it cannot use comes back as a failure envelope carrying the
 * request's id when that id at least was usable (so the caller's pending call fails instead of
 * waiting forever).
 */
import type { CommandId } from './commands.ts';
import type { MethodName } from './contract.ts';
import { ServiceError } from './dispatch.ts';

/**
 * `busy`: the web host is at one of its limits (requests in flight on this connection, or bytes
 * being processed across all connections) and refused the call without running it; trying again
 * later is safe.
 */
export type ServiceErrorCode = ServiceError['code'] | 'forbidden' | 'disconnected' | 'busy';

export interface ServiceFailure {
  readonly code: ServiceErrorCode;
  readonly message: string;
  /** The handler's own error code for a `failed` call (see ServiceError.reason). */
  readonly reason?: string;
}

export type ServiceReply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: ServiceFailure };

/**
 * What the main process may push to the page, unasked. One kind only: `lock` (the system is
 * suspending or its screen locks; issue 10 — the menu's Lock item is a command). A closed list,
 * so the preload forwards nothing else.
 */
export type BridgeEvent = 'lock';
export const BRIDGE_EVENTS: readonly BridgeEvent[] = ['lock'];

/** The one object the preload exposes as `window.tessera`. */
export interface TesseraBridge {
  invoke(method: MethodName, input: unknown): Promise<ServiceReply>;
  /**
   * Calls `listener` with the id of each application-menu command the user picks (only ids in
   * shared/contract/commands.ts pass); returns the function that stops listening.
   */
  onCommand(listener: (id: CommandId) => void): () => void;
  /** Calls `listener` for each event the main process sends; returns the unsubscribe. */
  onEvent(listener: (event: BridgeEvent) => void): () => void;
}

/** A WebSocket request to the web host (`/rpc`). */
export interface RpcRequest {
  readonly id: number | string;
  readonly method: string;
  readonly input: unknown;
}

/** A WebSocket answer: the reply envelope tagged with the request's id. */
export type RpcResponse = ServiceReply & { readonly id: number | string | null };

/** Longest string id and method name accepted (the renderer sends small integers). */
export const MAX_RPC_ID_LENGTH = 128;
export const MAX_RPC_METHOD_LENGTH = 128;

export type RpcId = RpcRequest['id'];

/** What `parseRpcRequest` makes of a text: a request to dispatch, or the answer to send instead. */
export type ParsedRpcRequest =
  | { readonly ok: true; readonly request: RpcRequest }
  | { readonly ok: false; readonly id: RpcId | null; readonly error: ServiceFailure };

function isRpcId(value: unknown): value is RpcId {
  return (
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && value.length <= MAX_RPC_ID_LENGTH)
  );
}

/** Own properties only: a parsed `{"__proto__": …}` or a polluted prototype must not supply one. */
function own(record: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key)
    ? (record as Record<string, unknown>)[key]
    : undefined;
}

const MALFORMED = 'malformed request: expected { id, method, input }';

/**
 * Reads one `/rpc` text message. Never throws: a text that is not JSON, not an object, or has an
 * unusable id or method becomes `{ ok: false }` with code `invalid-input`. The method name is only
 * checked for shape here; whether it exists, and what its input must be, is `dispatch`'s job.
 */
export function parseRpcRequest(text: string): ParsedRpcRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      id: null,
      error: { code: 'invalid-input', message: `${MALFORMED}: not JSON` },
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, id: null, error: { code: 'invalid-input', message: MALFORMED } };
  const id = own(value, 'id');
  const method = own(value, 'method');
  if (!isRpcId(id))
    return { ok: false, id: null, error: { code: 'invalid-input', message: MALFORMED } };
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_RPC_METHOD_LENGTH)
    return { ok: false, id, error: { code: 'invalid-input', message: MALFORMED } };
  return { ok: true, request: { id, method, input: own(value, 'input') } };
}

/**
 * Never throws, whatever was thrown: a thrown object may have a hostile `toString`, or be a Proxy
 * whose traps throw on `instanceof`.
 */
export function failureFromError(error: unknown): ServiceFailure {
  try {
    if (error instanceof ServiceError) {
      return {
        code: error.code,
        message: String(error.message),
        ...(typeof error.reason === 'string' ? { reason: error.reason } : {}),
      };
    }
    return {
      code: 'failed',
      message: error instanceof Error ? String(error.message) : String(error),
    };
  } catch {
    return { code: 'failed', message: 'the service failed with an unprintable error' };
  }
}

/** Runs a call and never throws: what the carriers send back. */
export async function replyOf(run: () => Promise<unknown>): Promise<ServiceReply> {
  try {
    return { ok: true, result: await run() };
  } catch (error) {
    return { ok: false, error: failureFromError(error) };
  }
}
