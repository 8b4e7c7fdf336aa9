/**
 * The bridge, and nothing else: one `window.tessera.invoke(method, input)` that forwards contract
 * methods over a single IPC channel, and one `onEvent(listener)` for the few events the main
 * process pushes (the lock request of issue 10). Runs sandboxed (only `electron`'s renderer
 * modules); the contract table is bundled in so unknown names are refused before they reach the
 * main process, and an event name outside BRIDGE_EVENTS is dropped before it reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_EVENTS } from '../../shared/contract/bridge.ts';
import type { BridgeEvent, ServiceReply, TesseraBridge } from '../../shared/contract/bridge.ts';
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
  onEvent(listener: (event: BridgeEvent) => void): () => void {
    // The page never sees the IpcRendererEvent (it would hand it `sender`), only the name.
    const forward = (_event: unknown, name: unknown) => {
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
