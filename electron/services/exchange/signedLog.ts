/**
 * The exchange log as the service writes and reads it: entries appended and signed with the
 * agency's key (../exchangeLog has the format and the verifier). Its payloads hold ids, digests,
 * sequence numbers, counts and codes only, never case content (issue 10).
 */
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import type { LogEntryView } from '../../../shared/contract/exchange.ts';
import { ExchangeLog, verifyLog, type LogEntryInput } from '../exchangeLog/index.ts';

export interface LogVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly signatures: number;
  readonly problems: string[];
}

export class SignedLog {
  private log: ExchangeLog | null = null;

  /** `sign` signs with the unlocked identity (and throws while it is locked). */
  constructor(
    private readonly file: string,
    private readonly sign: (message: Uint8Array) => Uint8Array,
  ) {}

  async append(entries: readonly LogEntryInput[]): Promise<void> {
    const log = await this.open();
    await log.append(entries, (message) => this.sign(message));
  }

  /** The newest `limit` entries, newest first, and the total. */
  async list(limit: number): Promise<{ total: number; entries: LogEntryView[] }> {
    const entries = await (await this.open()).entries();
    return {
      total: entries.length,
      entries: entries
        .slice(-limit)
        .reverse()
        .map((e) => ({
          seq: e.seq,
          at: e.at,
          type: e.type,
          data: e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : {},
        })),
    };
  }

  /** The hash chain, head signatures and checkpoint, against every signing key the card had. */
  async verify(card: IdentityCard | null): Promise<LogVerification> {
    if (!card) return { ok: false, entries: 0, signatures: 0, problems: ['no agency identity'] };
    const keys = [card.signingKey, ...card.rotations.map((r) => r.fromSigningKey)];
    const result = await verifyLog(this.file, keys);
    return {
      ok: result.ok,
      entries: result.entries,
      signatures: result.signatures,
      problems: [...result.problems],
    };
  }

  private async open(): Promise<ExchangeLog> {
    this.log ??= await ExchangeLog.open(this.file);
    return this.log;
  }
}
