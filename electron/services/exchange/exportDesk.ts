/**
 * Export: the release preview and the seal, both through releaseSealer.ts (the one sealing path,
 * shared with the CLI), and the files kept under `<dataDir>/exports/` for file delivery.
 *
 * A sealed bundle is ciphertext; its file name carries the case's id, the partner, the sequence
 * and the bundle id, never the case reference or title (issue 10): the name travels with the file
 * (mail, USB stick) and sits in the data directory.
 */
import { perItemList, RECORD_KINDS } from '../../../shared/model/recordKinds.ts';
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MethodInput, MethodOutput } from '../../../shared/contract/index.ts';
import type {
  ExchangeCaseFile,
  ReleasePreview,
  SealedBundle,
} from '../../../shared/contract/exchange.ts';
import type { ExportRef } from '../../../shared/contract/refs.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { nextOutgoing } from '../../../shared/exchange/syncState.ts';
import { POLICY_VERSION } from '../../../shared/exchange/policy.ts';
import type { ChooseSavePath } from '../files/filesService.ts';
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { assertUsable, type UnlockedIdentity } from '../identity/index.ts';
import { isValidName } from '../transports/transport.ts';
import type { DownloadSource, TransferService } from '../transfer/index.ts';
import { ExchangeError } from './errors.ts';
import { releaseProblems, type PartnerDirectory } from './partnerDirectory.ts';
import {
  planRelease,
  type ReleasePartner,
  type ReleasePlan,
  ReleaseSealer,
  ReleaseSealError,
} from './releaseSealer.ts';
import type { SignedLog } from './signedLog.ts';
import type { PartnerRecord } from './state.ts';
import type { SyncStates } from './syncStates.ts';
import type { TransportSlots } from './transportSlots.ts';

export interface ExportDeskOptions {
  /** `<dataDir>/exports`. */
  readonly exportsDir: string;
  /** `<dataDir>/exchange/tmp`: bundles being sealed. */
  readonly tmpDir: string;
  readonly partners: PartnerDirectory;
  readonly slots: TransportSlots;
  readonly syncStates: SyncStates;
  readonly log: SignedLog;
  readonly transfer: TransferService;
  readonly chooseSavePath: ChooseSavePath;
  /** The unlocked identity (throws while locked). */
  readonly identity: () => UnlockedIdentity;
  /** Our card, unlocked or not (a preview needs no secret). */
  readonly ownCard: () => Promise<IdentityCard>;
  readonly now: () => Date;
}

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_');
}

const NOTHING_RELEASED = { case: false, ...perItemList(() => 0) };

export class ExportDesk {
  constructor(private readonly options: ExportDeskOptions) {}

  /** What each partner would get (policy, deletion rule, operations), sealing nothing. */
  async preview(input: MethodInput<'exchange.export.preview'>): Promise<ReleasePreview[]> {
    const own = await this.options.ownCard();
    const caseFile = input.caseFile as CaseFile;
    const partners = await this.options.partners.list();
    const now = this.options.now().toISOString();
    const result: ReleasePreview[] = [];
    for (const partnerId of input.partnerIds) {
      const partner = partners.find((p) => p.agencyId === partnerId);
      const problems = releaseProblems(partner, partnerId);
      const state = await this.options.syncStates.load(partnerId, caseFile.case.id);
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
          released: NOTHING_RELEASED,
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
          ...perItemList((kind) => count(set[RECORD_KINDS[kind].table])),
        },
        releasedIds: [...plan.releasedIds],
        withheld: decision.withheld.map((w) => ({ ...w, reasons: [...w.reasons] })),
        stripped: decision.stripped.map((s) => ({ ...s, reasons: [...s.reasons] })),
        operations: plan.operations.length,
      });
    }
    return result;
  }

  /**
   * Seals one bundle per partner after checking every partner first (`partner-not-ready`,
   * `no-transport`, `case-withheld`); transport delivery queues it, file delivery keeps it under
   * exports/. Callers serialise it with the other writers of the state files.
   */
  async seal(
    input: MethodInput<'exchange.export.seal'>,
  ): Promise<MethodOutput<'exchange.export.seal'>> {
    const identity = this.options.identity();
    assertUsable(identity.card);
    const caseFile = input.caseFile as CaseFile;
    const partners = await this.options.partners.list();
    const sealer = new ReleaseSealer({
      identity,
      now: this.options.now,
      syncStates: this.options.syncStates,
      appendLog: (entries) => this.options.log.append(entries),
    });
    const recordMeta = input.recordMeta ? { recordMeta: input.recordMeta } : {};
    const plans: { partner: PartnerRecord & ReleasePartner; plan: ReleasePlan }[] = [];
    for (const partnerId of input.partnerIds) {
      const partner = partners.find((p) => p.agencyId === partnerId);
      const problems = releaseProblems(partner, partnerId);
      if (input.delivery === 'transport' && !this.options.slots.slotOf(partnerId)) {
        throw new ExchangeError(
          'no-transport',
          `cannot seal for ${partnerId}: no automatic transport is configured (use file delivery)`,
        );
      }
      if (problems.length > 0 || !partner?.agreement) {
        throw new ExchangeError(
          'partner-not-ready',
          `cannot seal for ${partnerId}: ${problems.join('; ')}`,
        );
      }
      const releasePartner = { ...partner, agreement: partner.agreement };
      try {
        plans.push({
          partner: releasePartner,
          plan: await sealer.prepare(caseFile, releasePartner, recordMeta),
        });
      } catch (error) {
        if (error instanceof ReleaseSealError && error.code === 'case-withheld') {
          throw new ReleaseSealError(
            'case-withheld',
            `cannot seal for ${partnerId}: the case itself may not go to this partner`,
          );
        }
        throw error;
      }
    }
    const attachmentsById = new Map(input.caseFile.attachments.map((a) => [a.id, a]));
    const results: SealedBundle[] = [];
    for (const { partner, plan } of plans) {
      let exportRef: ExportRef | null = null;
      let exportPath: string | null = null;
      let fileName = '';
      const sealed = await sealer.sealPlan(plan, caseFile, partner, {
        ...recordMeta,
        // Inline base64 or a finished upload (contentRef), each checked against the record.
        attachmentContent: (record) => {
          const original = attachmentsById.get(record.id);
          return original ? this.attachmentSource(original) : undefined;
        },
        tmpDir: this.options.tmpDir,
        deliver: async (temp, bundle) => {
          fileName = `${sanitize(plan.caseId)}-${sanitize(partner.agencyId)}-${plan.next.sequence}-${bundle.bundleId}.tessera`;
          if (input.delivery === 'transport') {
            await this.options.slots.slotOf(partner.agencyId)!.sync.enqueue(temp, {
              partner: partner.agencyId,
              bundleId: bundle.bundleId,
              sequence: plan.next.sequence,
              name: `${bundle.bundleId}.tessera`,
            });
          } else {
            await mkdir(this.options.exportsDir, { recursive: true });
            exportPath = path.join(this.options.exportsDir, fileName);
            await rename(temp, exportPath);
            exportRef = { kind: 'export', name: fileName };
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
  }

  /** Copies an exported file where the user chooses; null when cancelled. */
  async save(ref: ExportRef): Promise<string | null> {
    const source = this.exportFile(ref);
    await stat(source).catch(() => {
      throw gone(ref);
    });
    const target = await this.options.chooseSavePath(ref.name);
    if (target === null) return null;
    if (path.resolve(target) === path.resolve(source)) return target;
    const temp = `${target}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      await copyFile(source, temp);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return target;
  }

  /** An exported bundle or receipt, streamed from the exports folder. */
  async download(ref: ExportRef): Promise<DownloadSource> {
    const source = this.exportFile(ref);
    const info = await stat(source).catch(() => {
      throw gone(ref);
    });
    if (!info.isFile()) throw gone(ref);
    return {
      fileName: ref.name,
      size: info.size,
      sha256: null,
      open: () => createReadStream(source, { end: Math.max(0, info.size - 1) }),
    };
  }

  /**
   * Where the content of a case file's attachment comes from when it is sealed: inline base64
   * (checked here against the record's size and SHA-256) or a finished upload (`contentRef`,
   * checked at its finish and held encrypted since; its size and SHA-256 must be the record's).
   */
  attachmentSource(
    record: ExchangeCaseFile['attachments'][number],
  ):
    | { readonly bytes: Uint8Array }
    | { readonly stream: AsyncIterable<Uint8Array>; readonly size: number } {
    const mismatch = () =>
      new ReleaseSealError(
        'attachment-mismatch',
        `attachment ${record.id}: content does not match its size and SHA-256`,
      );
    if (record.contentRef !== undefined) {
      const content = this.options.transfer.attachmentContent(record.contentRef);
      if (content.size !== record.size || content.sha256 !== record.sha256) throw mismatch();
      // With its size the bundle is format 2 (its block list planned before the payload).
      return { stream: content.stream, size: content.size };
    }
    if (record.contentBase64 === undefined) {
      throw new ReleaseSealError(
        'attachment-missing',
        `attachment ${record.id} has no content in the case file`,
      );
    }
    const bytes = Buffer.from(record.contentBase64, 'base64');
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== record.size || sha256 !== record.sha256) throw mismatch();
    return { bytes };
  }

  private exportFile(ref: ExportRef): string {
    // The contract's schema checked the name; checked again for callers inside the process.
    if (!isValidName(ref.name)) throw gone(ref);
    return path.join(this.options.exportsDir, ref.name);
  }
}

function gone(ref: ExportRef): ExchangeError {
  return new ExchangeError('unknown-export', `the exported file ${ref.name} is gone`);
}
