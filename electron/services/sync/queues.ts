/**
 * The synchronizer's two folders.
 *
 * Outbox: sealed bundles waiting to go. `<outbox>/<name>` is the bundle, `<outbox>/<name>.json` its
 * metadata (partner, bundle id, sequence, size). The bundle is written first and the metadata last,
 * both atomically, so the metadata file is the commit marker: an item without it is unfinished
 * and ignored.
 *
 * Inbox: fetched bundles waiting for import, same pairing (`<name>` + `<name>.json`). Beside them
 * `.ledger.json` remembers every name ever fetched and how far it went (fetched → imported →
 * acknowledged, or discarded), so a name is never fetched twice and an acknowledgement that could
 * not reach the transport (offline) is retried on the next sync.
 */
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { writeFileAtomic } from '../files/atomicWrite.ts';
import {
  errnoCode,
  openSource,
  removeStaleTemporaryFiles,
  writeStreamAtomic,
} from '../transports/atomicFiles.ts';
import type { MailboxEntry } from '../transports/transport.ts';
import { validateMailbox, validateName } from '../transports/transport.ts';

const META_SUFFIX = '.json';

export const outboxMetaSchema = z.object({
  /** File name on the transport. */
  name: z.string(),
  /** The partner agency id: its mailbox. */
  partner: z.string(),
  bundleId: z.string().min(1).max(200),
  /** Sequence number of this bundle from us to the partner. */
  sequence: z.number().int().min(0),
  size: z.number().int().min(0),
  createdAt: z.string(),
});
export type OutboxItem = z.infer<typeof outboxMetaSchema> & { readonly path: string };

export interface EnqueueInput {
  readonly partner: string;
  readonly bundleId: string;
  readonly sequence: number;
  /** Defaults to `<bundleId>.tessera`. */
  readonly name?: string;
  /** Required for a stream source. */
  readonly size?: number;
}

export class Outbox {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Copies a sealed bundle in (atomic, create-only) and records its metadata. */
  async enqueue(source: string | Readable, input: EnqueueInput): Promise<OutboxItem> {
    const name = validateName(input.name ?? `${input.bundleId}.tessera`);
    validateMailbox(input.partner);
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    const opened = await openSource(source, input.size);
    const size = await writeStreamAtomic(opened.stream, path, {
      expectedSize: input.size ?? opened.size,
      createOnly: true,
      mode: 0o600,
    });
    const meta = outboxMetaSchema.parse({
      name,
      partner: input.partner,
      bundleId: input.bundleId,
      sequence: input.sequence,
      size,
      createdAt: new Date(this.now()).toISOString(),
    });
    await writeFileAtomic(path + META_SUFFIX, JSON.stringify(meta, null, 2));
    return { ...meta, path };
  }

  /** Complete items, oldest sequence first per partner. */
  async items(): Promise<OutboxItem[]> {
    const items: OutboxItem[] = [];
    for (const name of await listNames(this.dir)) {
      const meta = await readMeta(join(this.dir, name + META_SUFFIX), outboxMetaSchema);
      if (meta && meta.name === name) items.push({ ...meta, path: join(this.dir, name) });
    }
    return items.sort(
      (a, b) =>
        a.partner.localeCompare(b.partner) ||
        a.sequence - b.sequence ||
        a.createdAt.localeCompare(b.createdAt),
    );
  }

  async remove(name: string): Promise<void> {
    validateName(name);
    // Metadata first: an item without it no longer counts, whatever happens next.
    await rm(join(this.dir, name + META_SUFFIX), { force: true });
    await rm(join(this.dir, name), { force: true });
  }

  /** Temporary files of interrupted copies. */
  async cleanup(olderThanMs = 60 * 60 * 1000): Promise<string[]> {
    return removeStaleTemporaryFiles(this.dir, olderThanMs, this.now());
  }
}

export const inboxMetaSchema = z.object({
  name: z.string(),
  /** Our mailbox it came from. */
  mailbox: z.string(),
  size: z.number().int().min(0),
  /** As reported by the transport. */
  modified: z.string(),
  fetchedAt: z.string(),
});
export type InboxItem = z.infer<typeof inboxMetaSchema> & { readonly path: string };

const ledgerSchema = z.object({
  version: z.literal(1),
  entries: z.record(
    z.string(),
    z.object({
      state: z.enum(['fetched', 'imported', 'acknowledged', 'discarded']),
      mailbox: z.string(),
      at: z.string(),
    }),
  ),
});
type Ledger = z.infer<typeof ledgerSchema>;
export type LedgerState = Ledger['entries'][string]['state'];

export class Inbox {
  private ledgerCache: Ledger | null = null;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
    /** Finished ledger entries older than this are forgotten (default 180 days). */
    private readonly ledgerRetentionMs = 180 * 24 * 60 * 60 * 1000,
  ) {}

  pathOf(name: string): string {
    return join(this.dir, validateName(name));
  }

  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Whether a name was ever fetched (and so must not be fetched again). */
  async known(name: string): Promise<boolean> {
    return (await this.ledger()).entries[name] !== undefined;
  }

  /** Records a bundle the transport has just written to `pathOf(entry.name)`. */
  async recordFetched(mailbox: string, entry: MailboxEntry): Promise<InboxItem> {
    const meta = inboxMetaSchema.parse({
      name: entry.name,
      mailbox,
      size: entry.size,
      modified: entry.modified,
      fetchedAt: new Date(this.now()).toISOString(),
    });
    const path = this.pathOf(entry.name);
    await writeFileAtomic(path + META_SUFFIX, JSON.stringify(meta, null, 2));
    await this.setState(entry.name, mailbox, 'fetched');
    return { ...meta, path };
  }

  async items(): Promise<InboxItem[]> {
    const items: InboxItem[] = [];
    for (const name of await listNames(this.dir)) {
      const meta = await readMeta(join(this.dir, name + META_SUFFIX), inboxMetaSchema);
      if (meta && meta.name === name) items.push({ ...meta, path: join(this.dir, name) });
    }
    return items.sort(
      (a, b) => a.fetchedAt.localeCompare(b.fetchedAt) || a.name.localeCompare(b.name),
    );
  }

  async item(name: string): Promise<InboxItem | null> {
    const meta = await readMeta(this.pathOf(name) + META_SUFFIX, inboxMetaSchema);
    return meta ? { ...meta, path: this.pathOf(name) } : null;
  }

  /** Removes the files of an item; the ledger keeps its name. */
  async removeFiles(name: string): Promise<void> {
    const path = this.pathOf(name);
    await rm(path + META_SUFFIX, { force: true });
    await rm(path, { force: true });
  }

  async setState(name: string, mailbox: string, state: LedgerState): Promise<void> {
    await this.updateLedger((ledger) => {
      ledger.entries[name] = { state, mailbox, at: new Date(this.now()).toISOString() };
    });
  }

  async stateOf(name: string): Promise<LedgerState | null> {
    return (await this.ledger()).entries[name]?.state ?? null;
  }

  /** Names imported but not yet acknowledged at the transport. */
  async pendingAcknowledgements(): Promise<{ name: string; mailbox: string }[]> {
    const ledger = await this.ledger();
    return Object.entries(ledger.entries)
      .filter(([, e]) => e.state === 'imported')
      .map(([name, e]) => ({ name, mailbox: e.mailbox }));
  }

  async cleanup(olderThanMs = 60 * 60 * 1000): Promise<string[]> {
    return removeStaleTemporaryFiles(this.dir, olderThanMs, this.now());
  }

  private async ledger(): Promise<Ledger> {
    if (this.ledgerCache) return this.ledgerCache;
    let ledger: Ledger = { version: 1, entries: {} };
    try {
      const parsed = ledgerSchema.safeParse(
        JSON.parse(await readFile(join(this.dir, '.ledger.json'), 'utf8')),
      );
      if (parsed.success) ledger = parsed.data;
    } catch (error) {
      // A missing ledger is a new inbox; an unreadable one is rebuilt (the importer rejects replays).
      if (errnoCode(error) !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    }
    this.ledgerCache = ledger;
    return ledger;
  }

  /** Serialized: a sync and a confirmation may update the ledger at the same time. */
  private updateLedger(change: (ledger: Ledger) => void): Promise<void> {
    const run = this.writing.then(async () => {
      const ledger = await this.ledger();
      change(ledger);
      const cutoff = this.now() - this.ledgerRetentionMs;
      for (const [name, entry] of Object.entries(ledger.entries)) {
        const finished = entry.state === 'acknowledged' || entry.state === 'discarded';
        if (finished && Date.parse(entry.at) < cutoff) delete ledger.entries[name];
      }
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(join(this.dir, '.ledger.json'), JSON.stringify(ledger));
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/** Names of bundle files (dot files, temporary files and metadata excluded). */
async function listNames(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  return names.filter((n) => !n.startsWith('.') && !n.endsWith(META_SUFFIX));
}

async function readMeta<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
  try {
    const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) return null;
    // The metadata is the commit marker, but only together with its bundle.
    await stat(path.slice(0, -META_SUFFIX.length));
    return parsed.data;
  } catch {
    return null;
  }
}
