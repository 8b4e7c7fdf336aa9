/**
 * The one service contract between the renderer and the Node side. A method is named `domain.verb`
 * and declared with zod schemas for its argument and its result. Electron's `ipcMain.handle`, the web
 * host's WebSocket and the renderer's client are all derived from this table, and both ends parse
 * what crosses (see dispatch.ts and client.ts).
 */
import type { z } from 'zod';
import { appMethods } from './app.ts';
import { exchangeMethods } from './exchange.ts';
import { filesMethods } from './files.ts';
import { keystoreMethods } from './keystore.ts';
import { settingsMethods } from './settings.ts';
import { transferMethods } from './transfer.ts';

export interface MethodSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
}

export const contract = {
  ...appMethods,
  ...settingsMethods,
  ...filesMethods,
  ...transferMethods,
  ...exchangeMethods,
  ...keystoreMethods,
} as const satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

/** What the renderer calls: every method, returning a promise of its parsed result. */
export type ServiceApi = {
  readonly [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>>;
};

/** What the Node side implements: handlers receive already-validated input. */
export type ServiceHandlers = {
  readonly [M in MethodName]: (input: z.output<Contract[M]['input']>) => Promise<MethodOutput<M>>;
};

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}
