import type { TransferErrorCode } from '../../../shared/contract/transfer.ts';

/** A refused or failed transfer; `code` crosses the carriers as the call's `reason`. */
export class TransferError extends Error {
  override readonly name = 'TransferError';
  constructor(
    readonly code: TransferErrorCode,
    message: string,
  ) {
    super(message);
  }
}
