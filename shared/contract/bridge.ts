/**
 * What crosses a carrier. Both the Electron preload and the loopback web host answer every call with
 * a `ServiceReply` envelope instead of throwing, because neither IPC nor contextBridge nor JSON keeps
 * an error's class or code; the renderer's client turns a failure back into a `ServiceError`.
 */
import type { MethodName } from './contract.ts';
import { ServiceError } from './dispatch.ts';

export type ServiceErrorCode = ServiceError['code'] | 'forbidden' | 'disconnected';

export interface ServiceFailure {
  readonly code: ServiceErrorCode;
  readonly message: string;
  /** The handler's own error code for a `failed` call (see ServiceError.reason). */
  readonly reason?: string;
}

export type ServiceReply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: ServiceFailure };

/** The one object the preload exposes as `window.tessera`. */
export interface TesseraBridge {
  invoke(method: MethodName, input: unknown): Promise<ServiceReply>;
}

/** A WebSocket request to the web host (`/rpc`). */
export interface RpcRequest {
  readonly id: number | string;
  readonly method: string;
  readonly input: unknown;
}

/** A WebSocket answer: the reply envelope tagged with the request's id. */
export type RpcResponse = ServiceReply & { readonly id: number | string | null };

export function failureFromError(error: unknown): ServiceFailure {
  if (error instanceof ServiceError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.reason !== undefined ? { reason: error.reason } : {}),
    };
  }
  return { code: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/** Runs a call and never throws: what the carriers send back. */
export async function replyOf(run: () => Promise<unknown>): Promise<ServiceReply> {
  try {
    return { ok: true, result: await run() };
  } catch (error) {
    return { ok: false, error: failureFromError(error) };
  }
}
