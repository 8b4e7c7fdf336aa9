/**
 * The exchange service: everything of partner exchange (issue 3) that needs keys, files or the
 * network, behind the `exchange.*` contract methods (shared/contract/exchange.ts).
 *
 * Layout of `<dataDir>/exchange/`:
 *   identity/                 IdentityStore (card + protected secrets)
 *   partners.json, sync-state.json, transports.json (encrypted), failed.json   see state.ts
 *   transports/<key>/outbox|inbox   one Synchronizer per distinct transport (partners that share a
 *                             folder or bucket share it; outbox items name their partner)
 *   imports/<id>.bundle|.json files handed in through exchange.import.fromFile (moved here from an
 *                             upload, or copied from a file chosen in Electron's dialog; see
 *                             ../transfer/transferService.ts)
 *   scratch/                  staging: verified, decrypted bundles waiting for the renderer's
 *                             review, encrypted under a key held only in memory (ScratchSpace); a
 *                             restart loses them and the bundle, still in imports/ or the inbox,
 *                             is opened again (issue 8, finding 9)
 *   exchange.log (+ checkpoint)     the signed, hash-chained exchange log
 *   tmp/                      bundles being sealed
 * Bundles for file delivery and receipts for partners without a transport go to
 * `<dataDir>/exports/`.
 *
 * Flow out: preview and seal both go through releaseSealer.ts, the one sealing path the CLI uses
 * too: policy, operations since the partner's last acknowledged clock (all of it the first time;
 * deletions only as bare tombstones to partners that held the record), the second check
 * (`assertReleasable`) on the exact serialized operations, one bundle per partner (encrypted to it
 * and our archive key), outbox or exports, sync state, log.
 * Flow in: the sender is identified by the key id in the bundle's signature stanza (readable without
 * decrypting), must be a trusted partner, then the bundle is verified against its pinned card,
 * checked for replay / broken chain, decrypted into staging and every operation validated. The
 * renderer merges and calls complete → sync state, signed receipt back to the sender, log.
 * Receipts arriving through a transport (`<bundleId>.receipt`) are applied after each sync.
 *
 * Mutations of state files run one at a time (`exclusive`), so automatic sync, imports and seals
 * never interleave their read-modify-write cycles.
 */
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  DownloadRef,
  MethodName,
  MethodOutput,
  ServiceHandlers,
} from '../../../shared/contract/index.ts';
import type {
  ExchangeCaseFile,
  PartnerView,
  PendingImport,
  ReleasePreview,
  SealedBundle,
  StagedBundle,
} from '../../../shared/contract/exchange.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { isAgreementInForce, parseSharingAgreement } from '../../../shared/exchange/agreement.ts';
import type { IdentityCard, Revocation } from '../../../shared/exchange/bundleFormat.ts';
import { parseIdentityCard, SIGNATURE_STANZA_TYPE } from '../../../shared/exchange/bundleFormat.ts';
import { fingerprintBytes, fingerprintMatches } from '../../../shared/exchange/fingerprint.ts';
import type { Operation } from '../../../shared/exchange/operations.ts';
import { parseOperations } from '../../../shared/exchange/operations.ts';
import { POLICY_VERSION } from '../../../shared/exchange/policy.ts';
import type { PartnerSyncState, Receipt } from '../../../shared/exchange/syncState.ts';
import {
  applyReceipt,
  checkIncoming,
  initialSyncState,
  nextOutgoing,
  parseReceipt,
  receiptSignedText,
  RECEIPT_FORMAT,
  RECEIPT_VERSION,
  recordReceived,
} from '../../../shared/exchange/syncState.ts';
import type { AnyRecord } from '../../../shared/model/records.ts';
import { openBundle } from '../bundle/index.ts';
import { ExchangeLog, verifyLog } from '../exchangeLog/index.ts';
import type { LogEntryInput } from '../exchangeLog/index.ts';
import type { ChooseSavePath } from '../files/filesService.ts';
import { type ScratchFile, ScratchSpace, sweepScratch } from '../files/scratch.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';
import {
  assertStrongPassphrase,
  assertUsable,
  IdentityError,
  IdentityStore,
  PassphraseProtector,
  SafeStorageProtector,
  verifyCard,
  verifyCardChain,
  type SafeStorageLike,
  type ScryptParams,
  type SecretProtector,
  type UnlockedIdentity,
} from '../identity/index.ts';
import { ed25519Sign, ed25519Verify } from '../identity/keys.ts';
import { SECRET_FILE } from '../identity/store.ts';
import { Synchronizer } from '../sync/synchronizer.ts';
import type { InboxItem } from '../sync/queues.ts';
import {
  createTransport,
  transportConfigSchema,
  type TransportConfig,
} from '../transports/registry.ts';
import { isValidName } from '../transports/transport.ts';
import { TransferService, type DownloadSource } from '../transfer/index.ts';
import {
  loadFailed,
  loadPartners,
  loadSyncStates,
  loadTransports,
  type PartnerRecord,
  saveFailed,
  savePartners,
  saveSyncStates,
  syncStateFile,
  saveTransports,
} from './state.ts';
import {
  planRelease,
  type ReleasePartner,
  type ReleasePlan,
  ReleaseSealer,
  ReleaseSealError,
  type SyncStateStore,
} from './releaseSealer.ts';
import { cardSummary, identityCardView, syncStatusView, transportSettingsView } from './views.ts';
import { errorMessage } from '../../../shared/base/errors.ts';

/** Handlers receive the parsed input (defaults applied). */
type In<M extends MethodName> = Parameters<ServiceHandlers[M]>[0];
type Out<M extends MethodName> = MethodOutput<M>;

export interface ExchangeServiceOptions {
  readonly dataDir: string;
  readonly chooseSavePath: ChooseSavePath;
  /** Web host / CLI: the passphrase from TESSERA_PASSPHRASE; unlocks on first use. */
  readonly passphrase?: string;
  /** Electron: the OS keyring, used when no passphrase is given and its backend is real. */
  readonly safeStorage?: SafeStorageLike;
  /** Lower only in tests. */
  readonly scryptParams?: ScryptParams;
  /** Start automatic sync for automatic transports on unlock (default true). */
  readonly autoSync?: boolean;
  /** Automatic mode: time between healthy syncs (default 60 s). */
  readonly pollIntervalMs?: number;
  readonly now?: () => Date;
  /**
   * Uploads handed in (bundles, attachments for sealing) and downloads handed out. The host passes
   * the one its `transfer.*` methods use; without it the service makes its own. Closed with this
   * service.
   */
  readonly transfer?: TransferService;
}

interface SyncSlot {
  readonly key: string;
  readonly sync: Synchronizer;
  readonly partners: Set<string>;
  readonly stop: () => void;
}

interface ResolvedRef {
  readonly source: 'transport' | 'file';
  readonly path: string;
  readonly fileName: string;
  readonly size: number;
  readonly receivedAt: string;
  readonly slot?: SyncSlot;
  readonly name?: string;
}

interface StagedFile {
  readonly staged: StagedBundle;
  /** The attachments by part name, encrypted in the service's scratch space. */
  readonly attachments: ReadonlyMap<string, ScratchFile>;
}

/** Where a staged bundle is held: all of it in the scratch space, nothing in plaintext on disk. */
interface StagedEntry {
  /** The StagedBundle as JSON. */
  readonly staged: ScratchFile;
  readonly attachments: ReadonlyMap<string, ScratchFile>;
}

/** Not `.json`: the synchronizer's queues keep their metadata in `<name>.json`. */
const RECEIPT_SUFFIX = '.receipt';
const MAX_RECEIPT_BYTES = 64 * 1024;
const MASK = '********';

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_');
}

function transportKey(config: TransportConfig): string {
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

/** The key id and bundle id of a bundle's outer signature stanza, read without decrypting. */
async function readSignatureStanza(
  file: string,
): Promise<{ keyId: string; bundleId: string } | null> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('latin1');
    const end = text.indexOf('\n---');
    const header = end >= 0 ? text.slice(0, end + 1) : text;
    const match = new RegExp(
      `^-> ${SIGNATURE_STANZA_TYPE} 1 ([0-9a-f]{16}) ([0-9A-HJKMNP-TV-Z]{26})$`,
      'm',
    ).exec(header);
    return match ? { keyId: match[1]!, bundleId: match[2]! } : null;
  } finally {
    await handle.close();
  }
}

/** Operations of a case file sealed by `tessera bundle seal` (a snapshot): creates only. */
function caseFileOperations(file: CaseFile): Operation[] {
  const records: AnyRecord[] = [
    file.case,
    ...file.entities,
    ...file.notes,
    ...file.attachments.map(({ contentBase64: _c, ...record }) => record),
    ...file.notices,
    ...file.charts,
  ];
  return records.map((record) => ({ op: 'create', record }));
}

export class ExchangeService {
  private readonly root: string;
  private readonly exportsDir: string;
  private readonly store: IdentityStore;
  private identity: UnlockedIdentity | null = null;
  private protector: SecretProtector | null = null;
  private transports: Record<string, TransportConfig> = {};
  private readonly slots = new Map<string, SyncSlot>();
  private log: ExchangeLog | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private autoUnlock: Promise<void> | null = null;
  private readonly now: () => Date;
  private readonly transfer: TransferService;
  /** Start-up cleanup of what an earlier process left (run once, before any import). */
  private leftovers: Promise<void> | null = null;
  private scratch: Promise<ScratchSpace> | null = null;
  /** Bundles opened for review, by bundleRef; gone with the process (and its scratch key). */
  private readonly stagedImports = new Map<string, StagedEntry>();

  constructor(private readonly options: ExchangeServiceOptions) {
    this.root = path.join(options.dataDir, 'exchange');
    this.exportsDir = path.join(options.dataDir, 'exports');
    this.now = options.now ?? (() => new Date());
    this.transfer =
      options.transfer ??
      new TransferService({
        dataDir: options.dataDir,
        resolveDownload: (ref) => this.downloadSource(ref),
      });
    // The store asks the protector lazily; it is swapped per call through `protectorProxy`.
    this.store = new IdentityStore(path.join(this.root, 'identity'), this.protectorProxy(), () =>
      this.now(),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private current: SecretProtector | null = null;

  /** The IdentityStore's protector: whichever one the current create/unlock call chose. */
  private protectorProxy(): SecretProtector {
    const kindOf = (): string => this.current?.kind ?? 'passphrase';
    return {
      get kind() {
        return kindOf();
      },
      protect: (plain, context) => this.requireProtector().protect(plain, context),
      unprotect: (blob, context) => this.requireProtector().unprotect(blob, context),
    };
  }

  private requireProtector(): SecretProtector {
    if (!this.current) throw new IdentityError('wrong-passphrase', 'the identity is locked');
    return this.current;
  }

  private file(name: string): string {
    return path.join(this.root, name);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private nowIso(): string {
    return this.now().toISOString();
  }

  /** First use in a host with a configured passphrase: unlock quietly, once. */
  private async ready(): Promise<void> {
    await this.removeLeftovers();
    if (this.identity || !this.options.passphrase) return;
    this.autoUnlock ??= (async () => {
      if (await this.store.exists()) {
        await this.unlock({}).catch(() => undefined);
      }
    })();
    await this.autoUnlock;
  }

  private requireIdentity(): UnlockedIdentity {
    if (!this.identity) {
      throw new IdentityError(
        'no-identity',
        'the agency identity is locked or missing: create or unlock it first',
      );
    }
    return this.identity;
  }

  private async secretKind(): Promise<string | null> {
    try {
      const json = JSON.parse(await readFile(path.join(this.store.dir, SECRET_FILE), 'utf8')) as {
        protection?: { kind?: unknown };
      };
      return typeof json.protection?.kind === 'string' ? json.protection.kind : null;
    } catch {
      return null;
    }
  }

  private safeStorageUsable(): boolean {
    return !!this.options.safeStorage && SafeStorageProtector.isUsable(this.options.safeStorage);
  }

  private passphraseProtector(passphrase: string | undefined): SecretProtector {
    const value = passphrase ?? this.options.passphrase;
    if (!value) {
      throw new IdentityError(
        'wrong-passphrase',
        'a passphrase is needed to protect the agency keys (or TESSERA_PASSPHRASE)',
      );
    }
    return new PassphraseProtector(() => value, this.options.scryptParams);
  }

  private async openLog(): Promise<ExchangeLog> {
    this.log ??= await ExchangeLog.open(this.file('exchange.log'));
    return this.log;
  }

  private async appendLog(entries: readonly LogEntryInput[]): Promise<void> {
    const identity = this.requireIdentity();
    const log = await this.openLog();
    await log.append(entries, (message) => ed25519Sign(identity.secrets.signingSeed, message));
  }

  // -------------------------------------------------------------------------------------------
  // Identity

  async status(): Promise<Out<'exchange.status'>> {
    await this.ready();
    const present = await this.store.exists();
    let card: IdentityCard | null = this.identity?.card ?? null;
    if (!card && present) card = await this.store.loadCard().catch(() => null);
    const kind = present ? await this.secretKind() : null;
    const partners = await loadPartners(this.file('partners.json'));
    const states = await loadSyncStates(this.file('sync-state.json'));
    const slotStatuses = [...this.slots.values()].map((slot) => slot.sync.status());
    const network =
      slotStatuses.length === 0
        ? 'none'
        : slotStatuses.some(
              (s) => (s.state === 'idle' || s.state === 'syncing') && s.lastSyncAt !== null,
            )
          ? 'online'
          : 'offline';
    const pending = this.identity ? (await this.listImports()).length : 0;
    return {
      identity: {
        present,
        unlocked: this.identity !== null,
        protection:
          kind === 'safeStorage' ||
          (kind === null && !this.options.passphrase && this.safeStorageUsable())
            ? 'safeStorage'
            : 'passphrase',
        card: card ? cardSummary(card) : null,
      },
      network,
      partners: partners.map((partner) => {
        const mine = states.filter((s) => s.partnerId === partner.agencyId);
        const slot = this.slotOf(partner.agencyId);
        return {
          agencyId: partner.agencyId,
          agencyName: partner.card.agencyName,
          state: partner.state,
          sync: slot ? syncStatusView(slot.sync.status()) : null,
          unacknowledged: mine.reduce(
            (n, s) => n + s.sent.filter((b) => !b.acknowledged).length,
            0,
          ),
          missing: mine.reduce((n, s) => n + s.missing.length, 0),
        };
      }),
      pendingImports: pending,
      checkedAt: this.nowIso(),
    };
  }

  async createIdentity(
    input: In<'exchange.identity.create'>,
  ): Promise<Out<'exchange.identity.create'>> {
    return this.exclusive(async () => {
      const usePassphrase = input.passphrase !== undefined || !this.safeStorageUsable();
      const protector = usePassphrase
        ? this.passphraseProtector(input.passphrase)
        : new SafeStorageProtector(this.options.safeStorage!);
      if (usePassphrase) {
        // The strength floor applies when the passphrase is chosen (also one from
        // TESSERA_PASSPHRASE), never when an existing identity is unlocked with it.
        assertStrongPassphrase(input.passphrase ?? this.options.passphrase ?? '', [
          input.agencyName,
          input.agencyId,
        ]);
      }
      this.current = protector;
      try {
        await this.store.create({ agencyName: input.agencyName, agencyId: input.agencyId });
      } catch (error) {
        this.current = this.protector;
        throw error;
      }
      await this.unlockWith(protector);
      return identityCardView(this.requireIdentity().card);
    });
  }

  async unlock(input: In<'exchange.identity.unlock'>): Promise<Out<'exchange.identity.unlock'>> {
    return this.exclusive(async () => {
      const kind = await this.secretKind();
      if (kind === null) {
        throw new IdentityError('no-identity', 'no agency identity here yet: create one first');
      }
      const protector =
        kind === 'safeStorage'
          ? (() => {
              if (!this.options.safeStorage) {
                throw new IdentityError(
                  'insecure-storage',
                  'the keys are protected by the system keyring, which this host cannot reach',
                );
              }
              return new SafeStorageProtector(this.options.safeStorage);
            })()
          : this.passphraseProtector(input.passphrase);
      await this.unlockWith(protector);
      return { unlocked: true as const, card: cardSummary(this.requireIdentity().card) };
    });
  }

  private async unlockWith(protector: SecretProtector): Promise<void> {
    const previous = this.current;
    this.current = protector;
    let identity: UnlockedIdentity;
    try {
      identity = await this.store.unlock();
    } catch (error) {
      this.current = previous;
      throw error;
    }
    this.identity = identity;
    this.protector = protector;
    this.transports = await loadTransports(
      this.file('transports.json'),
      protector,
      identity.card.agencyId,
    );
    await this.rebuildSlots();
  }

  async lock(): Promise<Out<'exchange.identity.lock'>> {
    return this.exclusive(async () => {
      await this.stopSlots();
      this.identity = null;
      this.protector = null;
      this.current = null;
      this.transports = {};
      return { unlocked: false as const };
    });
  }

  async card(): Promise<Out<'exchange.identity.card'>> {
    await this.ready();
    const card = this.identity?.card ?? (await this.store.loadCard());
    return identityCardView(card);
  }

  async rotate(): Promise<Out<'exchange.identity.rotate'>> {
    return this.exclusive(async () => {
      this.requireIdentity();
      await this.store.rotate();
      this.identity = await this.store.unlock();
      return identityCardView(this.identity.card);
    });
  }

  async revoke(input: In<'exchange.identity.revoke'>): Promise<Out<'exchange.identity.revoke'>> {
    return this.exclusive(async () => {
      this.requireIdentity();
      const revocation = await this.store.revoke(input.reason);
      this.identity = await this.store.unlock();
      return { revocation, card: await identityCardView(this.identity.card) };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Partners

  private async partnerView(
    partner: PartnerRecord,
    states?: PartnerSyncState[],
  ): Promise<PartnerView> {
    const all = states ?? (await loadSyncStates(this.file('sync-state.json')));
    const slot = this.slotOf(partner.agencyId);
    const transport = this.transports[partner.agencyId];
    return {
      agencyId: partner.agencyId,
      agencyName: partner.card.agencyName,
      state: partner.state,
      warning: partner.warning,
      card: cardSummary(partner.card),
      presentedCard: partner.presentedCard ? cardSummary(partner.presentedCard) : null,
      pinnedAt: partner.pinnedAt,
      confirmedAt: partner.confirmedAt,
      agreement: partner.agreement,
      agreementInForce: partner.agreement
        ? isAgreementInForce(partner.agreement, this.nowIso())
        : false,
      transport: transport ? transportSettingsView(transport) : null,
      sync: slot ? syncStatusView(slot.sync.status()) : null,
      cases: all
        .filter((s) => s.partnerId === partner.agencyId)
        .map((s) => ({
          caseId: s.caseId,
          lastSentSequence: s.lastSentSequence,
          unacknowledged: s.sent.filter((b) => !b.acknowledged).length,
          acknowledged: s.sent.filter((b) => b.acknowledged).length,
          lastAcknowledgedHlc: s.lastAcknowledgedHlc,
          lastReceivedSequence: s.lastReceivedSequence,
          missing: [...s.missing],
        })),
    };
  }

  private async partners(): Promise<PartnerRecord[]> {
    return loadPartners(this.file('partners.json'));
  }

  private async partner(agencyId: string): Promise<PartnerRecord> {
    const partner = (await this.partners()).find((p) => p.agencyId === agencyId);
    if (!partner) throw new Error(`no partner agency ${agencyId} in the directory`);
    return partner;
  }

  private async updatePartner(
    agencyId: string,
    change: (partner: PartnerRecord) => PartnerRecord,
  ): Promise<PartnerRecord> {
    const partners = await this.partners();
    const index = partners.findIndex((p) => p.agencyId === agencyId);
    if (index < 0) throw new Error(`no partner agency ${agencyId} in the directory`);
    const updated = change(partners[index]!);
    partners[index] = updated;
    await savePartners(this.file('partners.json'), partners);
    return updated;
  }

  async listPartners(): Promise<Out<'exchange.partners.list'>> {
    await this.ready();
    const states = await loadSyncStates(this.file('sync-state.json'));
    const partners = await this.partners();
    return { partners: await Promise.all(partners.map((p) => this.partnerView(p, states))) };
  }

  async importPartner(
    input: In<'exchange.partners.import'>,
  ): Promise<Out<'exchange.partners.import'>> {
    return this.exclusive(async () => {
      const card = parseIdentityCard(input.cardJson);
      verifyCard(card);
      const own = this.identity?.card ?? (await this.store.loadCard().catch(() => null));
      if (own && own.agencyId === card.agencyId) {
        throw new Error('this is our own identity card, not a partner’s');
      }
      const partners = await this.partners();
      const index = partners.findIndex((p) => p.agencyId === card.agencyId);
      const revocations = (known: readonly Revocation[]): Revocation[] => {
        const all = [...known, ...(card.revocation ? [card.revocation] : [])];
        return [...new Map(all.map((r) => [r.keyId, r])).values()];
      };
      let record: PartnerRecord;
      if (index < 0) {
        record = {
          agencyId: card.agencyId,
          card,
          presentedCard: null,
          state: 'unconfirmed',
          warning: card.revocation
            ? `the key ${card.keyId} of this card is revoked (${card.revocation.reason})`
            : null,
          pinnedAt: this.nowIso(),
          confirmedAt: null,
          agreement: null,
          revocations: revocations([]),
        };
        partners.push(record);
      } else {
        const pinned = partners[index]!;
        try {
          verifyCardChain(pinned.card, card, pinned.revocations);
          // Same key or a rotation signed by the pinned key: the new card replaces the pinned one.
          record = {
            ...pinned,
            card,
            presentedCard: null,
            state: pinned.state === 'blocked' ? 'trusted' : pinned.state,
            warning: null,
            revocations: revocations(pinned.revocations),
          };
        } catch (error) {
          if (!(error instanceof IdentityError)) throw error;
          record = {
            ...pinned,
            presentedCard: card,
            state: 'blocked',
            warning: `${error.message}. Exchange with ${pinned.card.agencyName} is blocked until the new fingerprint is confirmed out of band.`,
            revocations: revocations(pinned.revocations),
          };
        }
        partners[index] = record;
      }
      await savePartners(this.file('partners.json'), partners);
      return { partner: await this.partnerView(record) };
    });
  }

  async confirmPartner(
    input: In<'exchange.partners.confirm'>,
  ): Promise<Out<'exchange.partners.confirm'>> {
    return this.exclusive(async () => {
      const partner = await this.partner(input.agencyId);
      const candidate = partner.presentedCard ?? partner.card;
      if (!fingerprintMatches(fingerprintBytes(candidate), input.fingerprint)) {
        throw new Error(
          `the fingerprint does not match the card of ${candidate.agencyName} (${candidate.agencyId}): do not trust this card`,
        );
      }
      assertUsable(candidate, partner.revocations);
      const updated = await this.updatePartner(input.agencyId, (p) => ({
        ...p,
        card: candidate,
        presentedCard: null,
        state: 'trusted',
        warning: null,
        confirmedAt: this.nowIso(),
      }));
      return { partner: await this.partnerView(updated) };
    });
  }

  async setAgreement(
    input: In<'exchange.partners.setAgreement'>,
  ): Promise<Out<'exchange.partners.setAgreement'>> {
    return this.exclusive(async () => {
      const agreement = input.agreement === null ? null : parseSharingAgreement(input.agreement);
      if (agreement && agreement.partnerAgencyId !== input.agencyId) {
        throw new Error(
          `the agreement is for ${agreement.partnerAgencyId}, not for ${input.agencyId}`,
        );
      }
      const updated = await this.updatePartner(input.agencyId, (p) => ({ ...p, agreement }));
      return { partner: await this.partnerView(updated) };
    });
  }

  async removePartner(
    input: In<'exchange.partners.remove'>,
  ): Promise<Out<'exchange.partners.remove'>> {
    return this.exclusive(async () => {
      const partners = await this.partners();
      const rest = partners.filter((p) => p.agencyId !== input.agencyId);
      if (rest.length === partners.length) return { removed: false };
      const slot = this.slotOf(input.agencyId);
      if (slot) {
        for (const item of await slot.sync.outboxItems()) {
          if (item.partner === input.agencyId) await slot.sync.outbox.remove(item.name);
        }
      }
      if (this.transports[input.agencyId] && this.protector && this.identity) {
        const { [input.agencyId]: _gone, ...others } = this.transports;
        this.transports = others;
        await saveTransports(
          this.file('transports.json'),
          this.protector,
          this.identity.card.agencyId,
          others,
        );
      }
      await savePartners(this.file('partners.json'), rest);
      await this.rebuildSlots();
      return { removed: true };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Transports and synchronizers

  private slotOf(agencyId: string): SyncSlot | undefined {
    for (const slot of this.slots.values()) if (slot.partners.has(agencyId)) return slot;
    return undefined;
  }

  private async stopSlots(): Promise<void> {
    for (const slot of this.slots.values()) {
      slot.stop();
      await slot.sync.stop();
    }
    this.slots.clear();
  }

  /** One synchronizer per distinct automatic transport of a known partner. */
  private async rebuildSlots(): Promise<void> {
    const identity = this.identity;
    if (!identity) return;
    const known = new Set((await this.partners()).map((p) => p.agencyId));
    const wanted = new Map<string, { config: TransportConfig; partners: Set<string> }>();
    for (const [agencyId, config] of Object.entries(this.transports)) {
      if (!known.has(agencyId) || config.kind === 'file') continue;
      const key = transportKey(config);
      const entry = wanted.get(key) ?? { config, partners: new Set<string>() };
      entry.partners.add(agencyId);
      wanted.set(key, entry);
    }
    for (const [key, slot] of [...this.slots]) {
      if (!wanted.has(key)) {
        slot.stop();
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
      const dir = this.file(path.join('transports', key));
      const sync = new Synchronizer({
        transport: createTransport(entry.config),
        ownMailbox: identity.card.agencyId,
        outboxDir: path.join(dir, 'outbox'),
        inboxDir: path.join(dir, 'inbox'),
        ...(this.options.pollIntervalMs !== undefined
          ? { pollIntervalMs: this.options.pollIntervalMs }
          : {}),
      });
      const slot: SyncSlot = { key, sync, partners: new Set(entry.partners), stop: () => {} };
      const off = sync.on('received', (item) => {
        if (item.name.endsWith(RECEIPT_SUFFIX)) {
          void this.exclusive(() => this.processReceipts(slot)).catch(() => undefined);
        }
      });
      this.slots.set(key, { ...slot, stop: off });
      await sync.refresh();
      if (this.options.autoSync !== false) sync.start();
    }
  }

  async configureTransport(
    input: In<'exchange.transport.configure'>,
  ): Promise<Out<'exchange.transport.configure'>> {
    return this.exclusive(async () => {
      const identity = this.requireIdentity();
      const protector = this.protector!;
      const partner = await this.partner(input.agencyId);
      const before = this.slotOf(input.agencyId);
      const next = { ...this.transports };
      if (input.config === null || input.config.kind === 'file') {
        delete next[input.agencyId];
      } else {
        let raw: Record<string, unknown> = { ...input.config };
        if (input.config.kind === 's3') {
          const stored = this.transports[input.agencyId];
          const secret = input.config.secretAccessKey;
          if (secret === '' || secret === MASK) {
            if (stored?.kind !== 's3') throw new Error('the S3 secret access key is missing');
            raw = { ...raw, secretAccessKey: stored.secretAccessKey };
          }
          if (input.config.sessionToken === MASK && stored?.kind === 's3') {
            raw = { ...raw, sessionToken: stored.sessionToken };
          }
        }
        const result = transportConfigSchema.safeParse(raw);
        if (!result.success) {
          const issue = result.error.issues[0];
          throw new Error(
            `invalid transport settings: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
          );
        }
        next[input.agencyId] = result.data;
      }
      await saveTransports(this.file('transports.json'), protector, identity.card.agencyId, next);
      this.transports = next;
      // Bundles waiting for this partner move to the new transport's outbox.
      const moving = before
        ? (await before.sync.outboxItems()).filter((item) => item.partner === input.agencyId)
        : [];
      await this.rebuildSlots();
      const after = this.slotOf(input.agencyId);
      if (before && after !== before && after) {
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
      return { partner: await this.partnerView(partner) };
    });
  }

  async syncNow(input: In<'exchange.sync.now'>): Promise<Out<'exchange.sync.now'>> {
    await this.ready();
    this.requireIdentity();
    const slots =
      input.agencyId === undefined
        ? [...this.slots.values()]
        : [this.slotOf(input.agencyId)].filter((s): s is SyncSlot => s !== undefined);
    if (input.agencyId !== undefined && slots.length === 0) {
      throw new Error(`no automatic transport is configured for ${input.agencyId}`);
    }
    for (const slot of slots) {
      await slot.sync.syncOnce();
      await this.exclusive(() => this.processReceipts(slot));
    }
    const result: Out<'exchange.sync.now'>['partners'] = [];
    for (const slot of slots) {
      for (const agencyId of slot.partners) {
        if (input.agencyId === undefined || input.agencyId === agencyId) {
          result.push({ agencyId, sync: syncStatusView(slot.sync.status()) });
        }
      }
    }
    return { partners: result };
  }

  /** Applies receipts waiting in a synchronizer's inbox (inside `exclusive`). */
  private async processReceipts(slot: SyncSlot): Promise<void> {
    for (const item of await slot.sync.inboxItems()) {
      if (!item.name.endsWith(RECEIPT_SUFFIX)) continue;
      try {
        if (item.size > MAX_RECEIPT_BYTES) throw new Error('receipt file too large');
        await this.applyReceiptText(await readFile(item.path, 'utf8'));
        await slot.sync.confirmImported(item.name);
      } catch (error) {
        await this.recordFailure(`t.${slot.key}.${item.name}`, errorMessage(error));
        await slot.sync.discard(item.name);
      }
    }
  }

  /** Verifies a receipt against the partner's pinned card and folds it into the sync state. */
  private async applyReceiptText(text: string): Promise<Receipt> {
    const identity = this.requireIdentity();
    const receipt = parseReceipt(text);
    const partner = await this.partner(receipt.from);
    if (partner.state !== 'trusted') {
      throw new Error(`receipt from ${receipt.from}, which is not a trusted partner`);
    }
    if (receipt.to !== identity.card.agencyId) {
      throw new Error(`the receipt is addressed to ${receipt.to}, not to us`);
    }
    const { signature, ...unsigned } = receipt;
    if (
      !ed25519Verify(
        Buffer.from(partner.card.signingKey, 'base64'),
        receiptSignedText(unsigned),
        Buffer.from(signature, 'base64'),
      )
    ) {
      throw new Error(
        `the receipt for bundle ${receipt.bundleId} is not signed by ${receipt.from}`,
      );
    }
    const states = await loadSyncStates(this.file('sync-state.json'));
    const index = states.findIndex(
      (s) => s.partnerId === receipt.from && s.caseId === receipt.caseId,
    );
    if (index < 0) throw new Error(`receipt for a case never sent to ${receipt.from}`);
    states[index] = applyReceipt(states[index]!, receipt);
    await saveSyncStates(this.file('sync-state.json'), states);
    await this.appendLog([
      {
        type: 'receipt-received',
        data: { bundleId: receipt.bundleId, partnerId: receipt.from, status: receipt.status },
      },
    ]);
    return receipt;
  }

  // -------------------------------------------------------------------------------------------
  // Export

  private exportProblems(partner: PartnerRecord | undefined, agencyId: string): string[] {
    if (!partner) return [`${agencyId} is not in the partner directory`];
    const problems: string[] = [];
    if (partner.state === 'unconfirmed')
      problems.push('the partner’s fingerprint has not been confirmed out of band');
    if (partner.state === 'blocked') problems.push(partner.warning ?? 'the partner is blocked');
    if (!partner.agreement) problems.push('there is no sharing agreement with this partner');
    try {
      assertUsable(partner.card, partner.revocations);
    } catch (error) {
      problems.push(errorMessage(error));
    }
    return problems;
  }

  private async syncStateFor(partnerId: string, caseId: string): Promise<PartnerSyncState> {
    return this.syncStateStore().load(partnerId, caseId);
  }

  /** The sync states as the sealer reads and writes them (inside `exclusive`). */
  private syncStateStore(): SyncStateStore {
    return syncStateFile(this.file('sync-state.json'));
  }

  async preview(input: In<'exchange.export.preview'>): Promise<Out<'exchange.export.preview'>> {
    await this.ready();
    const own = this.identity?.card ?? (await this.store.loadCard());
    const caseFile = input.caseFile as CaseFile;
    const partners = await this.partners();
    const now = this.nowIso();
    const result: ReleasePreview[] = [];
    for (const partnerId of input.partnerIds) {
      const partner = partners.find((p) => p.agencyId === partnerId);
      const problems = this.exportProblems(partner, partnerId);
      const state = await this.syncStateFor(partnerId, caseFile.case.id);
      const next = nextOutgoing(state);
      const base = {
        partnerId,
        partnerName: partner?.card.agencyName ?? partnerId,
        policyVersion: POLICY_VERSION,
        fullSnapshot: next.since === null,
        nextSequence: next.sequence,
      };
      if (!partner?.agreement) {
        result.push({
          ...base,
          ready: false,
          problems,
          released: { case: false, entities: 0, notes: 0, attachments: 0, notices: 0, charts: 0 },
          releasedIds: [],
          withheld: [],
          stripped: [],
          operations: 0,
        });
        continue;
      }
      // The same plan the sealer builds (policy, deletion rule, operations for this partner).
      const plan = planRelease(caseFile, partnerId, partner.agreement, state, {
        ownAgencyId: own.agencyId,
        now,
      });
      const { decision } = plan;
      const set = decision.released;
      if (!set.case) problems.push('the case itself may not go to this partner');
      const live = new Set(plan.releasedIds);
      const count = (records: readonly { id: string }[]): number =>
        records.filter((r) => live.has(r.id)).length;
      result.push({
        ...base,
        ready: problems.length === 0,
        problems,
        released: {
          case: set.case !== undefined,
          entities: count(set.entities),
          notes: count(set.notes),
          attachments: count(set.attachments),
          notices: count(set.notices),
          charts: count(set.charts),
        },
        releasedIds: [...plan.releasedIds],
        withheld: decision.withheld.map((w) => ({ ...w, reasons: [...w.reasons] })),
        stripped: decision.stripped.map((s) => ({ ...s, reasons: [...s.reasons] })),
        operations: plan.operations.length,
      });
    }
    return { partners: result };
  }

  async seal(input: In<'exchange.export.seal'>): Promise<Out<'exchange.export.seal'>> {
    await this.ready();
    return this.exclusive(async () => {
      const identity = this.requireIdentity();
      assertUsable(identity.card);
      const caseFile = input.caseFile as CaseFile;
      const partners = await this.partners();
      const sealer = new ReleaseSealer({
        identity,
        now: this.now,
        syncStates: this.syncStateStore(),
        appendLog: (entries) => this.appendLog(entries),
      });
      const recordMeta = input.recordMeta ? { recordMeta: input.recordMeta } : {};
      // Every partner is checked (and its release planned) before anything is sealed.
      const plans: { partner: PartnerRecord & ReleasePartner; plan: ReleasePlan }[] = [];
      for (const partnerId of input.partnerIds) {
        const partner = partners.find((p) => p.agencyId === partnerId);
        const problems = this.exportProblems(partner, partnerId);
        if (input.delivery === 'transport' && !this.slotOf(partnerId)) {
          problems.push('no automatic transport is configured (use file delivery)');
        }
        if (problems.length > 0 || !partner?.agreement) {
          throw new Error(`cannot seal for ${partnerId}: ${problems.join('; ')}`);
        }
        const releasePartner = { ...partner, agreement: partner.agreement };
        try {
          plans.push({
            partner: releasePartner,
            plan: await sealer.prepare(caseFile, releasePartner, recordMeta),
          });
        } catch (error) {
          if (error instanceof ReleaseSealError && error.code === 'case-withheld') {
            throw new Error(
              `cannot seal for ${partnerId}: the case itself may not go to this partner`,
            );
          }
          throw error;
        }
      }
      const attachmentsById = new Map(input.caseFile.attachments.map((a) => [a.id, a]));
      const results: SealedBundle[] = [];
      for (const { partner, plan } of plans) {
        let exportRef: string | null = null;
        let exportPath: string | null = null;
        let fileName = '';
        const sealed = await sealer.sealPlan(plan, caseFile, partner, {
          ...recordMeta,
          // Inline base64 or a finished upload (contentRef), each checked against the record.
          attachmentContent: (record) => {
            const original = attachmentsById.get(record.id);
            return original ? this.attachmentSource(original) : undefined;
          },
          tmpDir: this.file('tmp'),
          deliver: async (temp, bundle) => {
            fileName = `${sanitize(caseFile.case.reference || plan.caseId)}-${sanitize(partner.agencyId)}-${plan.next.sequence}-${bundle.bundleId}.tessera`;
            if (input.delivery === 'transport') {
              await this.slotOf(partner.agencyId)!.sync.enqueue(temp, {
                partner: partner.agencyId,
                bundleId: bundle.bundleId,
                sequence: plan.next.sequence,
                name: `${bundle.bundleId}.tessera`,
              });
            } else {
              await mkdir(this.exportsDir, { recursive: true });
              exportPath = path.join(this.exportsDir, fileName);
              await rename(temp, exportPath);
              exportRef = `x.${fileName}`;
            }
          },
        });
        results.push({
          partnerId: partner.agencyId,
          bundleId: sealed.sealed.bundleId,
          bundleDigest: sealed.sealed.bundleDigest,
          size: sealed.sealed.size,
          sequence: sealed.sequence,
          operations: plan.operations.length,
          attachments: sealed.attachments,
          released: plan.releasedIds.length,
          withheld: plan.decision.withheld.length,
          delivery: input.delivery,
          exportRef,
          fileName,
          path: exportPath,
        });
      }
      return { bundles: results };
    });
  }

  private exportPath(exportRef: string): { path: string; fileName: string } {
    const fileName = exportRef.startsWith('x.') ? exportRef.slice(2) : '';
    if (!isValidName(fileName)) throw new Error(`unknown export ${exportRef}`);
    return { path: path.join(this.exportsDir, fileName), fileName };
  }

  async saveExport(input: In<'exchange.export.save'>): Promise<Out<'exchange.export.save'>> {
    const source = this.exportPath(input.exportRef);
    await stat(source.path).catch(() => {
      throw new Error(`the exported file ${source.fileName} is gone`);
    });
    const target = await this.options.chooseSavePath(source.fileName);
    if (target === null) return { path: null };
    if (path.resolve(target) === path.resolve(source.path)) return { path: target };
    const temp = `${target}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      await copyFile(source.path, temp);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { path: target };
  }

  /**
   * Where the content of a case file's attachment comes from when it is sealed: inline base64
   * (checked here against the record's size and SHA-256) or a finished upload (`contentRef`,
   * checked at its finish and held encrypted since; its size and SHA-256 must be the record's).
   * The sealer (../bundle/seal.ts) takes either as a `SealAttachment` source.
   */
  attachmentSource(
    record: ExchangeCaseFile['attachments'][number],
  ): { readonly bytes: Uint8Array } | { readonly stream: AsyncIterable<Uint8Array> } {
    const mismatch = () =>
      new Error(
        `attachment ${record.id} (${record.fileName}): content does not match its size and SHA-256`,
      );
    if (record.contentRef !== undefined) {
      const content = this.transfer.attachmentContent(record.contentRef);
      if (content.size !== record.size || content.sha256 !== record.sha256) throw mismatch();
      return { stream: content.stream };
    }
    if (record.contentBase64 === undefined) {
      throw new Error(
        `attachment ${record.id} (${record.fileName}) has no content in the case file`,
      );
    }
    const bytes = Buffer.from(record.contentBase64, 'base64');
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== record.size || sha256 !== record.sha256) throw mismatch();
    return { bytes };
  }

  /** What `transfer.download.begin` serves: an exported file or a staged attachment. */
  async downloadSource(ref: DownloadRef): Promise<DownloadSource> {
    if (ref.kind === 'export') return this.exportDownload(ref.exportRef);
    return this.stagedAttachmentDownload(ref.bundleRef, ref.name);
  }

  /** An exported bundle or receipt, streamed from the exports folder. */
  private async exportDownload(exportRef: string): Promise<DownloadSource> {
    const source = this.exportPath(exportRef);
    const info = await stat(source.path).catch(() => {
      throw new Error(`the exported file ${source.fileName} is gone`);
    });
    if (!info.isFile()) throw new Error(`the exported file ${source.fileName} is gone`);
    return {
      fileName: source.fileName,
      size: info.size,
      sha256: null,
      open: () => createReadStream(source.path, { end: Math.max(0, info.size - 1) }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Import

  private async recordFailure(ref: string, message: string): Promise<void> {
    const failed = await loadFailed(this.file('failed.json'));
    failed[ref] = message;
    await saveFailed(this.file('failed.json'), failed);
  }

  private async clearFailure(ref: string): Promise<void> {
    const failed = await loadFailed(this.file('failed.json'));
    if (failed[ref] === undefined) return;
    delete failed[ref];
    await saveFailed(this.file('failed.json'), failed);
  }

  async importFromFile(
    input: In<'exchange.import.fromFile'>,
  ): Promise<Out<'exchange.import.fromFile'>> {
    await this.ready();
    this.requireIdentity();
    const dir = this.file('imports');
    await mkdir(dir, { recursive: true });
    const id = crypto.randomBytes(8).toString('hex');
    const target = path.join(dir, `${id}.bundle`);
    // An upload is moved into place; a chosen file is copied, refused unless it is a regular file
    // within the cap. Either way the file is complete once it is there.
    const { fileName } = await this.transfer.takeFile(input.ref, 'bundle-import', target);
    const head = Buffer.alloc(32);
    const handle = await open(target, 'r');
    const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
    const start = head.subarray(0, bytesRead).toString('latin1').trimStart();
    if (start.startsWith('{')) {
      try {
        const size = (await stat(target)).size;
        if (size > MAX_RECEIPT_BYTES) throw new Error('not a receipt: too large');
        const receipt = await this.exclusive(async () =>
          this.applyReceiptText(await readFile(target, 'utf8')),
        );
        return {
          kind: 'receipt' as const,
          bundleRef: null,
          message: `receipt from ${receipt.from} for bundle ${receipt.bundleId} (${receipt.status}) applied`,
        };
      } finally {
        await rm(target, { force: true });
      }
    }
    if (!start.startsWith('age-encryption.org/v1')) {
      await rm(target, { force: true });
      throw new Error(`${fileName} is neither a Tessera bundle nor a receipt`);
    }
    const size = (await stat(target)).size;
    await writeFileAtomic(
      path.join(dir, `${id}.json`),
      JSON.stringify({ fileName, size, receivedAt: this.nowIso() }),
    );
    return {
      kind: 'bundle' as const,
      bundleRef: `f.${id}`,
      message: `${fileName} is waiting for review`,
    };
  }

  private async resolveRef(ref: string): Promise<ResolvedRef> {
    const file = /^f\.([0-9a-f]{16})$/.exec(ref);
    if (file) {
      const dir = this.file('imports');
      try {
        const meta = JSON.parse(await readFile(path.join(dir, `${file[1]}.json`), 'utf8')) as {
          fileName: string;
          size: number;
          receivedAt: string;
        };
        return { source: 'file', path: path.join(dir, `${file[1]}.bundle`), ...meta };
      } catch {
        throw new Error(`no pending import ${ref}`);
      }
    }
    const transport = /^t\.([0-9a-f]{16})\.(.+)$/.exec(ref);
    const slot = transport ? this.slots.get(transport[1]!) : undefined;
    const item =
      slot && isValidName(transport![2]!) ? await slot.sync.inbox.item(transport![2]!) : null;
    if (!slot || !item) throw new Error(`no pending import ${ref}`);
    return {
      source: 'transport',
      path: item.path,
      fileName: item.name,
      size: item.size,
      receivedAt: item.fetchedAt,
      slot,
      name: item.name,
    };
  }

  private async senderOf(file: string): Promise<PartnerRecord | null> {
    const stanza = await readSignatureStanza(file).catch(() => null);
    if (!stanza) return null;
    return this.partnerByKey(stanza.keyId);
  }

  private async partnerByKey(keyId: string): Promise<PartnerRecord | null> {
    for (const partner of await this.partners()) {
      const keys = [
        partner.card.keyId,
        ...partner.card.rotations.map((r) => r.fromKeyId),
        ...(partner.presentedCard ? [partner.presentedCard.keyId] : []),
      ];
      if (keys.includes(keyId)) return partner;
    }
    return null;
  }

  private async listImports(): Promise<PendingImport[]> {
    const failed = await loadFailed(this.file('failed.json'));
    const items: PendingImport[] = [];
    const add = async (
      ref: string,
      source: 'transport' | 'file',
      file: string,
      fileName: string,
      size: number,
      receivedAt: string,
    ) => {
      const sender = await this.senderOf(file);
      const staged = this.stagedImports.has(ref);
      const error = failed[ref];
      items.push({
        bundleRef: ref,
        source,
        partnerId: sender?.agencyId ?? null,
        partnerName: sender?.card.agencyName ?? null,
        fileName,
        size,
        receivedAt,
        state: staged ? 'staged' : error !== undefined ? 'failed' : 'pending',
        ...(error !== undefined ? { error } : {}),
      });
    };
    for (const slot of this.slots.values()) {
      const inbox: InboxItem[] = await slot.sync.inboxItems();
      for (const item of inbox) {
        if (item.name.endsWith(RECEIPT_SUFFIX)) continue;
        await add(
          `t.${slot.key}.${item.name}`,
          'transport',
          item.path,
          item.name,
          item.size,
          item.fetchedAt,
        );
      }
    }
    const dir = this.file('imports');
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const match = /^([0-9a-f]{16})\.json$/.exec(name);
      if (!match) continue;
      const ref = `f.${match[1]}`;
      const resolved = await this.resolveRef(ref).catch(() => null);
      if (resolved)
        await add(
          ref,
          'file',
          resolved.path,
          resolved.fileName,
          resolved.size,
          resolved.receivedAt,
        );
    }
    return items.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async listPending(): Promise<Out<'exchange.import.list'>> {
    await this.ready();
    this.requireIdentity();
    return { items: await this.listImports() };
  }

  /**
   * Removes, once per process, what earlier ones left: scratch folders of processes that are gone
   * (ciphertext under a key that died with them) and the plaintext `staging/` folder of versions
   * before issue 8.
   */
  private removeLeftovers(): Promise<void> {
    this.leftovers ??= (async () => {
      await sweepScratch(this.file('scratch'));
      await rm(this.file('staging'), { recursive: true, force: true });
    })();
    return this.leftovers;
  }

  /** This process's scratch space (0700 folder, files encrypted under a key held in memory). */
  private scratchSpace(): Promise<ScratchSpace> {
    this.scratch ??= this.removeLeftovers().then(() => ScratchSpace.create(this.file('scratch')));
    return this.scratch;
  }

  private async loadStaged(ref: string): Promise<StagedFile | null> {
    const entry = this.stagedImports.get(ref);
    if (!entry) return null;
    const scratch = await this.scratchSpace();
    try {
      const staged = JSON.parse(
        (await scratch.readAll(entry.staged)).toString('utf8'),
      ) as StagedBundle;
      return { staged, attachments: entry.attachments };
    } catch {
      // Unreadable (removed or altered on disk): forget it, the bundle is opened again.
      await this.dropStaged(ref);
      return null;
    }
  }

  /** Forgets a staged bundle and removes its scratch files. */
  private async dropStaged(ref: string): Promise<void> {
    const entry = this.stagedImports.get(ref);
    if (!entry) return;
    this.stagedImports.delete(ref);
    const scratch = await this.scratchSpace();
    for (const file of [entry.staged, ...entry.attachments.values()]) await scratch.remove(file);
  }

  /** The plaintext of a staged attachment, chunk by chunk, each authenticated as it is read. */
  private async *stagedAttachmentChunks(staged: StagedFile, name: string): AsyncGenerator<Buffer> {
    const file = staged.attachments.get(name);
    if (!file) throw new Error(`the bundle has no attachment ${name}`);
    yield* (await this.scratchSpace()).read(file);
  }

  async openImport(input: In<'exchange.import.open'>): Promise<Out<'exchange.import.open'>> {
    await this.ready();
    return this.exclusive(async () => {
      const identity = this.requireIdentity();
      const ref = input.bundleRef;
      const already = await this.loadStaged(ref);
      if (already) return already.staged;
      const resolved = await this.resolveRef(ref);
      const logRefused = async (
        detail: string,
        partner: PartnerRecord | null,
        known: { bundleId?: string; caseId?: string; sequence?: number; digest?: string },
        outcome: 'replay' | 'broken-chain' | 'invalid',
      ): Promise<void> => {
        if (!partner || !known.bundleId) return;
        await this.appendLog([
          {
            type: 'bundle-received',
            data: {
              bundleId: known.bundleId,
              caseId: known.caseId ?? 'unknown',
              sender: partner.agencyId,
              sequence: known.sequence ?? 1,
              digest: known.digest ?? '0'.repeat(64),
              outcome,
              detail: detail.slice(0, 2000),
            },
          },
        ]).catch(() => undefined);
      };
      let partner: PartnerRecord | null = null;
      let stanzaBundleId: string | undefined;
      try {
        const stanza = await readSignatureStanza(resolved.path);
        if (!stanza) {
          throw new Error(
            'the file carries no Tessera signature: it may be re-encrypted or forged, and is refused',
          );
        }
        stanzaBundleId = stanza.bundleId;
        partner = await this.partnerByKey(stanza.keyId);
        if (!partner) {
          throw new Error(
            `the bundle is signed by an unknown key ${stanza.keyId}: import and confirm the sender’s card first`,
          );
        }
        if (partner.state === 'unconfirmed') {
          throw new Error(
            `the bundle is from ${partner.card.agencyName} (${partner.agencyId}), whose fingerprint has not been confirmed: confirm it out of band first`,
          );
        }
        if (partner.state === 'blocked') {
          throw new Error(
            `exchange with ${partner.card.agencyName} (${partner.agencyId}) is blocked: ${partner.warning ?? 'its key changed'}`,
          );
        }
        const states = await loadSyncStates(this.file('sync-state.json'));
        const seen = (bundleId: string): boolean =>
          states.some(
            (s) =>
              s.partnerId === partner!.agencyId && s.received.some((r) => r.bundleId === bundleId),
          );
        if (seen(stanza.bundleId)) {
          const message = `bundle ${stanza.bundleId} was received before (replay): nothing to import`;
          await logRefused(message, partner, { bundleId: stanza.bundleId }, 'replay');
          throw new Error(message);
        }
        await this.dropStaged(ref);
        // Decrypted parts go only into the scratch space (finding 9); the attachments stay there.
        const scratch = await this.scratchSpace();
        const opened = await openBundle(resolved.path, identity, partner.card, undefined, {
          revocations: partner.revocations,
          seenBundleIds: seen,
          scratch,
        });
        let kept = false;
        try {
          const manifest = opened.manifest;
          const mine = manifest.recipients.find((r) => r.agencyId === identity.card.agencyId);
          if (!mine) throw new Error('the bundle manifest does not list our agency as a recipient');
          const state =
            states.find((s) => s.partnerId === partner!.agencyId && s.caseId === manifest.caseId) ??
            initialSyncState(partner.agencyId, manifest.caseId);
          const check = checkIncoming(state, {
            bundleId: manifest.bundleId,
            sequence: mine.sequence,
            previousBundleDigest: mine.previousBundleDigest,
            digest: opened.bundleDigest,
          });
          if (check.status === 'replay' || check.status === 'broken-chain') {
            await logRefused(
              check.message,
              partner,
              {
                bundleId: manifest.bundleId,
                caseId: manifest.caseId,
                sequence: mine.sequence,
                digest: opened.bundleDigest,
              },
              check.status,
            );
            throw new Error(check.message);
          }
          const text = opened.operations.toString('utf8');
          let operations: Operation[];
          let documentCase: string;
          try {
            const document = parseOperations(text);
            operations = [...document.operations];
            documentCase = document.caseId;
          } catch (error) {
            // A bundle sealed by `tessera bundle seal` carries a case file (a snapshot).
            let file: CaseFile;
            try {
              file = parseCaseFile(text);
            } catch {
              throw error;
            }
            operations = caseFileOperations(file);
            documentCase = file.case.id;
          }
          if (documentCase !== manifest.caseId) {
            throw new Error('the operations are for another case than the manifest says');
          }
          const staged: StagedBundle = {
            bundleRef: ref,
            bundleId: manifest.bundleId,
            bundleDigest: opened.bundleDigest,
            caseId: manifest.caseId,
            createdAt: manifest.createdAt,
            sender: manifest.sender,
            sequence: mine.sequence,
            previousBundleDigest: mine.previousBundleDigest,
            hlcRange: manifest.hlcRange,
            policyVersion: manifest.policyVersion,
            incoming: { status: check.status, missing: [...check.missing], message: check.message },
            operations: operations as StagedBundle['operations'],
            attachments: opened.attachments.map((a) => ({
              name: a.name,
              recordId: a.label ?? null,
              size: a.size,
              sha256: a.sha256,
            })),
          };
          const stagedFile = await scratch.write(
            crypto.randomBytes(8).toString('hex'),
            Buffer.from(JSON.stringify(staged)),
          );
          this.stagedImports.set(ref, {
            staged: stagedFile,
            attachments: new Map(opened.attachments.map((a) => [a.name, a.scratchFile!])),
          });
          kept = true;
          await this.clearFailure(ref);
          return staged;
        } finally {
          if (!kept) await opened.dispose();
        }
      } catch (error) {
        await this.dropStaged(ref);
        const message = errorMessage(error);
        await this.recordFailure(ref, message);
        if (!/replay|does not follow|is not the one bundle/.test(message)) {
          await logRefused(message, partner, { bundleId: stanzaBundleId }, 'invalid');
        }
        throw error instanceof Error ? error : new Error(message);
      }
    });
  }

  /** One attachment of a staged bundle, streamed (decrypted) from the scratch space. */
  private async stagedAttachmentDownload(bundleRef: string, name: string): Promise<DownloadSource> {
    const staged = await this.loadStaged(bundleRef);
    if (!staged) throw new Error(`bundle ${bundleRef} is not staged: open it first`);
    const part = staged.staged.attachments.find((a) => a.name === name);
    if (!part) throw new Error(`the bundle has no attachment ${name}`);
    return {
      fileName: part.name,
      size: part.size,
      sha256: part.sha256,
      open: () => this.stagedAttachmentChunks(staged, part.name),
    };
  }

  async completeImport(
    input: In<'exchange.import.complete'>,
  ): Promise<Out<'exchange.import.complete'>> {
    await this.ready();
    return this.exclusive(async () => {
      const identity = this.requireIdentity();
      const staged = await this.loadStaged(input.bundleRef);
      if (!staged) throw new Error(`bundle ${input.bundleRef} is not staged: open it first`);
      const bundle = staged.staged;
      const resolved = await this.resolveRef(input.bundleRef);
      const sender = await this.partner(bundle.sender.agencyId);
      const states = await loadSyncStates(this.file('sync-state.json'));
      const index = states.findIndex(
        (s) => s.partnerId === sender.agencyId && s.caseId === bundle.caseId,
      );
      const state = index >= 0 ? states[index]! : initialSyncState(sender.agencyId, bundle.caseId);
      const updated = recordReceived(state, {
        bundleId: bundle.bundleId,
        sequence: bundle.sequence,
        digest: bundle.bundleDigest,
        previousBundleDigest: bundle.previousBundleDigest,
        receivedAt: this.nowIso(),
      });
      const status =
        input.acceptedIds.length === 0 && input.rejectedIds.length > 0 ? 'rejected' : 'applied';
      const unsigned: Omit<Receipt, 'signature'> = {
        format: RECEIPT_FORMAT,
        version: RECEIPT_VERSION,
        from: identity.card.agencyId,
        to: sender.agencyId,
        caseId: bundle.caseId,
        bundleId: bundle.bundleId,
        sequence: bundle.sequence,
        bundleDigest: bundle.bundleDigest,
        status,
        missing: [...updated.missing],
        at: this.nowIso(),
      };
      const receipt: Receipt = {
        ...unsigned,
        signature: ed25519Sign(identity.secrets.signingSeed, receiptSignedText(unsigned)).toString(
          'base64',
        ),
      };
      if (index >= 0) states[index] = updated;
      else states.push(updated);
      await saveSyncStates(this.file('sync-state.json'), states);
      await this.appendLog([
        {
          type: 'bundle-received',
          data: {
            bundleId: bundle.bundleId,
            caseId: bundle.caseId,
            sender: sender.agencyId,
            sequence: bundle.sequence,
            digest: bundle.bundleDigest,
            outcome: status,
            detail: `accepted ${input.acceptedIds.length}, rejected ${input.rejectedIds.length}`,
          },
        },
        {
          type: 'receipt-sent',
          data: { bundleId: bundle.bundleId, partnerId: sender.agencyId, status },
        },
      ]);
      const receiptName = `${bundle.bundleId}${RECEIPT_SUFFIX}`;
      const receiptText = `${JSON.stringify(receipt, null, 2)}\n`;
      const slot = this.slotOf(sender.agencyId);
      let queued = false;
      let receiptExportRef: string | null = null;
      if (slot) {
        await mkdir(this.file('tmp'), { recursive: true });
        const tmp = this.file(path.join('tmp', receiptName));
        await writeFileAtomic(tmp, receiptText);
        try {
          await slot.sync.enqueue(tmp, {
            partner: sender.agencyId,
            bundleId: bundle.bundleId,
            sequence: bundle.sequence,
            name: receiptName,
          });
        } finally {
          await rm(tmp, { force: true });
        }
        queued = true;
      } else {
        await writeFileAtomic(path.join(this.exportsDir, receiptName), receiptText);
        receiptExportRef = `x.${receiptName}`;
      }
      if (resolved.source === 'transport') {
        await resolved.slot!.sync.confirmImported(resolved.name!);
      } else {
        await rm(resolved.path, { force: true });
        await rm(resolved.path.replace(/\.bundle$/, '.json'), { force: true });
      }
      await this.dropStaged(input.bundleRef);
      await this.clearFailure(input.bundleRef);
      return {
        bundleId: bundle.bundleId,
        receiptStatus: status,
        queued,
        receiptExportRef,
        missing: [...updated.missing],
      };
    });
  }

  async discardImport(
    input: In<'exchange.import.discard'>,
  ): Promise<Out<'exchange.import.discard'>> {
    await this.ready();
    return this.exclusive(async () => {
      this.requireIdentity();
      const resolved = await this.resolveRef(input.bundleRef).catch(() => null);
      await this.dropStaged(input.bundleRef);
      await this.clearFailure(input.bundleRef);
      if (!resolved) return { discarded: false };
      if (resolved.source === 'transport') {
        await resolved.slot!.sync.discard(resolved.name!, { acknowledge: true });
      } else {
        await rm(resolved.path, { force: true });
        await rm(resolved.path.replace(/\.bundle$/, '.json'), { force: true });
      }
      return { discarded: true };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Log

  async listLog(input: In<'exchange.log.list'>): Promise<Out<'exchange.log.list'>> {
    const log = await this.openLog();
    const entries = await log.entries();
    return {
      total: entries.length,
      entries: entries
        .slice(-input.limit)
        .reverse()
        .map((e) => ({
          seq: e.seq,
          at: e.at,
          type: e.type,
          data: e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : {},
        })),
    };
  }

  async verifyLog(): Promise<Out<'exchange.log.verify'>> {
    const card = this.identity?.card ?? (await this.store.loadCard().catch(() => null));
    if (!card) return { ok: false, entries: 0, signatures: 0, problems: ['no agency identity'] };
    const keys = [card.signingKey, ...card.rotations.map((r) => r.fromSigningKey)];
    const result = await verifyLog(this.file('exchange.log'), keys);
    return {
      ok: result.ok,
      entries: result.entries,
      signatures: result.signatures,
      problems: [...result.problems],
    };
  }

  /** Stops automatic sync (host shutdown). */
  async close(): Promise<void> {
    await this.stopSlots();
    await this.transfer.close();
    // Staged bundles go with the scratch key; the bundles themselves stay for the next start.
    this.stagedImports.clear();
    const scratch = this.scratch;
    this.scratch = null;
    await (await scratch?.catch(() => null))?.dispose();
  }
}
