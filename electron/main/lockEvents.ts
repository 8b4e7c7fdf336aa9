/**
 * Lock triggers on the Node side (issue 10): the system suspending or locking its screen, and the
 * Lock item of the app menu, each become one `lock` event sent to the page, which drops the data
 * key and shows its unlock screen. The page decides nothing here: a lock request always locks.
 */
import type { BridgeEvent } from '../../shared/contract/bridge.ts';

export const EVENT_CHANNEL = 'tessera:event';

/** The powerMonitor events that mean "the person may have walked away from the machine". */
export const LOCKING_POWER_EVENTS = ['suspend', 'lock-screen'] as const;

/** The subset of Electron's powerMonitor used here. */
export interface PowerMonitorLike {
  on(event: (typeof LOCKING_POWER_EVENTS)[number], listener: () => void): unknown;
  removeListener(event: (typeof LOCKING_POWER_EVENTS)[number], listener: () => void): unknown;
}

/** Sends `event` to whichever window is open now (none: nothing to lock). */
export type SendToPage = (event: BridgeEvent) => void;

/** Forwards every locking power event as a `lock` to the page; returns the unsubscribe. */
export function forwardLockEvents(powerMonitor: PowerMonitorLike, send: SendToPage): () => void {
  const onLock = () => send('lock');
  for (const name of LOCKING_POWER_EVENTS) powerMonitor.on(name, onLock);
  return () => {
    for (const name of LOCKING_POWER_EVENTS) powerMonitor.removeListener(name, onLock);
  };
}
