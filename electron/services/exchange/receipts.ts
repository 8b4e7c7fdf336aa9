/**
 * Receipts: the signed acknowledgement an agency sends back for each bundle it imported (or
 * rejected), and their application to our sync state when a partner's receipt arrives.
 *
 * A receipt carries ids, the bundle digest, the sequence, a status and missing sequence numbers:
 * nothing of the case's content (issue 10). It is JSON, `<bundleId>.receipt` in a transport (not
 * `.json`: the synchronizer's queues keep their metadata in `<name>.json`) or under exports/.
 */
import type { Receipt } from '../../../shared/exchange/syncState.ts';
import {
  applyReceipt,
  parseReceipt,
  receiptSignedText,
  RECEIPT_FORMAT,
  RECEIPT_VERSION,
} from '../../../shared/exchange/syncState.ts';
import { errorMessage } from '../../../shared/base/errors.ts';
import type { UnlockedIdentity } from '../identity/index.ts';
import { ed25519Sign, ed25519Verify } from '../identity/keys.ts';
import { ExchangeError } from './errors.ts';
import type { PartnerDirectory } from './partnerDirectory.ts';
import type { SignedLog } from './signedLog.ts';
import type { SyncStates } from './syncStates.ts';

export const RECEIPT_SUFFIX = '.receipt';
export const MAX_RECEIPT_BYTES = 64 * 1024;

export interface ReceiptsOptions {
  readonly partners: PartnerDirectory;
  readonly syncStates: SyncStates;
  readonly log: SignedLog;
  /** The unlocked identity (throws while locked). */
  readonly identity: () => UnlockedIdentity;
  readonly now: () => Date;
}

export class Receipts {
  constructor(private readonly options: ReceiptsOptions) {}

  /**
   * Verifies a partner's receipt against its pinned card and folds it into the sync state
   * (`invalid-receipt`: too large, untrusted sender, another addressee, bad signature;
   * `unknown-receipt`: a case never sent to the sender). Callers serialise it with other writers.
   */
  async apply(text: string): Promise<Receipt> {
    if (Buffer.byteLength(text) > MAX_RECEIPT_BYTES) {
      throw new ExchangeError('invalid-receipt', 'receipt file too large');
    }
    const identity = this.options.identity();
    const receipt = parseReceipt(text);
    const partner = await this.options.partners.find(receipt.from);
    if (partner?.state !== 'trusted') {
      throw new ExchangeError(
        'invalid-receipt',
        `receipt from ${receipt.from}, which is not a trusted partner`,
      );
    }
    if (receipt.to !== identity.card.agencyId) {
      throw new ExchangeError(
        'invalid-receipt',
        `the receipt is addressed to ${receipt.to}, not to us`,
      );
    }
    const { signature, ...unsigned } = receipt;
    if (
      !ed25519Verify(
        Buffer.from(partner.card.signingKey, 'base64'),
        receiptSignedText(unsigned),
        Buffer.from(signature, 'base64'),
      )
    ) {
      throw new ExchangeError(
        'invalid-receipt',
        `the receipt for bundle ${receipt.bundleId} is not signed by ${receipt.from}`,
      );
    }
    const state = await this.options.syncStates.find(receipt.from, receipt.caseId);
    if (!state) {
      throw new ExchangeError(
        'unknown-receipt',
        `receipt for a case never sent to ${receipt.from}`,
      );
    }
    let updated;
    try {
      updated = applyReceipt(state, receipt);
    } catch (error) {
      // A receipt for a bundle that was never sent to this partner (or not as numbered).
      throw new ExchangeError('unknown-receipt', errorMessage(error));
    }
    await this.options.syncStates.save(updated);
    await this.options.log.append([
      {
        type: 'receipt-received',
        data: { bundleId: receipt.bundleId, partnerId: receipt.from, status: receipt.status },
      },
    ]);
    return receipt;
  }

  /** Our signed receipt for a bundle received from `to`. */
  issue(input: {
    to: string;
    caseId: string;
    bundleId: string;
    sequence: number;
    bundleDigest: string;
    status: Receipt['status'];
    missing: readonly number[];
  }): Receipt {
    const identity = this.options.identity();
    const unsigned: Omit<Receipt, 'signature'> = {
      format: RECEIPT_FORMAT,
      version: RECEIPT_VERSION,
      from: identity.card.agencyId,
      to: input.to,
      caseId: input.caseId,
      bundleId: input.bundleId,
      sequence: input.sequence,
      bundleDigest: input.bundleDigest,
      status: input.status,
      missing: [...input.missing],
      at: this.options.now().toISOString(),
    };
    const signature = ed25519Sign(identity.secrets.signingSeed, receiptSignedText(unsigned));
    return { ...unsigned, signature: signature.toString('base64') };
  }
}

/** A receipt as a file: pretty JSON and a newline. */
export function receiptText(receipt: Receipt): string {
  return `${JSON.stringify(receipt, null, 2)}\n`;
}
