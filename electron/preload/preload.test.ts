import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TesseraBridge } from '../../shared/contract/bridge.ts';
import { COMMAND_CHANNEL } from '../../shared/contract/commands.ts';

// The preload runs against Electron's renderer modules; here they are a recorder and an emitter.
const exposed = new Map<string, unknown>();
const ipc = Object.assign(new EventEmitter(), {
  invoke: vi.fn(() => Promise.resolve({ ok: true })),
});
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
  ipcRenderer: ipc,
}));

let bridge: TesseraBridge;
beforeAll(async () => {
  await import('./preload.ts');
  bridge = exposed.get('tessera') as TesseraBridge;
});

describe('the preload bridge', () => {
  it('exposes one object with invoke, onCommand and onEvent, and nothing else', () => {
    expect([...exposed.keys()]).toEqual(['tessera']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'onCommand', 'onEvent']);
  });

  it('passes only the lock event to the page, and nothing of the IPC event', () => {
    const seen: unknown[][] = [];
    const stop = bridge.onEvent((...args: unknown[]) => seen.push(args));
    const sender = { send: () => undefined };
    ipc.emit('tessera:event', { sender }, 'lock');
    ipc.emit('tessera:event', { sender }, 'unlock');
    ipc.emit('tessera:event', { sender }, { name: 'lock' });
    expect(seen).toEqual([['lock']]);
    stop();
    ipc.emit('tessera:event', { sender }, 'lock');
    expect(seen).toHaveLength(1);
    expect(ipc.listenerCount('tessera:event')).toBe(0);
  });

  it('passes the menu command ids it knows to the page, and nothing of the IPC event', () => {
    const seen: unknown[][] = [];
    const stop = bridge.onCommand((...args: unknown[]) => seen.push(args));
    const sender = { send: () => undefined };
    ipc.emit(COMMAND_CHANNEL, { sender }, 'undo');
    ipc.emit(COMMAND_CHANNEL, { sender }, 'openExternal');
    ipc.emit(COMMAND_CHANNEL, { sender }, { id: 'undo' });
    ipc.emit(COMMAND_CHANNEL, { sender }, 'linkEntities');
    expect(seen).toEqual([['undo'], ['linkEntities']]);
    stop();
    ipc.emit(COMMAND_CHANNEL, { sender }, 'redo');
    expect(seen).toHaveLength(2);
    expect(ipc.listenerCount(COMMAND_CHANNEL)).toBe(0);
  });

  it('refuses an unknown service method before it reaches the main process', async () => {
    await expect(bridge.invoke('shell.openExternal' as never, {})).rejects.toThrow(/unknown/);
    expect(ipc.invoke).not.toHaveBeenCalled();
  });
});
