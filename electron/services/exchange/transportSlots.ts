/**
 * Transport slots: the partners' transport settings (`transports.json`, encrypted with the
 * identity's protector, see state.ts) and one Synchronizer per distinct automatic transport.
 * Partners that share a folder or a bucket share one slot, `transports/<key>/outbox|inbox`, and its
 * outbox items name their partner. File delivery has no slot.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { IdentityError, type SecretProtector } from '../identity/index.ts';
import type { TransportSettings } from '../../../shared/exchange/transportConfig.ts';
import { Synchronizer } from '../sync/synchronizer.ts';
import {
  createTransport,
  transportConfigSchema,
  type TransportConfig,
} from '../transports/registry.ts';
import { ExchangeError } from './errors.ts';
import { loadTransports, saveTransports } from './state.ts';

/** What a redacted secret looks like in the settings the renderer sees and sends back. */
export const MASK = '********';

export interface SyncSlot {
  /** A hash of what identifies the transport (kind, folder or bucket); the slot's folder name. */
  readonly key: string;
  readonly sync: Synchronizer;
  /** The partners served by this transport. */
  readonly partners: Set<string>;
}

export interface TransportSlotsOptions {
  /** `<dataDir>/exchange/transports.json`. */
  readonly file: string;
  /** `<dataDir>/exchange/transports`: one folder per slot. */
  readonly dir: string;
  /** Start automatic sync for each slot (default true). */
  readonly autoSync?: boolean;
  /** Automatic mode: time between healthy syncs. */
  readonly pollIntervalMs?: number;
  /** Called when a slot fetched a file, with the slot and the file's name. */
  readonly onReceived: (slot: SyncSlot, name: string) => void;
}

/** The unlocked identity's part in the settings: the protector and our own mailbox. */
export interface SlotOwner {
  readonly protector: SecretProtector;
  readonly agencyId: string;
}

export function transportKey(config: TransportConfig): string {
  const identity =
    config.kind === 'folder'
      ? { kind: config.kind, root: path.resolve(config.root) }
      : config.kind === 's3'
        ? {
            kind: config.kind,
            endpoint: config.endpoint ?? '',
            bucket: config.bucket,
            prefix: config.prefix,
            accessKeyId: config.accessKeyId,
          }
        : { kind: config.kind };
  return crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}

export class TransportSlots {
  private configs: Record<string, TransportConfig> = {};
  private owner: SlotOwner | null = null;
  private readonly slots = new Map<string, SyncSlot & { readonly off: () => void }>();

  constructor(private readonly options: TransportSlotsOptions) {}

  /** Reads the settings with the unlocked identity's protector (on unlock). */
  async open(owner: SlotOwner): Promise<void> {
    this.configs = await loadTransports(this.options.file, owner.protector, owner.agencyId);
    this.owner = owner;
  }

  /** Stops every slot and forgets the settings (on lock and close). */
  async close(): Promise<void> {
    for (const slot of this.slots.values()) {
      slot.off();
      await slot.sync.stop();
    }
    this.slots.clear();
    this.configs = {};
    this.owner = null;
  }

  configOf(agencyId: string): TransportConfig | undefined {
    return this.configs[agencyId];
  }

  slotOf(agencyId: string): SyncSlot | undefined {
    for (const slot of this.slots.values()) if (slot.partners.has(agencyId)) return slot;
    return undefined;
  }

  byKey(key: string): SyncSlot | undefined {
    return this.slots.get(key);
  }

  all(): SyncSlot[] {
    return [...this.slots.values()];
  }

  /**
   * Sets (or, with null or kind `file`, removes) a partner's transport and rebuilds the slots.
   * A masked or empty S3 secret keeps the stored one. Bundles waiting for the partner move to the
   * new transport's outbox.
   */
  async configure(
    agencyId: string,
    settings: TransportSettings | null,
    knownPartners: ReadonlySet<string>,
  ): Promise<void> {
    const owner = this.requireOwner();
    const before = this.slotOf(agencyId);
    const next = { ...this.configs };
    if (settings === null || settings.kind === 'file') {
      delete next[agencyId];
    } else {
      next[agencyId] = this.validated(agencyId, settings);
    }
    await saveTransports(this.options.file, owner.protector, owner.agencyId, next);
    this.configs = next;
    const moving = before
      ? (await before.sync.outboxItems()).filter((item) => item.partner === agencyId)
      : [];
    await this.rebuild(knownPartners);
    const after = this.slotOf(agencyId);
    if (before && after && after !== before) {
      for (const item of moving) {
        await after.sync.enqueue(item.path, {
          partner: item.partner,
          bundleId: item.bundleId,
          sequence: item.sequence,
          name: item.name,
        });
        await before.sync.outbox.remove(item.name);
      }
    }
  }

  /** Drops a removed partner's queued items and its settings (when unlocked). */
  async remove(agencyId: string, knownPartners: ReadonlySet<string>): Promise<void> {
    const slot = this.slotOf(agencyId);
    if (slot) {
      for (const item of await slot.sync.outboxItems()) {
        if (item.partner === agencyId) await slot.sync.outbox.remove(item.name);
      }
    }
    if (this.configs[agencyId] && this.owner) {
      const { [agencyId]: _gone, ...others } = this.configs;
      this.configs = others;
      await saveTransports(this.options.file, this.owner.protector, this.owner.agencyId, others);
    }
    await this.rebuild(knownPartners);
  }

  /** One synchronizer per distinct automatic transport of a known partner. */
  async rebuild(knownPartners: ReadonlySet<string>): Promise<void> {
    const owner = this.owner;
    if (!owner) return;
    const wanted = new Map<string, { config: TransportConfig; partners: Set<string> }>();
    for (const [agencyId, config] of Object.entries(this.configs)) {
      if (!knownPartners.has(agencyId) || config.kind === 'file') continue;
      const key = transportKey(config);
      const entry = wanted.get(key) ?? { config, partners: new Set<string>() };
      entry.partners.add(agencyId);
      wanted.set(key, entry);
    }
    for (const [key, slot] of [...this.slots]) {
      if (!wanted.has(key)) {
        slot.off();
        await slot.sync.stop();
        this.slots.delete(key);
      }
    }
    for (const [key, entry] of wanted) {
      const existing = this.slots.get(key);
      if (existing) {
        existing.partners.clear();
        for (const p of entry.partners) existing.partners.add(p);
        continue;
      }
      const dir = path.join(this.options.dir, key);
      const sync = new Synchronizer({
        transport: createTransport(entry.config),
        ownMailbox: owner.agencyId,
        outboxDir: path.join(dir, 'outbox'),
        inboxDir: path.join(dir, 'inbox'),
        ...(this.options.pollIntervalMs !== undefined
          ? { pollIntervalMs: this.options.pollIntervalMs }
          : {}),
      });
      const slot: SyncSlot = { key, sync, partners: new Set(entry.partners) };
      const off = sync.on('received', (item) => this.options.onReceived(slot, item.name));
      this.slots.set(key, { ...slot, off });
      await sync.refresh();
      if (this.options.autoSync !== false) sync.start();
    }
  }

  private validated(agencyId: string, settings: TransportSettings): TransportConfig {
    let raw: Record<string, unknown> = { ...settings };
    if (settings.kind === 's3') {
      const stored = this.configs[agencyId];
      const secret = settings.secretAccessKey;
      if (secret === '' || secret === MASK) {
        if (stored?.kind !== 's3') {
          throw new ExchangeError('invalid-transport', 'the S3 secret access key is missing');
        }
        raw = { ...raw, secretAccessKey: stored.secretAccessKey };
      }
      if (settings.sessionToken === MASK && stored?.kind === 's3') {
        raw = { ...raw, sessionToken: stored.sessionToken };
      }
    }
    const result = transportConfigSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ExchangeError(
        'invalid-transport',
        `invalid transport settings: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
      );
    }
    return result.data;
  }

  private requireOwner(): SlotOwner {
    if (!this.owner) {
      throw new IdentityError('no-identity', 'unlock the agency identity to change transports');
    }
    return this.owner;
  }
}
