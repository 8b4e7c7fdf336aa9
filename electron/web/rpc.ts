/**
 * One `/rpc` message in, one answer out: `parseRpcRequest` reads the envelope, the contract's
 * `dispatch` validates the input and runs the handler. Both steps already turn failures into
 * envelopes; this layer adds the last guarantee the socket code relies on: `answerRpc` never
 * rejects and `encodeRpcResponse` never throws, whatever the text or the handler does, so nothing a
 * client sends can become an unhandled rejection (which ends a Node process).
 */
import { parseRpcRequest, replyOf } from '../../shared/contract/bridge.ts';
import type { RpcId, RpcResponse, ServiceFailure } from '../../shared/contract/bridge.ts';
import { dispatch } from '../../shared/contract/index.ts';
import type { ServiceHandlers } from '../../shared/contract/index.ts';

function failure(id: RpcId | null, error: ServiceFailure): RpcResponse {
  return { id, ok: false, error };
}

/** The answer to a binary frame: the contract is JSON text only. */
export const BINARY_REFUSED: RpcResponse = failure(null, {
  code: 'invalid-input',
  message: 'malformed request: /rpc takes JSON text messages, not binary ones',
});

/** The answer to a request refused at a limit, without running it. */
export function busyResponse(id: RpcId | null, why: string): RpcResponse {
  return failure(id, { code: 'busy', message: `the web host is busy (${why}); try again` });
}

/** The id of a request, for answering it without running it; null when the text has none. */
export function requestIdOf(text: string): RpcId | null {
  const parsed = parseRpcRequest(text);
  return parsed.ok ? parsed.request.id : parsed.id;
}

export async function answerRpc(handlers: ServiceHandlers, text: string): Promise<RpcResponse> {
  let id: RpcId | null = null;
  try {
    const parsed = parseRpcRequest(text);
    if (!parsed.ok) return failure(parsed.id, parsed.error);
    id = parsed.request.id;
    const { method, input } = parsed.request;
    return { id, ...(await replyOf(() => dispatch(handlers, method, input))) };
  } catch {
    // replyOf already catches what dispatch throws; this is the guard for what nobody foresaw.
    return failure(id, { code: 'failed', message: 'internal error' });
  }
}

/** JSON text of an answer; a result JSON cannot carry (a cycle, a BigInt) becomes a failure. */
export function encodeRpcResponse(response: RpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch {
    return JSON.stringify(
      failure(response.id, {
        code: 'invalid-output',
        message: 'the result cannot be sent as JSON',
      }),
    );
  }
}
