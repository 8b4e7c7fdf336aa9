export type { BackoffPolicy, Clock } from './backoff.ts';
export { DEFAULT_BACKOFF, backoffDelay, systemClock } from './backoff.ts';
export type { EnqueueInput, InboxItem, LedgerState, OutboxItem } from './queues.ts';
export { Inbox, Outbox } from './queues.ts';
export type {
  SyncEvents,
  SyncProgress,
  SyncState,
  SyncStatus,
  SynchronizerDeps,
} from './synchronizer.ts';
export { Synchronizer } from './synchronizer.ts';
