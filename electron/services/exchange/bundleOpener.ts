/**
 * Opening a received bundle, for the import desk: the sender is identified by the key id in the
 * bundle's signature stanza (readable without decrypting) and must be a trusted partner; replays
 * are refused before anything is decrypted; the bundle is verified against the partner's pinned
 * card and decrypted into the scratch space (stagedImports.ts); its sequence is checked against
 * the chain and every operation validated.
 *
 * Every refusal is coded (ExchangeError, or the BundleError / IdentityError that refused) and
 * logged with what is really known of the bundle: its id and sender, and its case, sequence and
 * digest when they could be read, never placeholders. The log names the code, not the message:
 * a parser's message may quote what the bundle carried (issue 10).
 */
import { open } from 'node:fs/promises';
import type { StagedBundle } from '../../../shared/contract/exchange.ts';
import type { BundleRef } from '../../../shared/contract/refs.ts';
import { reasonOf } from '../../../shared/contract/dispatch.ts';
import type { CaseFile } from '../../../shared/caseFile.ts';
import { caseFileRecords, parseCaseFile } from '../../../shared/caseFile.ts';
import { errorMessage } from '../../../shared/base/errors.ts';
import {
  BUNDLE_LIMITS,
  SIGNATURE_STANZA_TYPE,
  SIGNATURE_STANZA_VERSIONS,
} from '../../../shared/exchange/bundleFormat.ts';
import type { Operation } from '../../../shared/exchange/operations.ts';
import { parseOperations } from '../../../shared/exchange/operations.ts';
import { checkIncoming, initialSyncState } from '../../../shared/exchange/syncState.ts';
import { openBundle, verifyBundle } from '../bundle/index.ts';
import type { UnlockedIdentity } from '../identity/index.ts';
import { ExchangeError } from './errors.ts';
import type { PartnerDirectory } from './partnerDirectory.ts';
import type { SignedLog } from './signedLog.ts';
import type { PartnerRecord } from './state.ts';
import type { StagedImports } from './stagedImports.ts';
import type { SyncStates } from './syncStates.ts';

export interface BundleOpenerOptions {
  readonly partners: PartnerDirectory;
  readonly syncStates: SyncStates;
  readonly staged: StagedImports;
  readonly log: SignedLog;
  /** The unlocked identity (throws while locked). */
  readonly identity: () => UnlockedIdentity;
}

/** What is known of a bundle when it is refused: logged as it is, nothing made up. */
interface KnownBundle {
  bundleId?: string;
  sender?: string;
  caseId?: string;
  sequence?: number;
  digest?: string;
}

export class BundleOpener {
  constructor(private readonly options: BundleOpenerOptions) {}

  /** Stages the bundle in `file` under `ref`; a refusal is logged and thrown. */
  async open(ref: BundleRef, file: string): Promise<StagedBundle> {
    const known: KnownBundle = {};
    try {
      return await this.stage(ref, file, known);
    } catch (error) {
      await this.logRefused(error, known);
      throw error;
    }
  }

  private async stage(ref: BundleRef, file: string, known: KnownBundle): Promise<StagedBundle> {
    const identity = this.options.identity();
    const stanza = await readSignatureStanza(file);
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
      const digest = await this.verifiedDigest(file, partner);
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
    const opened = await openBundle(file, identity, partner.card, undefined, {
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
}

/** The key id and bundle id of a bundle's outer signature stanza, read without decrypting. */
export async function readSignatureStanza(
  file: string,
): Promise<{ keyId: string; bundleId: string } | null> {
  const handle = await open(file, 'r');
  try {
    let buffer = Buffer.alloc(64 * 1024);
    let { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead === buffer.length && !buffer.includes('\n---')) {
      // A format-2 header holds the block list before the signature: up to the header limit.
      buffer = Buffer.alloc(BUNDLE_LIMITS.maxHeaderBytes);
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, 0));
    }
    const text = buffer.subarray(0, bytesRead).toString('latin1');
    const end = text.indexOf('\n---');
    const header = end >= 0 ? text.slice(0, end + 1) : text;
    const match = new RegExp(
      // Any bundle format openBundle accepts (1 before issue 13, 2 since).
      `^-> ${SIGNATURE_STANZA_TYPE} (?:${SIGNATURE_STANZA_VERSIONS.join('|')}) ([0-9a-f]{16}) ([0-9A-HJKMNP-TV-Z]{26})$`,
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
    return {
      caseId: file.case.id,
      operations: caseFileRecords(file).map((record) => ({ op: 'create', record })),
    };
  }
}
