/**
 * Keeps the search worker's index in step with a case's live records, incrementally.
 *
 * Each record kind (entities, notes, attachments) has its own map id → updatedAt of what was last
 * sent. When a live query delivers a new list, only records that are new or whose `updatedAt`
 * changed are (re)sent and ids that disappeared are removed, so an edit costs one document, not a
 * rebuild. Requests reach the worker in the order they are posted and it applies them in order,
 * so no waiting is needed between batches. Attachment text is extracted in the worker from the
 * stored bytes; the bytes are fetched first, and a result is dropped when the attachment changed
 * or went away meanwhile (a request is posted only while its version is the current one, so any
 * later removal or update is applied after it).
 *
 * A large entity sync (a case indexed for the first time) is split over two workers when a helper
 * can be started: the later part (a little under half) goes to the helper, which hands its index
 * over as a shard that the case's worker merges after its own part (searchIndex.ts `mergeShard`:
 * the same index as one worker would build), so a two-core laptop indexes on both cores (issue 13).
 *
 * The maps are also what a persisted index is saved with (indexStore.ts): `versions()` says which
 * version of every record the index holds, and `seed` starts a sync from them after the index was
 * loaded, so reopening a case sends only what changed while it was closed.
 */
import type { AttachmentRecord, EntityRecord, NoteRecord } from '../model/index.ts';
import type { SearchRpc } from './rpc.ts';
import type { EntityDoc, SearchDocument } from './types.ts';
import { packEntities } from './packed.ts';

export interface Versioned {
  readonly id: string;
  readonly updatedAt: string;
}

export interface Diff<T> {
  /** New or changed since the last sync. */
  readonly upserts: T[];
  readonly removed: string[];
  /**
   * No upsert's id was seen before (so none is in the index) and none repeats: a case indexed
   * for the first time. The index then looks no id up (packed.ts `fresh`).
   */
  readonly fresh: boolean;
}

/** Compares `next` with the versions last seen and updates `seen` to match `next`. */
export function diffVersions<T extends Versioned>(
  seen: Map<string, string>,
  next: readonly T[],
): Diff<T> {
  const upserts: T[] = [];
  // Nothing seen before (a first sync): nothing can have gone, and a set of a million ids to
  // find out was a fifth of the page's share of a first build.
  const present = seen.size > 0 ? new Set<string>() : null;
  let fresh = true;
  for (const record of next) {
    present?.add(record.id);
    const version = seen.get(record.id);
    if (version !== record.updatedAt) {
      // A version seen before, or set by this record's id earlier in `next`.
      if (version !== undefined) fresh = false;
      upserts.push(record);
      seen.set(record.id, record.updatedAt);
    }
  }
  const removed: string[] = [];
  if (present) for (const id of seen.keys()) if (!present.has(id)) removed.push(id);
  for (const id of removed) seen.delete(id);
  return { upserts, removed, fresh };
}

function entityDocument(record: EntityRecord): EntityDoc {
  return {
    id: record.id,
    schema: record.schema,
    properties: record.properties as Record<string, string[]>,
  };
}

function noteDocument(record: NoteRecord): SearchDocument {
  return {
    kind: 'note',
    id: record.id,
    caseId: record.caseId,
    body: record.title ? `${record.title}\n${record.body}` : record.body,
  };
}

type Client = Pick<
  SearchRpc,
  'update' | 'updatePacked' | 'remove' | 'indexAttachment' | 'mergeShard'
>;

/** A second worker that indexes part of a large sync (an empty index of its own). */
export interface ShardHelper extends Pick<SearchRpc, 'updatePacked' | 'exportShard'> {
  terminate(): void;
}

export interface CaseIndexSyncOptions {
  /** Starts a helper worker for a large entity sync; without it every record goes to `client`. */
  readonly startHelper?: () => ShardHelper;
  /** Entity upserts from which the helper is used (default SHARD_MIN). */
  readonly shardMin?: number;
}

/** Per record kind, id → `updatedAt` of the version the index holds. */
export interface IndexedVersions {
  readonly entities: ReadonlyMap<string, string>;
  readonly notes: ReadonlyMap<string, string>;
  readonly attachments: ReadonlyMap<string, string>;
}

/** IndexedVersions whose maps a receiver may keep and change (CaseIndexSync.seed takes them). */
export type OwnedVersions = { readonly [K in keyof IndexedVersions]: Map<string, string> };

/** Batches above this size are sent in slices so the worker answers searches in between. */
const BATCH = 5000;
/**
 * Slices posted but not yet applied, at most: each slice is copied to the worker when posted, so
 * posting a million records at once would hold the page for seconds; two in flight keep the
 * worker busy while the page copies the next.
 */
const WINDOW = 2;
/**
 * Entity upserts from which a sync is split over two workers: below it, starting a worker and
 * handing its shard over costs more than half the indexing saves.
 */
export const SHARD_MIN = 20_000;
/**
 * The helper's part of a split sync: under half, because it also exports its shard while the
 * case's worker indexes, and because the later records of a case tend to cost more to index: in
 * the million bench (calls, then the people added after the import) the helper's records cost
 * about 1.4× the first part's each; at 0.45, and still at 0.43, the helper ended last at a
 * million records (by 2.3 s of 12.7 at 0.43) while the case's worker waited for its shard
 * (bench/profiles/search.md, round 8).
 */
const HELPER_SHARE = 0.4;

export class CaseIndexSync {
  private entities = new Map<string, string>();
  private notes = new Map<string, string>();
  private attachments = new Map<string, string>();
  /** Attachments whose text is being read (id → version): not in the index in that version yet. */
  private readonly fetching = new Map<string, string>();
  private running = 0;
  /** Entity and note changes are posted in the order they were diffed, one sync after another. */
  private outbox: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Client,
    /** The stored bytes of an attachment. */
    private readonly fetchContent: (attachmentId: string) => Promise<Uint8Array>,
    private readonly options: CaseIndexSyncOptions = {},
  ) {}

  /** True while a sync is waiting for the worker. */
  get busy(): boolean {
    return this.running > 0;
  }

  /**
   * Starts from the versions a persisted index was saved with (call before the first sync, after
   * the worker loaded that index): records at the same version are not sent again. The maps are
   * taken over, not copied (a million entries each): the caller must not change them afterwards.
   */
  seed(versions: OwnedVersions): void {
    this.entities = versions.entities;
    this.notes = versions.notes;
    this.attachments = versions.attachments;
  }

  /**
   * The versions the index holds once the requests posted so far are applied: what to save with
   * a serialisation requested now. An attachment still being read is left out, so it is indexed
   * again after a reload.
   */
  versions(): IndexedVersions {
    const attachments = new Map(this.attachments);
    for (const id of this.fetching.keys()) attachments.delete(id);
    return { entities: new Map(this.entities), notes: new Map(this.notes), attachments };
  }

  /** Resolves once the worker has applied the changes; true when anything changed. */
  syncEntities(records: readonly EntityRecord[]): Promise<boolean> {
    // Entities travel packed (packed.ts): a million records cloned as objects cost more than
    // indexing them.
    return this.track(
      this.apply(
        diffVersions(this.entities, records),
        (slice, fresh) => this.client.updatePacked(packEntities(slice, entityDocument, { fresh })),
        this.options.startHelper &&
          ((helper: ShardHelper, slice: EntityRecord[], fresh: boolean) =>
            helper.updatePacked(packEntities(slice, entityDocument, { fresh }))),
      ),
    );
  }

  syncNotes(records: readonly NoteRecord[]): Promise<boolean> {
    return this.track(
      this.apply(diffVersions(this.notes, records), (slice) =>
        this.client.update(slice.map(noteDocument)),
      ),
    );
  }

  syncAttachments(records: readonly AttachmentRecord[]): Promise<boolean> {
    const { upserts, removed } = diffVersions(this.attachments, records);
    const waits: Promise<unknown>[] = [];
    if (removed.length > 0) waits.push(this.client.remove(removed));
    for (const record of upserts) waits.push(this.indexAttachment(record));
    return this.track(Promise.all(waits).then(() => upserts.length > 0 || removed.length > 0));
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work;
    } finally {
      this.running--;
    }
  }

  private async indexAttachment(record: AttachmentRecord): Promise<void> {
    this.fetching.set(record.id, record.updatedAt);
    try {
      await this.readAttachment(record);
    } finally {
      // A newer version's read, started meanwhile, keeps its own entry.
      if (this.fetching.get(record.id) === record.updatedAt) this.fetching.delete(record.id);
    }
  }

  private async readAttachment(record: AttachmentRecord): Promise<void> {
    const nameOnly = () =>
      this.client.update([
        {
          kind: 'attachment',
          id: record.id,
          text: record.description ?? '',
          name: record.fileName,
        },
      ]);
    let bytes: Uint8Array;
    try {
      bytes = await this.fetchContent(record.id);
    } catch {
      // Content missing or altered: still findable by its name.
      if (this.attachments.get(record.id) === record.updatedAt) await nameOnly();
      return;
    }
    if (this.attachments.get(record.id) !== record.updatedAt) return;
    const chars = await this.client.indexAttachment(
      record.id,
      record.mediaType,
      bytes,
      record.fileName,
    );
    // Posted only while this version is current, so a later removal or update lands after it.
    if (chars === null && this.attachments.get(record.id) === record.updatedAt) await nameOnly();
  }

  private async apply<T extends Versioned>(
    { upserts, removed, fresh }: Diff<T>,
    send: (slice: T[], fresh: boolean) => Promise<unknown>,
    sendToHelper?: (helper: ShardHelper, slice: T[], fresh: boolean) => Promise<unknown>,
  ): Promise<boolean> {
    if (upserts.length === 0 && removed.length === 0) return false;
    // Posts upserts[from, to) in slices, at most WINDOW unapplied at a time.
    const feed = async (
      from: number,
      to: number,
      target: (slice: T[], fresh: boolean) => Promise<unknown>,
    ) => {
      const waits: Promise<unknown>[] = [];
      for (let i = from; i < to; i += BATCH) {
        if (waits.length >= WINDOW) await waits[waits.length - WINDOW];
        waits.push(target(upserts.slice(i, Math.min(to, i + BATCH)), fresh));
      }
      await Promise.all(waits);
    };
    // The versions were recorded when diffed: a later sync's changes must reach the worker after
    // these, so posting waits for the syncs before it.
    const post = async () => {
      const removal = removed.length > 0 ? this.client.remove(removed) : undefined;
      const startHelper = this.options.startHelper;
      if (!sendToHelper || !startHelper || upserts.length < (this.options.shardMin ?? SHARD_MIN)) {
        await Promise.all([removal, feed(0, upserts.length, send)]);
        return;
      }
      // The first part here, the rest in a helper whose index is then merged after it: the
      // order of the documents is that of one worker indexing them all.
      const own = upserts.length - Math.floor(upserts.length * HELPER_SHARE);
      const shard = (async () => {
        const helper = startHelper();
        try {
          await feed(own, upserts.length, (slice) => sendToHelper(helper, slice, fresh));
          return await helper.exportShard();
        } finally {
          helper.terminate();
        }
      })();
      // Settled at once so that a failing helper is not an unhandled rejection meanwhile.
      const settled = shard.then(
        (bytes) => ({ bytes }),
        () => ({ bytes: null }),
      );
      await Promise.all([removal, feed(0, own, send)]);
      const { bytes } = await settled;
      // A helper that failed (could not start, ran out of memory): its half is indexed here.
      if (bytes) await this.client.mergeShard(bytes, { fresh });
      else await feed(own, upserts.length, send);
    };
    const done = this.outbox.then(post);
    this.outbox = done.catch(() => undefined);
    await done;
    return true;
  }
}
