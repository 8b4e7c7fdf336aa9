/**
 * Server-side half of the contract, shared by the IPC and WebSocket carriers: look the method up,
 * parse the argument, run the handler, parse the result. Anything that fails comes back as a
 * `ServiceError` with a message that is safe to show.
 */
import { contract, isMethodName } from './contract.ts';
import type { ServiceHandlers } from './contract.ts';
import { errorMessage } from '../base/errors.ts';

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    message: string,
    readonly code: 'unknown-method' | 'invalid-input' | 'invalid-output' | 'failed',
    /**
     * For `failed`: the handler's own error code (e.g. a transfer's `too-large`), so the renderer
     * can branch on it; absent when the error had none.
     */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/**
 * A domain error's code, when it has one in the kebab-case the services use. Node's own codes
 * (`ENOENT`…) are left out: they name a system call's failure, not something the UI decides on.
 */
export function reasonOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(code) ? code : undefined;
}

export async function dispatch(
  handlers: ServiceHandlers,
  method: unknown,
  input: unknown,
): Promise<unknown> {
  if (!isMethodName(method)) {
    throw new ServiceError(
      `unknown service method: ${String(method).slice(0, 64)}`,
      'unknown-method',
    );
  }
  const spec = contract[method];
  const parsedInput = spec.input.safeParse(input);
  if (!parsedInput.success) {
    const detail = parsedInput.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || 'argument'}: ${issue.message}`)
      .join('; ');
    throw new ServiceError(`${method}: invalid argument (${detail})`, 'invalid-input');
  }
  const handler = handlers[method] as (value: unknown) => Promise<unknown>;
  let result: unknown;
  try {
    result = await handler(parsedInput.data);
  } catch (error) {
    throw new ServiceError(`${method}: ${errorMessage(error)}`, 'failed', reasonOf(error));
  }
  const parsedOutput = spec.output.safeParse(result);
  if (!parsedOutput.success)
    throw new ServiceError(`${method}: handler returned an invalid result`, 'invalid-output');
  return parsedOutput.data;
}
