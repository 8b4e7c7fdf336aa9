/**
 * The bridge, and nothing else: one `window.tessera.invoke(method, input)` that forwards contract
 * methods over a single IPC channel. Runs sandboxed (only `electron`'s renderer modules); the
 * contract table is bundled in so unknown names are refused before they reach the main process.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ServiceReply, TesseraBridge } from '../../shared/contract/bridge.ts';
import { isMethodName } from '../../shared/contract/contract.ts';

const api = {
  invoke(method: string, input: unknown): Promise<ServiceReply> {
    if (!isMethodName(method)) {
      return Promise.reject(new Error(`unknown service method: ${String(method).slice(0, 64)}`));
    }
    return ipcRenderer.invoke('tessera:invoke', method, input) as Promise<ServiceReply>;
  },
} satisfies TesseraBridge;

contextBridge.exposeInMainWorld('tessera', api);
