/**
 * Import: bundles and receipts that arrive, by a transport's inbox or handed in by the user
 * (`exchange/imports/<id>.bundle` with `<id>.json`, its file name, size and arrival time).
 *
 * Opening a bundle is the opener's (bundleOpener.ts); the desk keeps why the last open of each
 * bundle failed, for the import list. Completing one (the renderer merged what it accepted): sync
 * state, a signed receipt back to the sender (its outbox, or exports/ for file delivery), the log,
 * and the bundle leaves the inbox. Receipts handed in or fetched are applied at once.
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
import { recordReceived } from '../../../shared/exchange/syncState.ts';
import { errorMessage } from '../../../shared/base/errors.ts';
import { reasonOf } from '../../../shared/contract/dispatch.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';
import type { UnlockedIdentity } from '../identity/index.ts';
import { isValidName } from '../transports/transport.ts';
import type { TransferService } from '../transfer/index.ts';
import { readSignatureStanza, type BundleOpener } from './bundleOpener.ts';
import { ExchangeError } from './errors.ts';
import type { PartnerDirectory } from './partnerDirectory.ts';
import { MAX_RECEIPT_BYTES, RECEIPT_SUFFIX, receiptText, type Receipts } from './receipts.ts';
import type { SignedLog } from './signedLog.ts';
import { loadFailed, saveFailed } from './state.ts';
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
  /** Verifies, decrypts and validates a bundle into `staged`. */
  readonly opener: BundleOpener;
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
    try {
      const staged = await this.options.opener.open(ref, resolved.path);
      await this.clearFailure(ref);
      return staged;
    } catch (error) {
      await this.options.staged.drop(ref);
      await this.recordFailure(ref, error);
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
    const state = await this.options.syncStates.load(sender.agencyId, bundle.caseId);
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
