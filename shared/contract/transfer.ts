/**
 * The `transfer.*` contract domain: large files cross the carriers in chunks (issue 8, finding 6).
 *
 * A bundle of 1 GiB, or an attachment chosen in the browser, must never travel as one base64 message:
 * the web host caps a WebSocket message (a few MiB of JSON), and a whole file held as a JavaScript
 * string on either side is a memory problem. So files go in numbered pieces:
 *
 *   upload:   begin {purpose, fileName, size, sha256?} → {uploadId}
 *             chunk {uploadId, offset, contentBase64} ×n (≤ 1 MiB each, strictly in order)
 *             finish {uploadId} → {ref: {kind:'upload', uploadId}}   (size and SHA-256 checked)
 *             The ref is then handed to the method that consumes the file (exchange.import.fromFile,
 *             or a sealed case file's attachment `contentRef`).
 *   download: begin {ref} → {downloadId, size}; chunk {downloadId, offset, length} ×n, in order.
 *
 * The same methods run on both carriers (Electron IPC and the web host's WebSocket) through the one
 * dispatch. Sizes are capped per purpose (below); the Node side also refuses when its disk is nearly
 * full, caps the bytes of all uploads in flight, and drops uploads and downloads left idle.
 *
 * A path never comes from the renderer (issue 8, finding 7): a file is either uploaded, or chosen in
 * a native dialog that the Electron main process opens itself (`files.chooseImport`), which yields
 * an opaque `{kind:'chosen', id}`.
 */
import { z } from 'zod';
import { bundleRefSchema, exportRefSchema } from './refs.ts';

/** Largest piece of a file in one message (before base64). */
export const TRANSFER_CHUNK_BYTES = 1024 * 1024;
/** Longest base64 text of one piece. */
export const TRANSFER_CHUNK_BASE64 = Math.ceil(TRANSFER_CHUNK_BYTES / 3) * 4;

const GiB = 1024 * 1024 * 1024;

/** What an upload is for; the consumer refuses an upload made for another purpose. */
export const UPLOAD_PURPOSES = ['bundle-import', 'attachment'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

/** Largest file per purpose (bytes). */
export const UPLOAD_CAPS: Readonly<Record<UploadPurpose, number>> = {
  'bundle-import': 4 * GiB,
  attachment: 2 * GiB,
};

/**
 * Codes of transfer failures, carried as the `reason` of a failed call (see bridge.ts), so the UI
 * branches on them and never on a message's wording.
 */
export const TRANSFER_ERROR_CODES = [
  /** Larger than the cap for its purpose (or grew past it while read). */
  'too-large',
  /** Not enough free disk space for the declared size. */
  'disk-full',
  /** Too many bytes (or uploads) in flight in this process; finish or cancel others first. */
  'busy',
  /** No such upload/download (never begun, finished and used, cancelled or dropped when idle). */
  'unknown-upload',
  'unknown-download',
  'unknown-file',
  /** A chunk not at the next expected offset. */
  'offset-mismatch',
  /** A chunk larger than TRANSFER_CHUNK_BYTES. */
  'chunk-too-large',
  /** More bytes than declared, or fewer at finish. */
  'size-mismatch',
  'sha256-mismatch',
  /** The upload was made for another purpose than the one it is used for. */
  'wrong-purpose',
  /** The upload is not finished yet (or already finished). */
  'not-finished',
  'already-finished',
  /** A chosen path is a device, FIFO, socket, directory or a link to one. */
  'not-regular-file',
  /** A chosen file is gone or unreadable. */
  'unreadable',
  /** This host has no native dialog (the web host): upload the file instead. */
  'no-dialog',
] as const;
export type TransferErrorCode = (typeof TRANSFER_ERROR_CODES)[number];

const id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), 'invalid transfer id');
export const uploadIdSchema = id('u');
export const downloadIdSchema = id('d');
export const chosenIdSchema = id('c');

/** A plain file name as the user's system gave it (never a path). */
export const transferFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !/[\\/\0]|^\.\.?$/.test(name), 'a file name, not a path');

const base64Chunk = z
  .string()
  .max(TRANSFER_CHUNK_BASE64)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 in lowercase hex');
const offset = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A file the Node side holds for a later call: an upload, or a file chosen in a native dialog. */
export const fileRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('upload'), uploadId: uploadIdSchema }).strict(),
  z.object({ kind: z.literal('chosen'), id: chosenIdSchema }).strict(),
]);
export type FileRef = z.infer<typeof fileRefSchema>;
export type UploadRef = Extract<FileRef, { kind: 'upload' }>;
export const uploadRefSchema = fileRefSchema.options[0];

/**
 * What can be downloaded: an exported bundle or receipt (its ExportRef as it is), or one attachment
 * of a staged bundle.
 */
export const downloadRefSchema = z.discriminatedUnion('kind', [
  exportRefSchema,
  z
    .object({
      kind: z.literal('staged-attachment'),
      bundleRef: bundleRefSchema,
      name: z.string().min(1).max(200),
    })
    .strict(),
]);
export type DownloadRef = z.infer<typeof downloadRefSchema>;

export const transferMethods = {
  /**
   * Starts an upload of `size` bytes. Refused (reason `too-large`, `disk-full`, `busy`) before a
   * byte is sent. `sha256`, when given, is checked at finish.
   */
  'transfer.upload.begin': {
    input: z
      .object({
        purpose: z.enum(UPLOAD_PURPOSES),
        fileName: transferFileNameSchema,
        size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
        sha256: sha256Hex.optional(),
      })
      .strict(),
    output: z.object({ uploadId: uploadIdSchema, chunkBytes: z.number().int().positive() }),
  },
  /** The next piece, at `offset` = bytes received so far. Returns the new count. */
  'transfer.upload.chunk': {
    input: z.object({ uploadId: uploadIdSchema, offset, contentBase64: base64Chunk }).strict(),
    output: z.object({ received: z.number().int().nonnegative() }),
  },
  /** Checks size (and SHA-256) and returns the reference to hand to the consuming method. */
  'transfer.upload.finish': {
    input: z.object({ uploadId: uploadIdSchema }).strict(),
    output: z.object({ ref: uploadRefSchema, size: z.number().int(), sha256: sha256Hex }),
  },
  /** Drops an upload, finished or not, and its bytes. False when it was not there. */
  'transfer.upload.cancel': {
    input: z.object({ uploadId: uploadIdSchema }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Opens a download; read it with transfer.download.chunk from offset 0 on. */
  'transfer.download.begin': {
    input: z.object({ ref: downloadRefSchema }).strict(),
    output: z.object({
      downloadId: downloadIdSchema,
      fileName: z.string(),
      size: z.number().int().nonnegative(),
      /** Lowercase hex when the source records one (staged attachments), else null. */
      sha256: sha256Hex.nullable(),
      chunkBytes: z.number().int().positive(),
    }),
  },
  /**
   * The `length` bytes at `offset` (fewer at the end). Offsets go in order; the last piece may be
   * asked again (a retry). The download closes itself after its last byte.
   */
  'transfer.download.chunk': {
    input: z
      .object({
        downloadId: downloadIdSchema,
        offset,
        length: z.number().int().positive().max(TRANSFER_CHUNK_BYTES),
      })
      .strict(),
    output: z.object({ contentBase64: z.string(), done: z.boolean() }),
  },
  'transfer.download.cancel': {
    input: z.object({ downloadId: downloadIdSchema }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;
