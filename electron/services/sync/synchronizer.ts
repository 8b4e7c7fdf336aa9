/**
 * The synchronizer: moves sealed bundles between this agency's outbox/inbox folders and any
 * registered transport. It never opens a bundle.
 *
 * One `syncOnce()` (never two at a time; a second call joins the running one):
 *   1. probe the transport: offline → state `offline`, nothing thrown;
 *   2. acknowledge names imported since the last sync whose acknowledgement could not be sent;
 *   3. push: every outbox item → `put(partner, name)`; sent items leave the outbox. A create-only
 *      conflict on a name the partner's mailbox already holds with the same size means an earlier
 *      attempt got through before we could record it: counted as sent;
 *   4. pull: `list(ownMailbox)`, fetch every name never fetched before into the inbox.
 * The caller imports inbox bundles and then calls `confirmImported(name)`, which acknowledges at
 * the transport (or on a later sync when offline now).
 *
 * A per-item failure that retrying cannot fix (a name taken by a different file, a refused name) is
 * kept on the item and the sync goes on; a retryable one (offline, I/O) ends the sync. In automatic
 * mode (`start()`), a healthy sync is followed by the next after `pollIntervalMs`; a failed one by
 * a retry after exponential backoff with jitter; `nudge()` (network back, outbox changed) syncs
 * soon and resets the backoff. Progress events are throttled for the UI.
 */
import type { Readable } from 'node:stream';
import type {
  MailboxEntry,
  Transport,
  TransportDescription,
  TransferProgress,
} from '../transports/transport.ts';
import { TransportError, isTransportError, validateMailbox } from '../transports/transport.ts';
import type { BackoffPolicy, Clock } from './backoff.ts';
import { DEFAULT_BACKOFF, backoffDelay, systemClock } from './backoff.ts';
import type { EnqueueInput, InboxItem, OutboxItem } from './queues.ts';
import { Inbox, Outbox } from './queues.ts';
import { errorMessage } from '../../../shared/base/errors.ts';

export type SyncState = 'offline' | 'idle' | 'syncing' | 'error';

export interface SyncStatus {
  readonly state: SyncState;
  /** ISO 8601 time of the last sync that completed without a retryable failure. */
  readonly lastSyncAt: string | null;
  /** Bundles waiting to go. */
  readonly outbox: number;
  /** Fetched bundles waiting for import. */
  readonly inbox: number;
  readonly lastError?: string;
  /** When automatic mode tries next (ISO 8601). */
  readonly nextAttemptAt?: string;
  /** Whether `start()` is in effect. */
  readonly automatic: boolean;
  readonly transport: TransportDescription;
}

export interface SyncProgress extends TransferProgress {
  readonly direction: 'upload' | 'download';
  readonly mailbox: string;
  readonly name: string;
}

export interface SyncEvents {
  status: SyncStatus;
  progress: SyncProgress;
  sent: { readonly item: OutboxItem; readonly location: string };
  received: InboxItem;
  /** An outbox item that cannot go as it is (kept in the outbox). */
  itemFailed: { readonly name: string; readonly partner: string; readonly error: string };
}

export interface SynchronizerDeps {
  readonly transport: Transport;
  /** This agency's id: the mailbox partners put bundles into. */
  readonly ownMailbox: string;
  readonly outboxDir: string;
  readonly inboxDir: string;
  readonly clock?: Clock;
  /** 0 ≤ x < 1, for the jitter. */
  readonly random?: () => number;
  readonly backoff?: Partial<BackoffPolicy>;
  /** Automatic mode: time between healthy syncs (default 60 s). */
  readonly pollIntervalMs?: number;
  /** Minimum time between two progress events of one transfer (default 100 ms). */
  readonly progressIntervalMs?: number;
}

type Listener<T> = (payload: T) => void;

export class Synchronizer {
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  private readonly transport: Transport;
  private readonly ownMailbox: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly pollIntervalMs: number;
  private readonly progressIntervalMs: number;
  private readonly listeners = new Map<keyof SyncEvents, Set<Listener<never>>>();

  private state: SyncState = 'idle';
  private lastSyncAt: string | null = null;
  private lastError: string | undefined;
  private outboxCount = 0;
  private inboxCount = 0;
  private attempt = 0;
  private running: Promise<SyncStatus> | null = null;
  private automatic = false;
  private timer: unknown = null;
  private nextAttemptAt: number | null = null;
  /** Outbox items that failed for a reason retrying cannot fix, by name. */
  private readonly itemErrors = new Map<string, string>();

  constructor(deps: SynchronizerDeps) {
    this.transport = deps.transport;
    this.ownMailbox = validateMailbox(deps.ownMailbox);
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
    this.pollIntervalMs = deps.pollIntervalMs ?? 60_000;
    this.progressIntervalMs = deps.progressIntervalMs ?? 100;
    const now = () => this.clock.now();
    this.outbox = new Outbox(deps.outboxDir, now);
    this.inbox = new Inbox(deps.inboxDir, now);
  }

  on<E extends keyof SyncEvents>(event: E, listener: Listener<SyncEvents[E]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  status(): SyncStatus {
    return {
      state: this.state,
      lastSyncAt: this.lastSyncAt,
      outbox: this.outboxCount,
      inbox: this.inboxCount,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.nextAttemptAt !== null
        ? { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() }
        : {}),
      automatic: this.automatic,
      transport: this.transport.describe(),
    };
  }

  /** Recounts the outbox and inbox from disk. */
  async refresh(): Promise<SyncStatus> {
    await this.recount();
    this.emitStatus();
    return this.status();
  }

  /** Puts a sealed bundle in the outbox; in automatic mode it goes out soon. */
  async enqueue(source: string | Readable, input: EnqueueInput): Promise<OutboxItem> {
    const item = await this.outbox.enqueue(source, input);
    this.itemErrors.delete(item.name);
    await this.refresh();
    if (this.automatic) this.nudge();
    return item;
  }

  /** Outbox items with the error that holds each back, if any. */
  async outboxItems(): Promise<(OutboxItem & { error?: string })[]> {
    return (await this.outbox.items()).map((item) => {
      const error = this.itemErrors.get(item.name);
      return error === undefined ? item : { ...item, error };
    });
  }

  inboxItems(): Promise<InboxItem[]> {
    return this.inbox.items();
  }

  /** One full sync; never rejects: failures end up in the returned status. */
  syncOnce(): Promise<SyncStatus> {
    if (!this.running) {
      this.cancelTimer();
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * The caller has imported (applied or deliberately rejected after review) the inbox bundle
   * `name`: it leaves the inbox and is acknowledged at the transport, now or, when offline, on a
   * later sync.
   */
  async confirmImported(name: string): Promise<void> {
    const item = await this.inbox.item(name);
    const mailbox = item?.mailbox ?? this.ownMailbox;
    await this.inbox.setState(name, mailbox, 'imported');
    await this.inbox.removeFiles(name);
    await this.refresh();
    try {
      await this.transport.acknowledge(mailbox, name);
      await this.inbox.setState(name, mailbox, 'acknowledged');
    } catch (error) {
      if (!isTransportError(error) || !error.retryable) throw error;
      // Stays "imported": the next sync acknowledges it.
    }
  }

  /**
   * Drops an inbox bundle without importing it (a forgery, a bundle for another agency). With
   * `acknowledge`, the transport is told too, so it stops offering the file.
   */
  async discard(name: string, options: { acknowledge?: boolean } = {}): Promise<void> {
    const item = await this.inbox.item(name);
    const mailbox = item?.mailbox ?? this.ownMailbox;
    await this.inbox.removeFiles(name);
    if (options.acknowledge) {
      await this.inbox.setState(name, mailbox, 'imported');
      await this.refresh();
      await this.transport.acknowledge(mailbox, name).then(
        () => this.inbox.setState(name, mailbox, 'discarded'),
        () => undefined,
      );
    } else {
      await this.inbox.setState(name, mailbox, 'discarded');
      await this.refresh();
    }
  }

  /** Automatic mode: syncs now, then by itself (see the overview). Not for manual transports. */
  start(): void {
    if (this.automatic || !this.transport.describe().automatic) return;
    this.automatic = true;
    this.schedule(0);
  }

  /** Leaves automatic mode and waits for a sync in progress. */
  async stop(): Promise<void> {
    this.automatic = false;
    this.cancelTimer();
    if (this.running) await this.running;
    this.emitStatus();
  }

  /** Something changed (network back, new outbox item): sync soon, forgetting the backoff. */
  nudge(): void {
    this.attempt = 0;
    if (this.automatic && !this.running) this.schedule(0);
  }

  private async run(): Promise<SyncStatus> {
    this.setState('syncing');
    let retryable = false;
    try {
      await this.inbox.ensure();
      const probe = await this.transport.probe().catch((error: unknown) => ({
        status: 'offline' as const,
        detail: errorMessage(error),
      }));
      if (probe.status !== 'online') {
        this.lastError = probe.detail;
        retryable = probe.status === 'offline';
        this.state = probe.status;
        return await this.finish(false, retryable);
      }
      await this.acknowledgePending();
      const itemFailures = await this.push();
      await this.pull();
      this.lastSyncAt = new Date(this.clock.now()).toISOString();
      if (itemFailures.length > 0) {
        this.state = 'error';
        this.lastError = itemFailures.join('; ');
        // The rest went through: the next sync comes at the normal pace.
        return await this.finish(true, false);
      }
      this.state = 'idle';
      this.lastError = undefined;
      return await this.finish(true, false);
    } catch (error) {
      const mapped =
        error instanceof TransportError
          ? error
          : new TransportError('io', errorMessage(error), {
              cause: error,
              retryable: false,
            });
      this.state = mapped.code === 'offline' ? 'offline' : 'error';
      this.lastError = mapped.message;
      return await this.finish(false, mapped.retryable);
    }
  }

  /** Records the outcome, recounts and plans the next automatic attempt. */
  private async finish(healthy: boolean, retryable: boolean): Promise<SyncStatus> {
    await this.recount().catch(() => undefined);
    if (healthy) {
      this.attempt = 0;
      if (this.automatic) this.schedule(this.pollIntervalMs);
    } else {
      this.attempt++;
      if (this.automatic) {
        // A misconfiguration will not heal by itself quickly: retry at the slowest pace.
        const delay = retryable
          ? backoffDelay(this.attempt, this.backoff, this.random)
          : this.backoff.maxMs;
        this.schedule(delay);
      }
    }
    this.emitStatus();
    return this.status();
  }

  private async acknowledgePending(): Promise<void> {
    for (const { name, mailbox } of await this.inbox.pendingAcknowledgements()) {
      try {
        await this.transport.acknowledge(mailbox, name);
      } catch (error) {
        // Gone already (acknowledged by another desk of ours): nothing left to do.
        if (!isTransportError(error, 'not-found')) throw error;
      }
      await this.inbox.setState(name, mailbox, 'acknowledged');
    }
  }

  /** Returns messages of items that cannot go; throws on a retryable failure. */
  private async push(): Promise<string[]> {
    const failures: string[] = [];
    for (const item of await this.outbox.items()) {
      let location: string;
      try {
        const result = await this.transport.put(item.partner, item.name, item.path, {
          size: item.size,
          onProgress: this.progressReporter('upload', item.partner, item.name),
        });
        location = result.location;
      } catch (error) {
        if (isTransportError(error, 'conflict') && (await this.alreadyDelivered(item))) {
          location = `${item.partner}/${item.name}`;
        } else if (isTransportError(error) && error.retryable) {
          throw error;
        } else {
          const message = `${item.name} to ${item.partner}: ${errorMessage(error)}`;
          this.itemErrors.set(item.name, errorMessage(error));
          this.emit('itemFailed', { name: item.name, partner: item.partner, error: message });
          failures.push(message);
          continue;
        }
      }
      this.itemErrors.delete(item.name);
      await this.outbox.remove(item.name);
      this.outboxCount = Math.max(0, this.outboxCount - 1);
      this.emit('sent', { item, location });
      this.emitStatus();
    }
    return failures;
  }

  private async alreadyDelivered(item: OutboxItem): Promise<boolean> {
    const entries = await this.transport.list(item.partner);
    return entries.some((e) => e.name === item.name && e.size === item.size);
  }

  private async pull(): Promise<void> {
    const entries = await this.transport.list(this.ownMailbox);
    for (const entry of entries) {
      if (await this.inbox.known(entry.name)) continue;
      await this.fetch(entry);
    }
  }

  private async fetch(entry: MailboxEntry): Promise<void> {
    const fetched = await this.transport.get(
      this.ownMailbox,
      entry.name,
      this.inbox.pathOf(entry.name),
      { onProgress: this.progressReporter('download', this.ownMailbox, entry.name) },
    );
    const item = await this.inbox.recordFetched(this.ownMailbox, { ...entry, size: fetched.size });
    this.inboxCount++;
    this.emit('received', item);
    this.emitStatus();
  }

  private progressReporter(
    direction: SyncProgress['direction'],
    mailbox: string,
    name: string,
  ): (progress: TransferProgress) => void {
    let last = -Infinity;
    return (progress) => {
      const now = this.clock.now();
      const finished = progress.total !== null && progress.transferred >= progress.total;
      if (!finished && progress.transferred !== 0 && now - last < this.progressIntervalMs) return;
      last = now;
      this.emit('progress', { direction, mailbox, name, ...progress });
    };
  }

  private async recount(): Promise<void> {
    this.outboxCount = (await this.outbox.items()).length;
    this.inboxCount = (await this.inbox.items()).length;
  }

  private schedule(delayMs: number): void {
    this.cancelTimer();
    this.nextAttemptAt = this.clock.now() + delayMs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.nextAttemptAt = null;
      void this.syncOnce();
    }, delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.nextAttemptAt = null;
  }

  private setState(state: SyncState): void {
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }

  private emit<E extends keyof SyncEvents>(event: E, payload: SyncEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<SyncEvents[E]>)(payload);
      } catch {
        // A failing listener (a closed window) must not break the sync.
      }
    }
  }
}
