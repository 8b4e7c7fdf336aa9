/**
 * Import: bundles and receipts that arrive, by a transport's inbox or handed in by the user
 * (`exchange/imports/<id>.bundle` with `<id>.json`, its file name, size and arrival time).
 *
 * Opening a bundle: the sender is identified by the key id in the bundle's signature stanza
 * (readable without decrypting) and must be a trusted partner; replays are refused before anything
 * is decrypted; the bundle is verified against the partner's pinned card, decrypted into the
 * scratch space (stagedImports.ts), its sequence checked against the chain and every operation
 * validated. Every refusal is coded (ExchangeError, or the BundleError / IdentityError that
 * refused), kept for the import list and logged with what is really known of the bundle: its id,
 * and its case, sequence and digest when they could be read (never placeholders).
 *
 * Completing one (the renderer merged what it accepted): sync state, a signed receipt back to the
 * sender (its outbox, or exports/ for file delivery), the log, and the bundle leaves the inbox.
 *
 * What this writes to disk holds ids, digests, sequence numbers, counts and codes, never case
 * content (issue 10): the failure kept for a bundle whose content does not validate names the
 * code, not the parser's words (which may quote a record).
 */
import crypto from 'node:crypto';
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { MethodOutput } from '../../../shared/contract/index.ts';
import type { PendingImport, StagedBundle } from '../../../shared/contract/exchange.ts';
import { bundleRefKey, type BundleRef, type ExportRef } from '../../../shared/contract/refs.ts';
import type { FileRef } from '../../../shared/contract/transfer.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { SIGNATURE_STANZA_TYPE } from '../../../shared/exchange/bundleFormat.ts';
import type { Operation } from '../../../shared/exchange/operations.ts';
import { parseOperations } from '../../../shared/exchange/operations.ts';
import {
  checkIncoming,
  initialSyncState,
  recordReceived,
} from '../../../shared/exchange/syncState.ts';
import type { AnyRecord } from '../../../shared/model/records.ts';
import { errorMessage } from '../../../shared/base/errors.ts';
import { reasonOf } from '../../../shared/contract/dispatch.ts';
import { openBundle, verifyBundle } from '../bundle/index.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';
import type { UnlockedIdentity } from '../identity/index.ts';
import { isValidName } from '../transports/transport.ts';
import type { TransferService } from '../transfer/index.ts';
import { ExchangeError } from './errors.ts';
import type { PartnerDirectory } from './partnerDirectory.ts';
import { MAX_RECEIPT_BYTES, RECEIPT_SUFFIX, receiptText, type Receipts } from './receipts.ts';
import type { SignedLog } from './signedLog.ts';
import { loadFailed, saveFailed, type PartnerRecord } from './state.ts';
import type { StagedImports } from './stagedImports.ts';
import type { SyncStates } from './syncStates.ts';
import type { SyncSlot, TransportSlots } from './transportSlots.ts';

export interface ImportDeskOptions {
  /** `<dataDir>/exchange/imports`: files handed in. */
  readonly importsDir: string;
  /** `<dataDir>/exports`: receipts for senders without a transport. */
  readonly exportsDir: string;
  /** `<dataDir>/exchange/tmp`: receipts on their way into an outbox. */
  readonly tmpDir: string;
  /** `<dataDir>/exchange/failed.json`. */
  readonly failedFile: string;
  readonly transfer: TransferService;
  readonly slots: TransportSlots;
  readonly partners: PartnerDirectory;
  readonly syncStates: SyncStates;
  readonly receipts: Receipts;
  readonly log: SignedLog;
  readonly staged: StagedImports;
  /** The unlocked identity (throws while locked). */
  readonly identity: () => UnlockedIdentity;
  /** Runs a read-modify-write of the state files one at a time with the service's others. */
  readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly now: () => Date;
}

/** Where a pending bundle is. */
interface Resolved {
  readonly path: string;
  readonly fileName: string;
  readonly size: number;
  readonly receivedAt: string;
  /** The transport slot holding it; absent for a file handed in. */
  readonly slot?: SyncSlot;
}

/** What is known of a bundle when it is refused: logged as it is, nothing made up. */
interface KnownBundle {
  bundleId?: string;
  sender?: string;
  caseId?: string;
  sequence?: number;
  digest?: string;
}

const handedInMetaSchema = z.object({
  fileName: z.string().max(255),
  size: z.number().int().nonnegative(),
  receivedAt: z.string().max(40),
});

/** Failures kept for the import list whose message may quote content (parser words). */
const CONTENT_FAILURE: Readonly<Record<string, string>> = {
  'invalid-operations': 'the operations in the bundle do not validate',
};

export class ImportDesk {
  constructor(private readonly options: ImportDeskOptions) {}

  /**
   * Takes a file handed in (an upload or a file chosen in a dialog): a bundle waits for review, a
   * receipt is verified and applied at once (`not-a-bundle` for anything else).
   */
  async handIn(ref: FileRef): Promise<MethodOutput<'exchange.import.fromFile'>> {
    const dir = this.options.importsDir;
    await mkdir(dir, { recursive: true });
    const id = crypto.randomBytes(8).toString('hex');
    const target = path.join(dir, `${id}.bundle`);
    // An upload is moved into place; a chosen file is copied, refused unless it is a regular file
    // within the cap. Either way the file is complete once it is there.
    const { fileName } = await this.options.transfer.takeFile(ref, 'bundle-import', target);
    const head = Buffer.alloc(32);
    const handle = await open(target, 'r');
    const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
    const start = head.subarray(0, bytesRead).toString('latin1').trimStart();
    if (start.startsWith('{')) {
      try {
        const size = (await stat(target)).size;
        if (size > MAX_RECEIPT_BYTES) {
          throw new ExchangeError('invalid-receipt', 'not a receipt: too large');
        }
        const receipt = await this.options.exclusive(async () =>
          this.options.receipts.apply(await readFile(target, 'utf8')),
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
      throw new ExchangeError(
        'not-a-bundle',
        `${fileName} is neither a Tessera bundle nor a receipt`,
      );
    }
    const size = (await stat(target)).size;
    await writeFileAtomic(
      path.join(dir, `${id}.json`),
      JSON.stringify({ fileName, size, receivedAt: this.nowIso() }),
    );
    return {
      kind: 'bundle' as const,
      bundleRef: { kind: 'handed-in', id },
      message: `${fileName} is waiting for review`,
    };
  }

  /** Bundles waiting for review (transport inboxes, then files handed in), oldest first. */
  async list(): Promise<PendingImport[]> {
    const failed = await loadFailed(this.options.failedFile);
    const items: PendingImport[] = [];
    const add = async (bundleRef: BundleRef, source: PendingImport['source'], at: Resolved) => {
      const stanza = await readSignatureStanza(at.path).catch(() => null);
      const sender = stanza ? await this.options.partners.byKey(stanza.keyId) : null;
      const error = failed[bundleRefKey(bundleRef)];
      items.push({
        bundleRef,
        source,
        partnerId: sender?.agencyId ?? null,
        partnerName: sender?.card.agencyName ?? null,
        fileName: at.fileName,
        size: at.size,
        receivedAt: at.receivedAt,
        state: this.options.staged.has(bundleRef)
          ? 'staged'
          : error !== undefined
            ? 'failed'
            : 'pending',
        ...(error !== undefined ? { error } : {}),
      });
    };
    for (const slot of this.options.slots.all()) {
      for (const item of await slot.sync.inboxItems()) {
        if (item.name.endsWith(RECEIPT_SUFFIX) || !isValidName(item.name)) continue;
        await add({ kind: 'inbox', transport: slot.key, name: item.name }, 'transport', {
          path: item.path,
          fileName: item.name,
          size: item.size,
          receivedAt: item.fetchedAt,
          slot,
        });
      }
    }
    const names = await readdir(this.options.importsDir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const match = /^([0-9a-f]{16})\.json$/.exec(name);
      if (!match) continue;
      const ref: BundleRef = { kind: 'handed-in', id: match[1]! };
      const resolved = await this.resolve(ref).catch(() => null);
      if (resolved) await add(ref, 'file', resolved);
    }
    return items.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  /**
   * Verifies, decrypts and validates a pending bundle into the scratch space and returns it
   * (again, when it is staged already). Refusals leave nothing staged, mark the item failed and
   * are logged.
   */
  async open(ref: BundleRef): Promise<StagedBundle> {
    const already = await this.options.staged.load(ref);
    if (already) return already;
    const resolved = await this.resolve(ref);
    const known: KnownBundle = {};
    try {
      return await this.stage(ref, resolved, known);
    } catch (error) {
      await this.options.staged.drop(ref);
      await this.recordFailure(ref, error);
      await this.logRefused(error, known);
      throw error;
    }
  }

  /** The renderer merged the staged bundle (or rejected all of it): receipt, state, log. */
  async complete(
    ref: BundleRef,
    acceptedIds: readonly string[],
    rejectedIds: readonly string[],
  ): Promise<MethodOutput<'exchange.import.complete'>> {
    this.options.identity();
    const bundle = await this.options.staged.load(ref);
    if (!bundle) {
      throw new ExchangeError(
        'not-staged',
        `bundle ${bundleRefKey(ref)} is not staged: open it first`,
      );
    }
    const resolved = await this.resolve(ref);
    const sender = await this.options.partners.get(bundle.sender.agencyId);
    const state =
      (await this.options.syncStates.find(sender.agencyId, bundle.caseId)) ??
      initialSyncState(sender.agencyId, bundle.caseId);
    const updated = recordReceived(state, {
      bundleId: bundle.bundleId,
      sequence: bundle.sequence,
      digest: bundle.bundleDigest,
      previousBundleDigest: bundle.previousBundleDigest,
      receivedAt: this.nowIso(),
    });
    const status = acceptedIds.length === 0 && rejectedIds.length > 0 ? 'rejected' : 'applied';
    const receipt = this.options.receipts.issue({
      to: sender.agencyId,
      caseId: bundle.caseId,
      bundleId: bundle.bundleId,
      sequence: bundle.sequence,
      bundleDigest: bundle.bundleDigest,
      status,
      missing: updated.missing,
    });
    await this.options.syncStates.save(updated);
    await this.options.log.append([
      {
        type: 'bundle-received',
        data: {
          bundleId: bundle.bundleId,
          caseId: bundle.caseId,
          sender: sender.agencyId,
          sequence: bundle.sequence,
          digest: bundle.bundleDigest,
          outcome: status,
          detail: `accepted ${acceptedIds.length}, rejected ${rejectedIds.length}`,
        },
      },
      {
        type: 'receipt-sent',
        data: { bundleId: bundle.bundleId, partnerId: sender.agencyId, status },
      },
    ]);
    const receiptName = `${bundle.bundleId}${RECEIPT_SUFFIX}`;
    const text = receiptText(receipt);
    const slot = this.options.slots.slotOf(sender.agencyId);
    let receiptExportRef: ExportRef | null = null;
    if (slot) {
      await mkdir(this.options.tmpDir, { recursive: true });
      const tmp = path.join(this.options.tmpDir, receiptName);
      await writeFileAtomic(tmp, text);
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
    } else {
      await writeFileAtomic(path.join(this.options.exportsDir, receiptName), text);
      receiptExportRef = { kind: 'export', name: receiptName };
    }
    await this.removePending(ref, resolved, false);
    await this.options.staged.drop(ref);
    await this.clearFailure(ref);
    return {
      bundleId: bundle.bundleId,
      receiptStatus: status,
      queued: slot !== undefined,
      receiptExportRef,
      missing: [...updated.missing],
    };
  }

  /** Drops a pending or staged bundle unimported; false when there was none. */
  async discard(ref: BundleRef): Promise<boolean> {
    this.options.identity();
    const resolved = await this.resolve(ref).catch(() => null);
    await this.options.staged.drop(ref);
    await this.clearFailure(ref);
    if (!resolved) return false;
    await this.removePending(ref, resolved, true);
    return true;
  }

  /** Applies the receipts waiting in a slot's inbox; a bad one is kept as a failure and dropped. */
  async applyInboxReceipts(slot: SyncSlot): Promise<void> {
    for (const item of await slot.sync.inboxItems()) {
      if (!item.name.endsWith(RECEIPT_SUFFIX)) continue;
      const ref: BundleRef = { kind: 'inbox', transport: slot.key, name: item.name };
      try {
        if (item.size > MAX_RECEIPT_BYTES) {
          throw new ExchangeError('invalid-receipt', 'receipt file too large');
        }
        await this.options.receipts.apply(await readFile(item.path, 'utf8'));
        await slot.sync.confirmImported(item.name);
      } catch (error) {
        await this.recordFailure(ref, error);
        await slot.sync.discard(item.name);
      }
    }
  }

  private async stage(
    ref: BundleRef,
    resolved: Resolved,
    known: KnownBundle,
  ): Promise<StagedBundle> {
    const identity = this.options.identity();
    const stanza = await readSignatureStanza(resolved.path);
    if (!stanza) {
      throw new ExchangeError(
        'unsigned',
        'the file carries no Tessera signature: it may be re-encrypted or forged, and is refused',
      );
    }
    known.bundleId = stanza.bundleId;
    const partner = await this.options.partners.byKey(stanza.keyId);
    if (!partner) {
      throw new ExchangeError(
        'unknown-sender',
        `the bundle is signed by an unknown key ${stanza.keyId}: import and confirm the sender’s card first`,
      );
    }
    known.sender = partner.agencyId;
    if (partner.state === 'unconfirmed') {
      throw new ExchangeError(
        'sender-unconfirmed',
        `the bundle is from ${partner.card.agencyName} (${partner.agencyId}), whose fingerprint has not been confirmed: confirm it out of band first`,
      );
    }
    if (partner.state === 'blocked') {
      throw new ExchangeError(
        'sender-blocked',
        `exchange with ${partner.card.agencyName} (${partner.agencyId}) is blocked: ${partner.warning ?? 'its key changed'}`,
      );
    }
    const earlier = await this.options.syncStates.received(partner.agencyId, stanza.bundleId);
    if (earlier) {
      // Refused before decrypting; the log names the case and sequence it was received as, and
      // the digest of the file in hand when its signature holds.
      known.caseId = earlier.caseId;
      known.sequence = earlier.bundle.sequence;
      const digest = await this.verifiedDigest(resolved.path, partner);
      if (digest) known.digest = digest;
      throw new ExchangeError(
        'replay',
        `bundle ${stanza.bundleId} was received before (replay): nothing to import`,
      );
    }
    await this.options.staged.drop(ref);
    const states = await this.options.syncStates.ofPartner(partner.agencyId);
    // Decrypted parts go only into the scratch space (finding 9); the attachments stay there.
    const scratch = await this.options.staged.space();
    const opened = await openBundle(resolved.path, identity, partner.card, undefined, {
      revocations: partner.revocations,
      seenBundleIds: (bundleId) =>
        states.some((s) => s.received.some((r) => r.bundleId === bundleId)),
      scratch,
    });
    let kept = false;
    try {
      const manifest = opened.manifest;
      known.caseId = manifest.caseId;
      known.digest = opened.bundleDigest;
      const mine = manifest.recipients.find((r) => r.agencyId === identity.card.agencyId);
      if (!mine) {
        throw new ExchangeError(
          'not-recipient',
          'the bundle manifest does not list our agency as a recipient',
        );
      }
      known.sequence = mine.sequence;
      const state =
        states.find((s) => s.caseId === manifest.caseId) ??
        initialSyncState(partner.agencyId, manifest.caseId);
      const check = checkIncoming(state, {
        bundleId: manifest.bundleId,
        sequence: mine.sequence,
        previousBundleDigest: mine.previousBundleDigest,
        digest: opened.bundleDigest,
      });
      if (check.status === 'replay' || check.status === 'broken-chain') {
        throw new ExchangeError(check.status, check.message);
      }
      const document = readOperations(opened.operations.toString('utf8'));
      if (document.caseId !== manifest.caseId) {
        throw new ExchangeError(
          'invalid-operations',
          'the operations are for another case than the manifest says',
        );
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
        operations: document.operations as StagedBundle['operations'],
        attachments: opened.attachments.map((a) => ({
          name: a.name,
          recordId: a.label ?? null,
          size: a.size,
          sha256: a.sha256,
        })),
      };
      await this.options.staged.keep(
        ref,
        staged,
        new Map(opened.attachments.map((a) => [a.name, a.scratchFile!])),
      );
      kept = true;
      await this.clearFailure(ref);
      return staged;
    } finally {
      if (!kept) await opened.dispose();
    }
  }

  /** The digest of a bundle whose outer signature verifies against the partner, else null. */
  private async verifiedDigest(file: string, partner: PartnerRecord): Promise<string | null> {
    try {
      return (await verifyBundle(file, partner.card, { revocations: partner.revocations }))
        .bundleDigest;
    } catch {
      return null;
    }
  }

  private async logRefused(error: unknown, known: KnownBundle): Promise<void> {
    if (!known.bundleId || !known.sender) return;
    const code = reasonOf(error) ?? 'failed';
    const outcome = code === 'replay' || code === 'broken-chain' ? code : 'invalid';
    await this.options.log
      .append([
        {
          type: 'bundle-received',
          data: {
            bundleId: known.bundleId,
            sender: known.sender,
            ...(known.caseId !== undefined ? { caseId: known.caseId } : {}),
            ...(known.sequence !== undefined ? { sequence: known.sequence } : {}),
            ...(known.digest !== undefined ? { digest: known.digest } : {}),
            outcome,
            // The code, not the message: a message may quote what the bundle carried.
            detail: code,
          },
        },
      ])
      .catch(() => undefined);
  }

  private async resolve(ref: BundleRef): Promise<Resolved> {
    if (ref.kind === 'handed-in') {
      const meta = path.join(this.options.importsDir, `${ref.id}.json`);
      try {
        const parsed = handedInMetaSchema.parse(JSON.parse(await readFile(meta, 'utf8')));
        return { path: path.join(this.options.importsDir, `${ref.id}.bundle`), ...parsed };
      } catch {
        throw unknownImport(ref);
      }
    }
    const slot = this.options.slots.byKey(ref.transport);
    const item = slot && isValidName(ref.name) ? await slot.sync.inbox.item(ref.name) : null;
    if (!slot || !item) throw unknownImport(ref);
    return {
      path: item.path,
      fileName: item.name,
      size: item.size,
      receivedAt: item.fetchedAt,
      slot,
    };
  }

  /** Removes a pending bundle: acknowledged in its transport, or deleted with its metadata. */
  private async removePending(ref: BundleRef, at: Resolved, discarded: boolean): Promise<void> {
    if (ref.kind === 'inbox') {
      if (discarded) await at.slot!.sync.discard(ref.name, { acknowledge: true });
      else await at.slot!.sync.confirmImported(ref.name);
    } else {
      await rm(at.path, { force: true });
      await rm(path.join(this.options.importsDir, `${ref.id}.json`), { force: true });
    }
  }

  private async recordFailure(ref: BundleRef, error: unknown): Promise<void> {
    const code = reasonOf(error);
    const failed = await loadFailed(this.options.failedFile);
    failed[bundleRefKey(ref)] = (code && CONTENT_FAILURE[code]) ?? errorMessage(error);
    await saveFailed(this.options.failedFile, failed);
  }

  private async clearFailure(ref: BundleRef): Promise<void> {
    const failed = await loadFailed(this.options.failedFile);
    const key = bundleRefKey(ref);
    if (failed[key] === undefined) return;
    delete failed[key];
    await saveFailed(this.options.failedFile, failed);
  }

  private nowIso(): string {
    return this.options.now().toISOString();
  }
}

function unknownImport(ref: BundleRef): ExchangeError {
  return new ExchangeError('unknown-import', `no pending import ${bundleRefKey(ref)}`);
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

/**
 * The operations a bundle carries: an operations document, or a case file sealed by
 * `tessera bundle seal` (a snapshot: creates only). `invalid-operations` when it is neither.
 */
function readOperations(text: string): { caseId: string; operations: Operation[] } {
  try {
    const document = parseOperations(text);
    return { caseId: document.caseId, operations: [...document.operations] };
  } catch (error) {
    let file: CaseFile;
    try {
      file = parseCaseFile(text);
    } catch {
      throw new ExchangeError('invalid-operations', errorMessage(error));
    }
    const records: AnyRecord[] = [
      file.case,
      ...file.entities,
      ...file.notes,
      ...file.attachments.map(({ contentBase64: _c, ...record }) => record),
      ...file.notices,
      ...file.charts,
    ];
    return {
      caseId: file.case.id,
      operations: records.map((record) => ({ op: 'create', record })),
    };
  }
}
