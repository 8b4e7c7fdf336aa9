/**
 * The one transport interface every way of moving sealed bundles implements (file, shared folder,
 * S3-compatible storage). A transport moves opaque files between mailboxes; it never opens them.
 *
 * - A mailbox is the recipient agency's id: a sender puts into the partner's mailbox, a recipient
 *   lists and gets from its own.
 * - `put` is create-only: a name that already exists in the mailbox is a `conflict`, never an
 *   overwrite, and a file never becomes visible under its final name before it is complete.
 * - `acknowledge` marks a file as received so that `list` no longer returns it. Each transport
 *   documents what that means for its storage (moved aside or deleted).
 * - Every failure is a `TransportError` with a `code`; `retryable` tells the synchronizer whether
 *   trying again later can help.
 */
import type { Readable } from 'node:stream';

export interface TransferProgress {
  /** Bytes moved so far. */
  readonly transferred: number;
  /** Total bytes when known. */
  readonly total: number | null;
}
export type ProgressListener = (progress: TransferProgress) => void;

/** A file on disk, or a stream (consumed once; give `size` with it where known). */
export type TransportSource = string | Readable;

export interface PutOptions {
  readonly size?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface GetOptions {
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface PutResult {
  readonly name: string;
  readonly size: number;
  /** Where it went, for the user: a path or an `s3://bucket/key` address. */
  readonly location: string;
}

export interface MailboxEntry {
  readonly name: string;
  readonly size: number;
  /** ISO 8601. */
  readonly modified: string;
}

export interface TransportDescription {
  readonly kind: string;
  /** Short human label, e.g. "Shared folder \\\\server\\exchange". */
  readonly label: string;
  /** Whether the synchronizer may use it unattended (false where a person must pick files). */
  readonly automatic: boolean;
  /** What `acknowledge` does with a received file. */
  readonly acknowledgement: 'moved' | 'deleted' | 'none';
}

export type ProbeStatus = 'online' | 'offline' | 'error';
export interface ProbeResult {
  /** online: usable; offline: not reachable now (try later); error: reachable but misconfigured. */
  readonly status: ProbeStatus;
  readonly detail?: string;
  readonly latencyMs?: number;
}

export interface Transport {
  describe(): TransportDescription;
  probe(): Promise<ProbeResult>;
  put(
    mailbox: string,
    name: string,
    source: TransportSource,
    options?: PutOptions,
  ): Promise<PutResult>;
  list(mailbox: string): Promise<MailboxEntry[]>;
  get(
    mailbox: string,
    name: string,
    destinationPath: string,
    options?: GetOptions,
  ): Promise<MailboxEntry>;
  acknowledge(mailbox: string, name: string): Promise<void>;
  /** Releases sockets or handles, where the transport holds any. */
  destroy?(): void;
}

export type TransportErrorCode =
  | 'conflict' // create-only write found the name taken
  | 'not-found'
  | 'invalid-name' // mailbox or file name refused (traversal, odd characters)
  | 'offline' // storage not reachable now
  | 'auth' // credentials refused
  | 'cancelled' // a person cancelled a dialog, or the signal aborted
  | 'size-mismatch' // fewer or more bytes than announced
  | 'io'; // anything else

const RETRYABLE: ReadonlySet<TransportErrorCode> = new Set(['offline', 'io']);

export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly retryable: boolean;
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? RETRYABLE.has(code);
  }
}

export function isTransportError(
  error: unknown,
  code?: TransportErrorCode,
): error is TransportError {
  return error instanceof TransportError && (code === undefined || error.code === code);
}

// Names travel into file systems and object keys: a short allow-list keeps them free of path
// separators, traversal, hidden files (temporary files start with a dot), and characters Windows
// or SMB refuse.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
/** Same characters as an agency id (shared/contract/settings.ts). */
const MAILBOX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Folder inside a mailbox holding acknowledged files (folder transport). */
export const ACKNOWLEDGED_FOLDER = 'acknowledged';

export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name) || name.includes('..') || name === ACKNOWLEDGED_FOLDER) {
    throw new TransportError('invalid-name', `Refused file name ${JSON.stringify(name)}`);
  }
  return name;
}

export function validateMailbox(mailbox: string): string {
  if (!MAILBOX_PATTERN.test(mailbox) || /^\.+$/.test(mailbox)) {
    throw new TransportError('invalid-name', `Refused mailbox ${JSON.stringify(mailbox)}`);
  }
  return mailbox;
}

export function isValidName(name: string): boolean {
  try {
    validateName(name);
    return true;
  } catch {
    return false;
  }
}
