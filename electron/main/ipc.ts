import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { replyOf } from '../../shared/contract/bridge.ts';
import type { ServiceReply } from '../../shared/contract/bridge.ts';
import { dispatch } from '../../shared/contract/index.ts';
import type { ServiceHandlers } from '../../shared/contract/index.ts';
import { isTrustedSender } from './policy.ts';

export const INVOKE_CHANNEL = 'tessera:invoke';

/** The whole IPC surface: one channel, answered only for the app's own page, through `dispatch`. */
export async function handleInvoke(
  handlers: ServiceHandlers,
  appIndexUrl: string,
  senderUrl: string | undefined,
  method: unknown,
  input: unknown,
): Promise<ServiceReply> {
  if (!isTrustedSender(senderUrl, appIndexUrl)) {
    return {
      ok: false,
      error: { code: 'forbidden', message: 'service calls are only answered for the app itself' },
    };
  }
  return replyOf(() => dispatch(handlers, method, input));
}

export function registerIpc(
  ipcMain: IpcMain,
  handlers: ServiceHandlers,
  appIndexUrl: string,
): () => void {
  ipcMain.handle(INVOKE_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, input: unknown) =>
    handleInvoke(handlers, appIndexUrl, event.senderFrame?.url, method, input),
  );
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}
