/**
 * S3-compatible object storage transport (AWS S3, MinIO, Ceph RGW, …) through @aws-sdk/client-s3.
 *
 * Layout: `s3://<bucket>/<prefix>/<mailbox>/<name>`. Acknowledging DELETES the object: server-side
 * copy (needed to "move" it) is limited to 5 GiB per request, and buckets that must keep history
 * have versioning or lifecycle rules of their own; the exchange log keeps the record either way.
 *
 * Writes are create-only twice over: a HEAD check first (a clear error before any upload), then
 * `If-None-Match: *` on PutObject / CompleteMultipartUpload, which AWS S3, MinIO and Ceph RGW
 * enforce atomically (412 → conflict) and older servers ignore (turn it off with
 * `conditionalWrites: false` for servers that reject the header). Objects larger than one part are
 * uploaded as a multipart upload, part by part from the stream (at most `concurrency` parts in
 * memory), with progress after each part; an object appears only when the upload completes, so no
 * reader sees a partial bundle. A failed upload is aborted.
 *
 * Path-style addressing is the default (MinIO and most on-premises servers need it). Flexible
 * checksums are sent only where required, which the S3-compatible servers of other vendors accept.
 */
import type { S3ServiceException } from '@aws-sdk/client-s3';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { DEFAULT_PART_SIZE, MIN_PART_SIZE } from '../../../shared/exchange/transportConfig.ts';
import { errnoCode, openSource, writeStreamAtomic } from './atomicFiles.ts';
import type {
  GetOptions,
  MailboxEntry,
  ProbeResult,
  PutOptions,
  PutResult,
  Transport,
  TransportDescription,
  TransportSource,
} from './transport.ts';
import { TransportError, isValidName, validateMailbox, validateName } from './transport.ts';

export interface S3TransportConfig {
  /** e.g. `http://127.0.0.1:9000`; omitted for AWS S3 itself. */
  readonly endpoint?: string;
  readonly region: string;
  readonly bucket: string;
  /** Key prefix for every mailbox, without slashes at the ends; may be empty. */
  readonly prefix?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Default true. */
  readonly forcePathStyle?: boolean;
  /** Default 8 MiB; at least 5 MiB (S3's minimum for all parts but the last). */
  readonly partSize?: number;
  /** Parts uploaded at once (default 3). */
  readonly concurrency?: number;
  /** Send `If-None-Match: *` on writes (default true). */
  readonly conditionalWrites?: boolean;
  /** Connection timeout in ms (default 5000); a dead network is reported as offline after it. */
  readonly connectTimeoutMs?: number;
  /** Attempts per request inside the SDK (default 3). */
  readonly maxAttempts?: number;
}

export class S3Transport implements Transport {
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly concurrency: number;

  constructor(private readonly config: S3TransportConfig) {
    this.prefix = (config.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.partSize = Math.max(MIN_PART_SIZE, config.partSize ?? DEFAULT_PART_SIZE);
    this.concurrency = Math.max(1, Math.floor(config.concurrency ?? 3));
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle ?? true,
      credentials: {
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
        ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
      },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: config.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: config.connectTimeoutMs ?? 5000 },
    });
  }

  describe(): TransportDescription {
    const where = this.config.endpoint ?? `AWS ${this.config.region}`;
    return {
      kind: 's3',
      label: `S3 ${where} s3://${this.config.bucket}/${this.prefix}`,
      automatic: true,
      acknowledgement: 'deleted',
    };
  }

  async probe(): Promise<ProbeResult> {
    const started = Date.now();
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), {
        abortSignal: AbortSignal.timeout((this.config.connectTimeoutMs ?? 5000) * 2),
      });
      return { status: 'online', latencyMs: Date.now() - started };
    } catch (error) {
      const mapped = s3Error(error, `S3 bucket ${this.config.bucket} unavailable`);
      return { status: mapped.code === 'offline' ? 'offline' : 'error', detail: mapped.message };
    }
  }

  /** Object key of a file; names and mailboxes are validated, so no key escapes its mailbox. */
  keyOf(mailbox: string, name: string): string {
    return this.mailboxPrefix(mailbox) + validateName(name);
  }

  private mailboxPrefix(mailbox: string): string {
    const box = validateMailbox(mailbox);
    return this.prefix ? `${this.prefix}/${box}/` : `${box}/`;
  }

  async put(
    mailbox: string,
    name: string,
    source: TransportSource,
    options: PutOptions = {},
  ): Promise<PutResult> {
    const key = this.keyOf(mailbox, name);
    if (await this.exists(key)) throw new TransportError('conflict', `${name} already exists`);
    const opened = await openSource(source, options.size);
    const total = options.size ?? opened.size;
    const onProgress = options.onProgress;
    onProgress?.({ transferred: 0, total });
    const parts = chunked(opened.stream, this.partSize)[Symbol.asyncIterator]();
    try {
      const first = await parts.next();
      const firstPart = first.done ? Buffer.alloc(0) : first.value;
      const second = first.done ? first : await parts.next();
      let size: number;
      if (second.done) {
        checkSize(firstPart.length, total, name);
        await this.call(
          (o) =>
            this.client.send(
              new PutObjectCommand({
                Bucket: this.config.bucket,
                Key: key,
                Body: firstPart,
                ContentLength: firstPart.length,
                ContentType: 'application/octet-stream',
                ...this.ifNoneMatch(),
              }),
              o,
            ),
          `Cannot upload ${name}`,
          options.signal,
        );
        size = firstPart.length;
      } else {
        size = await this.multipart(key, name, firstPart, second.value, parts, total, options);
      }
      onProgress?.({ transferred: size, total });
      return { name, size, location: `s3://${this.config.bucket}/${key}` };
    } catch (error) {
      opened.stream.destroy();
      throw error;
    }
  }

  private async multipart(
    key: string,
    name: string,
    first: Buffer,
    second: Buffer,
    rest: AsyncIterator<Buffer>,
    total: number | null,
    options: PutOptions,
  ): Promise<number> {
    const created = await this.call(
      (o) =>
        this.client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.config.bucket,
            Key: key,
            ContentType: 'application/octet-stream',
          }),
          o,
        ),
      `Cannot upload ${name}`,
      options.signal,
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new TransportError('io', `No upload id for ${name}`);
    const etags: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: TransportError | undefined;
    let sent = 0;
    let read = 0;
    const upload = (partNumber: number, body: Buffer): void => {
      // Never rejects: the first failure is kept and raised by the loop below.
      const task: Promise<void> = this.call(
        (o) =>
          this.client.send(
            new UploadPartCommand({
              Bucket: this.config.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: body.length,
            }),
            o,
          ),
        `Cannot upload part ${partNumber} of ${name}`,
        options.signal,
      ).then(
        (result) => {
          etags[partNumber - 1] = result.ETag ?? '';
          sent += body.length;
          options.onProgress?.({ transferred: sent, total });
          inFlight.delete(task);
        },
        (error: unknown) => {
          failure ??= s3Error(error, `Cannot upload part ${partNumber} of ${name}`);
          inFlight.delete(task);
        },
      );
      inFlight.add(task);
    };
    try {
      let partNumber = 0;
      const queue = [first, second];
      for (;;) {
        const body = queue.shift() ?? (await nextOrNull(rest));
        if (body === null) break;
        read += body.length;
        partNumber++;
        if (partNumber > 10_000) throw new TransportError('io', `${name} needs too many parts`);
        upload(partNumber, body);
        while (inFlight.size >= this.concurrency) await Promise.race(inFlight);
        if (failure !== undefined) throw failure;
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      checkSize(read, total, name);
      await this.call(
        (o) =>
          this.client.send(
            new CompleteMultipartUploadCommand({
              Bucket: this.config.bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
              ...this.ifNoneMatch(),
            }),
            o,
          ),
        `Cannot complete upload of ${name}`,
        options.signal,
      );
      return read;
    } catch (error) {
      await Promise.all(inFlight);
      await this.client
        .send(
          new AbortMultipartUploadCommand({
            Bucket: this.config.bucket,
            Key: key,
            UploadId: uploadId,
          }),
        )
        .catch(() => undefined);
      throw error;
    }
  }

  async list(mailbox: string): Promise<MailboxEntry[]> {
    const prefix = this.mailboxPrefix(mailbox);
    const entries: MailboxEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(
        (o) =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: this.config.bucket,
              Prefix: prefix,
              Delimiter: '/',
              ...(token ? { ContinuationToken: token } : {}),
            }),
            o,
          ),
        `Cannot list mailbox ${mailbox}`,
      );
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(prefix.length);
        if (!isValidName(name)) continue;
        entries.push({
          name,
          size: object.Size ?? 0,
          modified: (object.LastModified ?? new Date(0)).toISOString(),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries.sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(
    mailbox: string,
    name: string,
    destinationPath: string,
    options: GetOptions = {},
  ): Promise<MailboxEntry> {
    const key = this.keyOf(mailbox, name);
    const response = await this.call(
      (o) => this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }), o),
      `Cannot download ${name}`,
      options.signal,
    );
    const body = response.Body;
    if (!(body instanceof Readable)) throw new TransportError('io', `No body for ${name}`);
    const size = response.ContentLength ?? null;
    try {
      const written = await writeStreamAtomic(body, destinationPath, {
        expectedSize: size,
        mode: 0o600,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return {
        name,
        size: written,
        modified: (response.LastModified ?? new Date(0)).toISOString(),
      };
    } catch (error) {
      // A connection dropped mid-body surfaces here as a stream error.
      throw error instanceof TransportError ? error : s3Error(error, `Cannot download ${name}`);
    }
  }

  /** Deletes the object (see the overview); deleting a missing object is not an error in S3. */
  async acknowledge(mailbox: string, name: string): Promise<void> {
    await this.call(
      (o) =>
        this.client.send(
          new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.keyOf(mailbox, name) }),
          o,
        ),
      `Cannot acknowledge ${name}`,
    );
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private ifNoneMatch(): { IfNoneMatch?: string } {
    return this.config.conditionalWrites === false ? {} : { IfNoneMatch: '*' };
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key }));
      return true;
    } catch (error) {
      const mapped = s3Error(error, `Cannot check ${key}`);
      if (mapped.code === 'not-found') return false;
      throw mapped;
    }
  }

  /** Runs one SDK call, mapping its failure to a TransportError. */
  private async call<T>(
    run: (options: { abortSignal?: AbortSignal }) => Promise<T>,
    message: string,
    signal?: AbortSignal,
  ): Promise<T> {
    try {
      return await run(signal ? { abortSignal: signal } : {});
    } catch (error) {
      throw s3Error(error, message);
    }
  }
}

function checkSize(actual: number, expected: number | null, name: string): void {
  if (expected !== null && actual !== expected) {
    throw new TransportError(
      'size-mismatch',
      `Expected ${expected} bytes, got ${actual} for ${name}`,
    );
  }
}

async function nextOrNull(iterator: AsyncIterator<Buffer>): Promise<Buffer | null> {
  const next = await iterator.next();
  return next.done ? null : next.value;
}

/** Cuts a stream into buffers of exactly `size` bytes (the last one shorter). */
async function* chunked(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (pendingBytes + bytes.length >= size) {
      const take = size - pendingBytes;
      pending.push(bytes.subarray(0, take));
      yield Buffer.concat(pending, size);
      bytes = bytes.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (bytes.length > 0) {
      pending.push(bytes);
      pendingBytes += bytes.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ECONNABORTED',
]);
const OFFLINE_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'NetworkingError']);
const AUTH_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
]);

/** Maps an SDK or network error to a TransportError. */
export function s3Error(error: unknown, message: string): TransportError {
  if (error instanceof TransportError) return error;
  const e = error as Partial<S3ServiceException> & { code?: unknown };
  const name = typeof e?.name === 'string' ? e.name : '';
  const status = e?.$metadata?.httpStatusCode;
  const code = errnoCode(error);
  const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
  const text = message + detail;
  if (name === 'AbortError') return new TransportError('cancelled', text, { cause: error });
  if ((code && OFFLINE_CODES.has(code)) || OFFLINE_NAMES.has(name)) {
    return new TransportError('offline', text, { cause: error });
  }
  if (status === 412 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') {
    return new TransportError('conflict', text, { cause: error });
  }
  if (status === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket') {
    return new TransportError('not-found', text, { cause: error });
  }
  if (status === 401 || status === 403 || AUTH_NAMES.has(name)) {
    return new TransportError('auth', text, { cause: error });
  }
  if (status === undefined || status >= 500 || status === 429 || status === 408) {
    return new TransportError('io', text, { cause: error });
  }
  return new TransportError('io', text, { cause: error, retryable: false });
}
