/**
 * The bridge, and nothing else: one `window.tessera.invoke(method, input)` that forwards contract
 * methods over a single IPC channel, `onCommand` that passes the application menu's commands to
 * the page, and `onEvent` for the few events the main process pushes (the lock request of issue
 * 10: system suspend, screen lock). Runs sandboxed (only `electron`'s renderer modules); the
 * contract table, the command list and the event names are bundled in so unknown names are refused
 * in both directions.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { BRIDGE_EVENTS } from '../../shared/contract/bridge.ts';
import type { BridgeEvent, ServiceReply, TesseraBridge } from '../../shared/contract/bridge.ts';
import { COMMAND_CHANNEL, isCommandId } from '../../shared/contract/commands.ts';
import type { CommandId } from '../../shared/contract/commands.ts';
import { isMethodName } from '../../shared/contract/contract.ts';

/** Mirrors electron/main/lockEvents.ts's EVENT_CHANNEL (the preload imports nothing from main). */
const EVENT_CHANNEL = 'tessera:event';

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
  onEvent(listener: (event: BridgeEvent) => void): () => void {
    const forward = (_event: IpcRendererEvent, name: unknown) => {
      const known = BRIDGE_EVENTS.find((candidate) => candidate === name);
      if (known) listener(known);
    };
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
} satisfies TesseraBridge;

contextBridge.exposeInMainWorld('tessera', api);
