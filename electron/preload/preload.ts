/**
 * The bridge, and nothing else: one `window.tessera.invoke(method, input)` that forwards contract
 * methods over a single IPC channel, and `onCommand` that passes the application menu's commands
 * to the page. Runs sandboxed (only `electron`'s renderer modules); the contract table and the
 * command list are bundled in so unknown names are refused in both directions.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { ServiceReply, TesseraBridge } from '../../shared/contract/bridge.ts';
import { COMMAND_CHANNEL, isCommandId } from '../../shared/contract/commands.ts';
import type { CommandId } from '../../shared/contract/commands.ts';
import { isMethodName } from '../../shared/contract/contract.ts';

const api = {
  invoke(method: string, input: unknown): Promise<ServiceReply> {
    if (!isMethodName(method)) {
      return Promise.reject(new Error(`unknown service method: ${String(method).slice(0, 64)}`));
    }
    return ipcRenderer.invoke('tessera:invoke', method, input) as Promise<ServiceReply>;
  },
  onCommand(listener: (id: CommandId) => void): () => void {
    // The page gets the id only, never the IPC event (which would expose the sender).
    const forward = (_event: IpcRendererEvent, id: unknown) => {
      if (isCommandId(id)) listener(id);
    };
    ipcRenderer.on(COMMAND_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(COMMAND_CHANNEL, forward);
    };
  },
} satisfies TesseraBridge;

contextBridge.exposeInMainWorld('tessera', api);
