/**
 * Service handlers for tests and fuzzing of the web host: every contract method routed to one
 * function, so a test decides what each call does (answer, wait, throw) without real services.
 */
import { METHOD_NAMES } from '../../shared/contract/index.ts';
import type { MethodName, ServiceHandlers } from '../../shared/contract/index.ts';

export type StubImplementation = (method: MethodName, input: unknown) => Promise<unknown>;

export function stubHandlers(implementation: StubImplementation): ServiceHandlers {
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of METHOD_NAMES) handlers[method] = (input) => implementation(method, input);
  // Built from METHOD_NAMES, so every method is present; the result types are the stub's business
  // (dispatch parses them against the contract like any handler's).
  return handlers as unknown as ServiceHandlers;
}

export const STUB_APP_INFO = {
  name: 'Tessera',
  version: '0.0.0',
  carrier: 'web',
  platform: 'test',
  dataDir: '/nowhere',
} as const;
