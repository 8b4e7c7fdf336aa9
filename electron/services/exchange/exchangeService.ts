/**
 * The exchange service: everything of partner exchange (issue 3) that needs keys, files or the
 * network, behind the `exchange.*` contract methods (shared/contract/exchange.ts). It composes the
 * parts below and stays thin: it serialises writers, unlocks quietly where a passphrase is
 * configured, and turns state into the contract's views.
 *
 *   identitySession.ts   the agency's keys, locked or unlocked
 *   partnerDirectory.ts  pinned cards, trust, agreements (partners.json)
 *   transportSlots.ts    transport settings (transports.json, encrypted) and one synchronizer per
 *                        distinct automatic transport (transports/<key>/outbox|inbox)
 *   exportDesk.ts        preview and seal through releaseSealer.ts; exports/ for file delivery
 *   importDesk.ts        bundles handed in (imports/) or fetched; open, complete, discard
 *   bundleOpener.ts      verifies, decrypts and validates one bundle; logs refusals
 *   stagedImports.ts     opened bundles held encrypted in the scratch space (scratch/)
 *   receipts.ts          signed receipts, out and in
 *   syncStates.ts        per (partner, case) sync state (sync-state.json)
 *   signedLog.ts         the signed, hash-chained exchange log (exchange.log + checkpoint)
 *
 * Layout of `<dataDir>/exchange/` besides those: failed.json (why a bundle's last open failed, see
 * state.ts) and tmp/ (bundles being sealed, receipts on their way to an outbox). Bundles for file
 * delivery and receipts for partners without a transport go to `<dataDir>/exports/`. None of these
 * files holds case content in the clear (issue 10): bundles are encrypted, staged content is in
 * the scratch space, and receipts, the log and the state files carry ids, digests, sequence
 * numbers, counts and codes.
 *
 * Mutations of state files run one at a time (`exclusive`), so automatic sync, imports and seals
 * never interleave their read-modify-write cycles.
 */
import path from 'node:path';
import type {
  DownloadRef,
  MethodName,
  MethodOutput,
  ServiceHandlers,
} from '../../../shared/contract/index.ts';
import type { PartnerView } from '../../../shared/contract/exchange.ts';
import type { PartnerSyncState } from '../../../shared/exchange/syncState.ts';
import { isAgreementInForce } from '../../../shared/exchange/agreement.ts';
import type { ChooseSavePath } from '../files/filesService.ts';
import type { SafeStorageLike, ScryptParams } from '../identity/index.ts';
import { TransferService, type DownloadSource } from '../transfer/index.ts';
import { BundleOpener } from './bundleOpener.ts';
import { ExchangeError } from './errors.ts';
import { ExportDesk } from './exportDesk.ts';
import { IdentitySession } from './identitySession.ts';
import { ImportDesk } from './importDesk.ts';
import { PartnerDirectory } from './partnerDirectory.ts';
import { Receipts, RECEIPT_SUFFIX } from './receipts.ts';
import { SignedLog } from './signedLog.ts';
import { StagedImports } from './stagedImports.ts';
import type { PartnerRecord } from './state.ts';
import { SyncStates } from './syncStates.ts';
import { TransportSlots, type SyncSlot } from './transportSlots.ts';
import { cardSummary, identityCardView, syncStatusView, transportSettingsView } from './views.ts';

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

export class ExchangeService {
  private readonly now: () => Date;
  private readonly transfer: TransferService;
  private readonly session: IdentitySession;
  private readonly partners: PartnerDirectory;
  private readonly syncStates: SyncStates;
  private readonly slots: TransportSlots;
  private readonly log: SignedLog;
  private readonly staged: StagedImports;
  private readonly exports: ExportDesk;
  private readonly imports: ImportDesk;
  private queue: Promise<unknown> = Promise.resolve();
  private autoUnlock: Promise<void> | null = null;

  constructor(options: ExchangeServiceOptions) {
    const root = path.join(options.dataDir, 'exchange');
    const file = (name: string): string => path.join(root, name);
    const exportsDir = path.join(options.dataDir, 'exports');
    const now = options.now ?? (() => new Date());
    this.now = now;
    this.transfer =
      options.transfer ??
      new TransferService({
        dataDir: options.dataDir,
        resolveDownload: (ref) => this.downloadSource(ref),
      });
    this.session = new IdentitySession({
      dir: file('identity'),
      now,
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(options.safeStorage ? { safeStorage: options.safeStorage } : {}),
      ...(options.scryptParams ? { scryptParams: options.scryptParams } : {}),
    });
    const identity = () => this.session.require();
    this.partners = new PartnerDirectory({ file: file('partners.json'), now });
    this.syncStates = new SyncStates(file('sync-state.json'));
    this.log = new SignedLog(file('exchange.log'), (message) => this.session.sign(message));
    this.slots = new TransportSlots({
      file: file('transports.json'),
      dir: file('transports'),
      ...(options.autoSync !== undefined ? { autoSync: options.autoSync } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      onReceived: (slot, name) => {
        if (name.endsWith(RECEIPT_SUFFIX)) {
          void this.exclusive(() => this.imports.applyInboxReceipts(slot)).catch(() => undefined);
        }
      },
    });
    this.staged = new StagedImports({
      scratchRoot: file('scratch'),
      legacyStagingDir: file('staging'),
    });
    const receipts = new Receipts({
      partners: this.partners,
      syncStates: this.syncStates,
      log: this.log,
      identity,
      now,
    });
    this.exports = new ExportDesk({
      exportsDir,
      tmpDir: file('tmp'),
      partners: this.partners,
      slots: this.slots,
      syncStates: this.syncStates,
      log: this.log,
      transfer: this.transfer,
      chooseSavePath: options.chooseSavePath,
      identity,
      ownCard: () => this.session.card(),
      now,
    });
    const opener = new BundleOpener({
      partners: this.partners,
      syncStates: this.syncStates,
      staged: this.staged,
      log: this.log,
      identity,
    });
    this.imports = new ImportDesk({
      importsDir: file('imports'),
      exportsDir,
      tmpDir: file('tmp'),
      failedFile: file('failed.json'),
      transfer: this.transfer,
      slots: this.slots,
      partners: this.partners,
      syncStates: this.syncStates,
      receipts,
      log: this.log,
      staged: this.staged,
      opener,
      identity,
      exclusive: (fn) => this.exclusive(fn),
      now,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Start-up cleanup once; with a configured passphrase, a quiet unlock on first use. */
  private async ready(): Promise<void> {
    await this.staged.removeLeftovers();
    if (this.session.identity || !this.session.autoUnlocks) return;
    this.autoUnlock ??= (async () => {
      if (await this.session.exists()) {
        await this.unlock({}).catch(() => undefined);
      }
    })();
    await this.autoUnlock;
  }

  private async knownPartners(): Promise<Set<string>> {
    return new Set((await this.partners.list()).map((p) => p.agencyId));
  }

  /** After create/unlock: the transport settings and their synchronizers. */
  private async openSlots(): Promise<void> {
    const identity = this.session.require();
    await this.slots.open({ protector: this.session.protector!, agencyId: identity.card.agencyId });
    await this.slots.rebuild(await this.knownPartners());
  }

  private async partnerView(
    partner: PartnerRecord,
    states?: readonly PartnerSyncState[],
  ): Promise<PartnerView> {
    const all = states ?? (await this.syncStates.all());
    const slot = this.slots.slotOf(partner.agencyId);
    const transport = this.slots.configOf(partner.agencyId);
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
        ? isAgreementInForce(partner.agreement, this.now().toISOString())
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

  // -------------------------------------------------------------------------------------------
  // Status and identity

  async status(): Promise<Out<'exchange.status'>> {
    await this.ready();
    const present = await this.session.exists();
    const card = present ? await this.session.ownCard() : null;
    const partners = await this.partners.list();
    const states = await this.syncStates.all();
    const slotStatuses = this.slots.all().map((slot) => slot.sync.status());
    const network =
      slotStatuses.length === 0
        ? 'none'
        : slotStatuses.some(
              (s) => (s.state === 'idle' || s.state === 'syncing') && s.lastSyncAt !== null,
            )
          ? 'online'
          : 'offline';
    const pending = this.session.identity ? (await this.imports.list()).length : 0;
    return {
      identity: {
        present,
        unlocked: this.session.identity !== null,
        protection: await this.session.protection(),
        card: card ? cardSummary(card) : null,
      },
      network,
      partners: partners.map((partner) => {
        const mine = states.filter((s) => s.partnerId === partner.agencyId);
        const slot = this.slots.slotOf(partner.agencyId);
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
      checkedAt: this.now().toISOString(),
    };
  }

  async createIdentity(
    input: In<'exchange.identity.create'>,
  ): Promise<Out<'exchange.identity.create'>> {
    return this.exclusive(async () => {
      const identity = await this.session.create(input);
      await this.openSlots();
      return identityCardView(identity.card);
    });
  }

  async unlock(input: In<'exchange.identity.unlock'>): Promise<Out<'exchange.identity.unlock'>> {
    return this.exclusive(async () => {
      const identity = await this.session.unlock(input.passphrase);
      await this.openSlots();
      return { unlocked: true as const, card: cardSummary(identity.card) };
    });
  }

  async lock(): Promise<Out<'exchange.identity.lock'>> {
    return this.exclusive(async () => {
      await this.slots.close();
      this.session.lock();
      return { unlocked: false as const };
    });
  }

  async card(): Promise<Out<'exchange.identity.card'>> {
    await this.ready();
    return identityCardView(await this.session.card());
  }

  async rotate(): Promise<Out<'exchange.identity.rotate'>> {
    return this.exclusive(async () => identityCardView((await this.session.rotate()).card));
  }

  async revoke(input: In<'exchange.identity.revoke'>): Promise<Out<'exchange.identity.revoke'>> {
    return this.exclusive(async () => {
      const { revocation, identity } = await this.session.revoke(input.reason);
      return { revocation, card: await identityCardView(identity.card) };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Partners and transports

  async listPartners(): Promise<Out<'exchange.partners.list'>> {
    await this.ready();
    const states = await this.syncStates.all();
    const partners = await this.partners.list();
    return { partners: await Promise.all(partners.map((p) => this.partnerView(p, states))) };
  }

  async importPartner(
    input: In<'exchange.partners.import'>,
  ): Promise<Out<'exchange.partners.import'>> {
    return this.exclusive(async () => {
      const own = await this.session.ownCard();
      const record = await this.partners.importCard(input.cardJson, own?.agencyId ?? null);
      return { partner: await this.partnerView(record) };
    });
  }

  async confirmPartner(
    input: In<'exchange.partners.confirm'>,
  ): Promise<Out<'exchange.partners.confirm'>> {
    return this.exclusive(async () => ({
      partner: await this.partnerView(
        await this.partners.confirm(input.agencyId, input.fingerprint),
      ),
    }));
  }

  async setAgreement(
    input: In<'exchange.partners.setAgreement'>,
  ): Promise<Out<'exchange.partners.setAgreement'>> {
    return this.exclusive(async () => ({
      partner: await this.partnerView(
        await this.partners.setAgreement(input.agencyId, input.agreement),
      ),
    }));
  }

  async removePartner(
    input: In<'exchange.partners.remove'>,
  ): Promise<Out<'exchange.partners.remove'>> {
    return this.exclusive(async () => {
      if (!(await this.partners.find(input.agencyId))) return { removed: false };
      const rest = await this.knownPartners();
      rest.delete(input.agencyId);
      await this.slots.remove(input.agencyId, rest);
      await this.partners.remove(input.agencyId);
      return { removed: true };
    });
  }

  async configureTransport(
    input: In<'exchange.transport.configure'>,
  ): Promise<Out<'exchange.transport.configure'>> {
    return this.exclusive(async () => {
      this.session.require();
      const partner = await this.partners.get(input.agencyId);
      await this.slots.configure(input.agencyId, input.config, await this.knownPartners());
      return { partner: await this.partnerView(partner) };
    });
  }

  async syncNow(input: In<'exchange.sync.now'>): Promise<Out<'exchange.sync.now'>> {
    await this.ready();
    this.session.require();
    const slots =
      input.agencyId === undefined
        ? this.slots.all()
        : [this.slots.slotOf(input.agencyId)].filter((s): s is SyncSlot => s !== undefined);
    if (input.agencyId !== undefined && slots.length === 0) {
      throw new ExchangeError(
        'no-transport',
        `no automatic transport is configured for ${input.agencyId}`,
      );
    }
    for (const slot of slots) {
      await slot.sync.syncOnce();
      await this.exclusive(() => this.imports.applyInboxReceipts(slot));
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

  // -------------------------------------------------------------------------------------------
  // Export

  async preview(input: In<'exchange.export.preview'>): Promise<Out<'exchange.export.preview'>> {
    await this.ready();
    return { partners: await this.exports.preview(input) };
  }

  async seal(input: In<'exchange.export.seal'>): Promise<Out<'exchange.export.seal'>> {
    await this.ready();
    return this.exclusive(() => this.exports.seal(input));
  }

  async saveExport(input: In<'exchange.export.save'>): Promise<Out<'exchange.export.save'>> {
    return { path: await this.exports.save(input.exportRef) };
  }

  /** What `transfer.download.begin` serves: an exported file or a staged attachment. */
  async downloadSource(ref: DownloadRef): Promise<DownloadSource> {
    if (ref.kind === 'export') return this.exports.download(ref);
    return this.staged.attachment(ref.bundleRef, ref.name);
  }

  // -------------------------------------------------------------------------------------------
  // Import

  async importFromFile(
    input: In<'exchange.import.fromFile'>,
  ): Promise<Out<'exchange.import.fromFile'>> {
    await this.ready();
    this.session.require();
    return this.imports.handIn(input.ref);
  }

  async listPending(): Promise<Out<'exchange.import.list'>> {
    await this.ready();
    this.session.require();
    return { items: await this.imports.list() };
  }

  async openImport(input: In<'exchange.import.open'>): Promise<Out<'exchange.import.open'>> {
    await this.ready();
    return this.exclusive(() => {
      this.session.require();
      return this.imports.open(input.bundleRef);
    });
  }

  async completeImport(
    input: In<'exchange.import.complete'>,
  ): Promise<Out<'exchange.import.complete'>> {
    await this.ready();
    return this.exclusive(() =>
      this.imports.complete(input.bundleRef, input.acceptedIds, input.rejectedIds),
    );
  }

  async discardImport(
    input: In<'exchange.import.discard'>,
  ): Promise<Out<'exchange.import.discard'>> {
    await this.ready();
    return this.exclusive(async () => ({
      discarded: await this.imports.discard(input.bundleRef),
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Log

  async listLog(input: In<'exchange.log.list'>): Promise<Out<'exchange.log.list'>> {
    return this.log.list(input.limit);
  }

  async verifyLog(): Promise<Out<'exchange.log.verify'>> {
    return this.log.verify(await this.session.ownCard());
  }

  /** Stops automatic sync (host shutdown). */
  async close(): Promise<void> {
    await this.slots.close();
    await this.transfer.close();
    // Staged bundles go with the scratch key; the bundles themselves stay for the next start.
    await this.staged.close();
  }
}
