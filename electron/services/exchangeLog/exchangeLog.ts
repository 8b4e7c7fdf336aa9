/**
 * The exchange log: an append-only, hash-chained record of every bundle sent and received, every
 * release decision, every receipt and every purge of expired material.
 *
 * Format. A JSON-lines file; line n (0-based) is one entry, written as exactly
 *   {"seq":n,"at":ISO time,"prev":SHA-256 hex of line n-1's bytes (64 zeros for line 0),"type":…,"data":{…}}
 * followed by "\n". An entry's hash is the SHA-256 of its line's UTF-8 bytes without the newline,
 * so any edit of a line breaks the `prev` of the next one, and a deleted or swapped line breaks
 * `seq` and `prev`.
 *
 * Signatures. After each exchange (bundle sent or received, receipt sent or received) a
 * `head-signature` entry follows, holding an Ed25519 signature over HEAD_CONTEXT + the hash of the
 * entry before it + the count of entries before it. The last line's edits and truncation of the tail
 * are caught by a separate checkpoint file, `<log>.checkpoint.json`, rewritten atomically after
 * every append: {"format","head","count","signature"}, the signature over the same text for the
 * whole log. A verifier needs only the agency's public signing key(s).
 *
 * What it cannot catch alone: someone holding the signing key, or someone who rolls back the log
 * and its checkpoint together to an earlier signed state (anchor the head elsewhere for that,
 * e.g. in the next bundle's manifest or on a partner's side).
 */
import { KeyObject, createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { PerItemList } from '../../../shared/model/recordKinds.ts';
import { ITEM_KINDS, RECORD_KINDS } from '../../../shared/model/recordKinds.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';

export const GENESIS_HASH = '0'.repeat(64);
export const HEAD_CONTEXT = 'tessera.exchange-log-head/1\n';
export const CHECKPOINT_FORMAT = 'tessera.exchange-log-checkpoint';

/** Signs bytes with the agency's Ed25519 key; the key itself stays with the caller. */
export type LogSigner = (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const base64Signature = z.string().regex(/^[A-Za-z0-9+/]{86}==$/);

const bundleSentSchema = z.object({
  bundleId: id,
  caseId: id,
  partners: z.array(z.object({ agencyId: id, sequence: z.number().int().positive() })),
  digest: hex64,
  policyVersion: z.string().max(64),
  operations: z.number().int().nonnegative(),
  attachments: z.number().int().nonnegative(),
});
/**
 * A bundle received, applied, rejected or refused. A refused bundle names only what could be read
 * of it (a forged or unreadable one has no trustworthy case, sequence or digest), never a
 * placeholder.
 */
const bundleReceivedSchema = z.object({
  bundleId: id,
  caseId: id.optional(),
  sender: id,
  sequence: z.number().int().positive().optional(),
  digest: hex64.optional(),
  outcome: z.enum(['applied', 'rejected', 'staged', 'replay', 'gap', 'broken-chain', 'invalid']),
  detail: z.string().max(2000).optional(),
});
const releaseDecisionSchema = z.object({
  caseId: id,
  partnerId: id,
  policyVersion: z.string().max(64),
  released: z.number().int().nonnegative(),
  withheld: z.number().int().nonnegative(),
  withheldIds: z.array(id),
  strippedProperties: z.number().int().nonnegative(),
});
const receiptSchema = z.object({
  bundleId: id,
  partnerId: id,
  status: z.string().max(32),
});
const purgeSchema = z.object({
  caseId: id,
  recordIds: z.array(id),
  reason: z.string().max(2000),
});
const headSignatureSchema = z.object({
  head: hex64,
  count: z.number().int().nonnegative(),
  signature: base64Signature,
});

export const logEntryDataSchemas = {
  'bundle-sent': bundleSentSchema,
  'bundle-received': bundleReceivedSchema,
  'release-decision': releaseDecisionSchema,
  'receipt-sent': receiptSchema,
  'receipt-received': receiptSchema,
  purge: purgeSchema,
  'head-signature': headSignatureSchema,
} as const;

export type LogEntryType = keyof typeof logEntryDataSchemas;
export type LogEntryData<T extends LogEntryType> = z.infer<(typeof logEntryDataSchemas)[T]>;

/** What a caller appends (head signatures are the log's own business). */
export type LogEntryInput = {
  [T in Exclude<LogEntryType, 'head-signature'>]: {
    readonly type: T;
    readonly data: LogEntryData<T>;
  };
}[Exclude<LogEntryType, 'head-signature'>];

export interface LogEntry {
  readonly seq: number;
  readonly at: string;
  readonly prev: string;
  readonly type: LogEntryType;
  readonly data: unknown;
}

const EXCHANGE_TYPES: ReadonlySet<LogEntryType> = new Set([
  'bundle-sent',
  'bundle-received',
  'receipt-sent',
  'receipt-received',
]);

const entrySchema = z
  .object({
    seq: z.number().int().nonnegative(),
    at: z.string().min(10).max(40),
    prev: hex64,
    type: z.enum(Object.keys(logEntryDataSchemas) as [LogEntryType, ...LogEntryType[]]),
    data: z.unknown(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const result = logEntryDataSchemas[entry.type].strict().safeParse(entry.data);
    if (!result.success) ctx.addIssue({ code: 'custom', message: `invalid ${entry.type} data` });
  });

const checkpointSchema = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    head: hex64,
    count: z.number().int().nonnegative(),
    signature: base64Signature,
  })
  .strict();

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function entryLine(entry: LogEntry): string {
  return JSON.stringify({
    seq: entry.seq,
    at: entry.at,
    prev: entry.prev,
    type: entry.type,
    data: entry.data,
  });
}

function entryHash(entry: LogEntry): string {
  return sha256Hex(entryLine(entry));
}

/** The bytes a head signature covers. */
export function headStatement(head: string, count: number): Uint8Array {
  return Buffer.from(`${HEAD_CONTEXT}head:${head}\ncount:${count}\n`, 'utf8');
}

export function checkpointPathFor(logPath: string): string {
  return `${logPath}.checkpoint.json`;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

interface ChainScan {
  readonly entries: LogEntry[];
  readonly head: string;
  readonly problems: string[];
}

/** Reads the lines and checks the chain (no signatures). */
function scanChain(text: string): ChainScan {
  const problems: string[] = [];
  const entries: LogEntry[] = [];
  let head = GENESIS_HASH;
  if (text.length > 0 && !text.endsWith('\n')) problems.push('the last line is incomplete');
  const lines = text.length === 0 ? [] : text.replace(/\n$/, '').split('\n');
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1} is not JSON`);
      head = sha256Hex(line);
      return;
    }
    const result = entrySchema.safeParse(parsed);
    if (!result.success) {
      problems.push(`line ${index + 1} is not a valid log entry`);
    } else {
      const entry = result.data as LogEntry;
      if (entry.seq !== index) problems.push(`line ${index + 1} has sequence ${entry.seq}`);
      if (entry.prev !== head) {
        problems.push(`line ${index + 1} does not follow line ${index} (edited, deleted or moved)`);
      }
      if (entryLine(entry) !== line) problems.push(`line ${index + 1} is not in canonical form`);
      entries.push(entry);
    }
    head = sha256Hex(line);
  });
  return { entries, head, problems };
}

export function toPublicKey(key: Uint8Array | string | KeyObject): KeyObject {
  if (key instanceof KeyObject) return key;
  const raw = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (raw.length !== 32) throw new Error('an Ed25519 public key has 32 bytes');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

export interface VerifyLogResult {
  readonly ok: boolean;
  readonly entries: number;
  readonly head: string;
  readonly signatures: number;
  /** Human-readable findings; empty when ok. */
  readonly problems: readonly string[];
}

/**
 * Checks a log against the agency's public signing key(s): the chain, every head signature and the
 * checkpoint. Detects any edit, deletion, reordering or truncation.
 */
export async function verifyLog(
  path: string,
  publicKey: Uint8Array | string | KeyObject | readonly (Uint8Array | string | KeyObject)[],
): Promise<VerifyLogResult> {
  const keys = (Array.isArray(publicKey) ? publicKey : [publicKey]).map((key) =>
    toPublicKey(key as Uint8Array | string | KeyObject),
  );
  const signedBy = (message: Uint8Array, signature: string): boolean =>
    keys.some((key) => verifySignature(null, message, key, Buffer.from(signature, 'base64')));

  const text = (await readText(path)) ?? '';
  const scan = scanChain(text);
  const problems = [...scan.problems];
  const lines = text.length === 0 ? [] : text.replace(/\n$/, '').split('\n');
  let signatures = 0;
  let running = GENESIS_HASH;
  const hashes: string[] = [];
  for (const line of lines) {
    hashes.push(running);
    running = sha256Hex(line);
  }
  for (const entry of scan.entries) {
    if (entry.type !== 'head-signature') continue;
    const data = entry.data as LogEntryData<'head-signature'>;
    if (data.count !== entry.seq || data.head !== hashes[entry.seq]) {
      problems.push(`the signature at line ${entry.seq + 1} is for another head`);
    } else if (!signedBy(headStatement(data.head, data.count), data.signature)) {
      problems.push(`the signature at line ${entry.seq + 1} does not verify`);
    } else signatures += 1;
  }

  const checkpointText = await readText(checkpointPathFor(path));
  if (checkpointText === undefined) {
    if (lines.length > 0) problems.push('the checkpoint file is missing');
  } else {
    let checkpoint: z.infer<typeof checkpointSchema> | undefined;
    try {
      checkpoint = checkpointSchema.parse(JSON.parse(checkpointText));
    } catch {
      problems.push('the checkpoint file is damaged');
    }
    if (checkpoint) {
      if (!signedBy(headStatement(checkpoint.head, checkpoint.count), checkpoint.signature)) {
        problems.push('the checkpoint signature does not verify');
      } else if (checkpoint.count > lines.length) {
        problems.push(
          `the log was truncated: the checkpoint covers ${checkpoint.count} entries, the file holds ${lines.length}`,
        );
      } else if (checkpoint.count < lines.length) {
        problems.push(
          `${lines.length - checkpoint.count} entries after the signed checkpoint are not covered by a signature`,
        );
      } else if (checkpoint.head !== scan.head) {
        problems.push(
          'the log does not match its signed checkpoint (its last entries were changed)',
        );
      }
    }
  }
  return {
    ok: problems.length === 0,
    entries: lines.length,
    head: scan.head,
    signatures,
    problems,
  };
}

/**
 * An open exchange log. Appends are serialized within the process; one process writes a log.
 */
export class ExchangeLog {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private head: string,
    private count: number,
    private readonly now: () => string,
  ) {}

  /** Opens (or starts) a log; refuses one whose chain is broken, so nothing extends a forgery. */
  static async open(path: string, options: { now?: () => string } = {}): Promise<ExchangeLog> {
    const text = (await readText(path)) ?? '';
    const scan = scanChain(text);
    const problems = [...scan.problems];
    // Without the key the signature cannot be checked here, but the checkpoint's head can: a log
    // that disagrees with it was edited or truncated. Entries beyond it (a crash between the append
    // and the checkpoint) are covered by the next append's checkpoint.
    const checkpointText = await readText(checkpointPathFor(path));
    if (checkpointText !== undefined) {
      let parsed: z.infer<typeof checkpointSchema> | undefined;
      try {
        parsed = checkpointSchema.parse(JSON.parse(checkpointText));
      } catch {
        problems.push('the checkpoint file is damaged');
      }
      if (parsed && parsed.count > scan.entries.length) problems.push('the log was truncated');
      else if (parsed) {
        const covered =
          parsed.count === 0 ? GENESIS_HASH : entryHash(scan.entries[parsed.count - 1]!);
        if (covered !== parsed.head) problems.push('the log does not match its checkpoint');
      }
    } else if (scan.entries.length > 0) problems.push('the checkpoint file is missing');
    if (problems.length > 0) {
      throw new Error(`the exchange log ${path} is damaged: ${problems.slice(0, 3).join('; ')}`);
    }
    return new ExchangeLog(
      path,
      scan.head,
      scan.entries.length,
      options.now ?? (() => new Date().toISOString()),
    );
  }

  get headHash(): string {
    return this.head;
  }

  get length(): number {
    return this.count;
  }

  /**
   * Appends entries; after an exchange entry, a signed head follows. The checkpoint is re-signed
   * every time. Returns the entries written.
   */
  append(entries: readonly LogEntryInput[], signer: LogSigner): Promise<LogEntry[]> {
    const run = this.queue.then(() => this.appendNow(entries, signer));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(
    inputs: readonly LogEntryInput[],
    signer: LogSigner,
  ): Promise<LogEntry[]> {
    for (const input of inputs) {
      const result = logEntryDataSchemas[input.type].strict().safeParse(input.data);
      if (!result.success) throw new Error(`invalid ${input.type} log entry`);
    }
    let head = this.head;
    let count = this.count;
    const written: LogEntry[] = [];
    const lines: string[] = [];
    const push = (type: LogEntryType, data: unknown): void => {
      const entry: LogEntry = { seq: count, at: this.now(), prev: head, type, data };
      const line = entryLine(entry);
      lines.push(line);
      written.push(entry);
      head = sha256Hex(line);
      count += 1;
    };
    for (const input of inputs) push(input.type, input.data);
    if (inputs.some((input) => EXCHANGE_TYPES.has(input.type))) {
      const signature = Buffer.from(await signer(headStatement(head, count))).toString('base64');
      push('head-signature', { head, count, signature });
    }
    const handle = await open(this.path, 'a', 0o600);
    try {
      await handle.appendFile(lines.map((line) => `${line}\n`).join(''), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.head = head;
    this.count = count;
    const signature = Buffer.from(await signer(headStatement(head, count))).toString('base64');
    await writeFileAtomic(
      checkpointPathFor(this.path),
      JSON.stringify({ format: CHECKPOINT_FORMAT, head, count, signature }),
    );
    return written;
  }

  /** All entries, parsed (for the log viewer). */
  async entries(): Promise<LogEntry[]> {
    return scanChain((await readText(this.path)) ?? '').entries;
  }
}

/** The log entry for a release decision (shared/exchange/policy.ts). */
export function releaseDecisionEntry(
  caseId: string,
  decision: {
    readonly policyVersion: string;
    readonly partnerId: string;
    readonly released: { readonly case: unknown } & PerItemList<readonly unknown[]>;
    readonly withheld: readonly { readonly id: string }[];
    readonly stripped: readonly unknown[];
  },
): LogEntryInput {
  const r = decision.released;
  return {
    type: 'release-decision',
    data: {
      caseId,
      partnerId: decision.partnerId,
      policyVersion: decision.policyVersion,
      released: ITEM_KINDS.reduce(
        (sum, kind) => sum + r[RECORD_KINDS[kind].table].length,
        r.case ? 1 : 0,
      ),
      withheld: decision.withheld.length,
      withheldIds: decision.withheld.map((item) => item.id),
      strippedProperties: decision.stripped.length,
    },
  };
}
