import type { ExchangeErrorCode } from '../../../shared/contract/exchange.ts';

/**
 * A refused or failed exchange call; `code` crosses the carriers as the call's `reason`
 * (shared/contract/exchange.ts, EXCHANGE_ERROR_CODES), `message` is meant for the officer.
 */
export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  constructor(
    readonly code: ExchangeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
