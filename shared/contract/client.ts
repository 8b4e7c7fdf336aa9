/**
 * Client-side half of the contract: turns any carrier's `invoke(method, input)` into the typed
 * `ServiceApi`, parsing every result before the renderer sees it.
 */
import { contract, METHOD_NAMES } from './contract.ts';
import type { MethodName, ServiceApi } from './contract.ts';

export type RawInvoke = (method: MethodName, input: unknown) => Promise<unknown>;

export function createServiceClient(invoke: RawInvoke): ServiceApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of METHOD_NAMES) {
    api[method] = async (input: unknown) => {
      const raw = await invoke(method, contract[method].input.parse(input));
      return contract[method].output.parse(raw);
    };
  }
  return api as unknown as ServiceApi;
}
