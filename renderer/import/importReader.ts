/**
 * The worker side of an import (issue 11): reads a File/Blob in slices, decodes, parses and maps
 * the rows with the shared engine (shared/importer), and hands back one batch per request. The
 * main thread pulls (`next`) and stores each batch before asking for the next, so a slow store
 * slows the reading instead of filling memory.
 *
 * Before the first row the file is hashed whole (SHA-256, streamed with @noble/hashes: WebCrypto
 * cannot digest in parts), because every record's provenance names the file's hash.
 *
 * Row numbers are 1-based in the file as a spreadsheet shows it: skipped rows and the header count.
 * The cells of every rejected row are kept with its batch, for the rejects file.
 *
 * Pure apart from Blob: the worker (importWorker.ts) serves it, tests call it in-process.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  createDecoder,
  createDelimitedParser,
  createRowMapper,
  detectSource,
} from '../../shared/importer/index.ts';
import type {
  DetectedSource,
  ImportBatch,
  ImportRunOptions,
  ImportSpec,
  ImportSummary,
  SourceOptions,
} from '../../shared/importer/index.ts';
import { CodedError } from '../../shared/base/errors.ts';

/** Bytes read per request: about ten thousand call records. */
export const SLICE_BYTES = 1 << 20;
/** What detection and the preview look at. */
export const SAMPLE_BYTES = 1 << 20;

export type ImportReaderErrorCode =
  /** XLSX was chosen but the XLSX reader is not part of this build yet. */
  | 'xlsx-unavailable'
  /** `next` before `start`, or after the end. */
  | 'not-started';

export class ImportReaderError extends CodedError<ImportReaderErrorCode> {
  override readonly name = 'ImportReaderError';
}

/** The run's options as the main thread knows them; the file's hash is added here. */
export type ReaderRunOptions = Omit<ImportRunOptions, 'fileSha256'>;

export type ImportReaderRequest =
  | { readonly type: 'detect'; readonly file: Blob; readonly hints?: Partial<SourceOptions> }
  | {
      readonly type: 'sample';
      readonly file: Blob;
      readonly spec: ImportSpec;
      readonly options: ReaderRunOptions;
      /** Data rows to map (the live preview shows 5). */
      readonly rows: number;
    }
  | {
      readonly type: 'start';
      readonly file: Blob;
      readonly spec: ImportSpec;
      readonly options: ReaderRunOptions;
    }
  | { readonly type: 'next' };

export interface ReaderStarted {
  readonly type: 'started';
  readonly fileSha256: string;
  readonly bytesTotal: number;
  readonly source: ResolvedSource;
  readonly header?: readonly string[];
}

export interface ReaderStep {
  readonly type: 'step';
  readonly batch: ImportBatch;
  /** Cells of the rows rejected in this batch, by row number. */
  readonly rejected: readonly (readonly [number, readonly string[]])[];
  readonly bytesRead: number;
  /** Set on the last step. */
  readonly summary?: ImportSummary;
  /** The header row, once known (the rejects file starts with it). */
  readonly header?: readonly string[];
}

export interface ReaderSample {
  readonly type: 'sample';
  readonly batch: ImportBatch;
  readonly header?: readonly string[];
  /** The mapped rows' cells, by row number. */
  readonly rows: readonly (readonly [number, readonly string[]])[];
}

export type ImportReaderResponse =
  | { readonly type: 'detected'; readonly detected: DetectedSource }
  | ReaderStarted
  | ReaderStep
  | ReaderSample;

/** The spec's source with every 'auto' replaced by what was detected. */
export interface ResolvedSource {
  readonly encoding: string;
  readonly delimiter: string;
  readonly header: boolean;
  readonly skipRows: number;
}

async function sliceBytes(file: Blob, from: number, to: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(from, to).arrayBuffer());
}

function isAuto(value: unknown): boolean {
  return value === undefined || value === 'auto' || value === '';
}

/** Detects what the spec leaves to detection (the wizard passes its overrides in the spec). */
export async function resolveSource(file: Blob, source: SourceOptions): Promise<ResolvedSource> {
  if (source.kind === 'xlsx') {
    throw new ImportReaderError(
      'xlsx-unavailable',
      'XLSX files cannot be read in this build yet: save the sheet as CSV and import that.',
    );
  }
  const hints: Partial<SourceOptions> = {
    ...(isAuto(source.encoding) ? {} : { encoding: source.encoding }),
    ...(isAuto(source.delimiter) ? {} : { delimiter: source.delimiter }),
    ...(isAuto(source.header) ? {} : { header: source.header }),
    ...(source.skipRows ? { skipRows: source.skipRows } : {}),
  };
  const needs = isAuto(source.encoding) || isAuto(source.delimiter) || isAuto(source.header);
  const detected = needs ? detectSource(await sliceBytes(file, 0, SAMPLE_BYTES), hints) : undefined;
  return {
    encoding: isAuto(source.encoding) ? detected!.encoding : source.encoding!,
    delimiter: isAuto(source.delimiter) ? detected!.delimiter : source.delimiter!,
    header: isAuto(source.header) ? detected!.header : source.header === true,
    skipRows: source.skipRows ?? 0,
  };
}

async function hashFile(file: Blob): Promise<string> {
  const hash = sha256.create();
  for (let from = 0; from < file.size; from += SLICE_BYTES) {
    hash.update(await sliceBytes(file, from, from + SLICE_BYTES));
  }
  return bytesToHex(hash.digest());
}

/**
 * Reads rows off a delimited file, slice by slice: skipped rows and the header row are taken off
 * the front; each call returns the data rows of the next slice with the row number of the first.
 */
class DelimitedRows {
  private offset = 0;
  private rowNumber = 1;
  private header: string[] | undefined;
  private headerPending: boolean;
  private toSkip: number;
  private readonly decoder;
  private readonly parser;
  private ended = false;

  constructor(
    private readonly file: Blob,
    source: ResolvedSource,
  ) {
    this.decoder = createDecoder(source.encoding);
    this.parser = createDelimitedParser({ delimiter: source.delimiter });
    this.headerPending = source.header;
    this.toSkip = source.skipRows;
  }

  get bytesRead(): number {
    return this.offset;
  }

  get done(): boolean {
    return this.ended;
  }

  get headerRow(): string[] | undefined {
    return this.header;
  }

  /** The next slice's data rows (possibly none) and the row number of the first. */
  async next(): Promise<{ rows: string[][]; first: number }> {
    let parsed: string[][];
    if (this.offset >= this.file.size) {
      parsed = [...this.parser.push(this.decoder.end()), ...this.parser.end()];
      this.ended = true;
    } else {
      const bytes = await sliceBytes(this.file, this.offset, this.offset + SLICE_BYTES);
      this.offset += bytes.length;
      parsed = this.parser.push(this.decoder.decode(bytes));
    }
    let start = 0;
    while (start < parsed.length && this.toSkip > 0) {
      start += 1;
      this.toSkip -= 1;
      this.rowNumber += 1;
    }
    if (this.headerPending && start < parsed.length) {
      this.header = parsed[start];
      this.headerPending = false;
      start += 1;
      this.rowNumber += 1;
    }
    const rows = start === 0 ? parsed : parsed.slice(start);
    const first = this.rowNumber;
    this.rowNumber += rows.length;
    return { rows, first };
  }
}

/** The rows of a batch that have problems, with their cells (for the rejects file). */
function rejectedRows(
  batch: ImportBatch,
  rows: readonly (readonly string[])[],
  first: number,
): [number, readonly string[]][] {
  const out = new Map<number, readonly string[]>();
  for (const problem of batch.problems) {
    const cells = rows[problem.row - first];
    if (cells && !out.has(problem.row)) out.set(problem.row, cells);
  }
  return [...out];
}

/** One worker's state: at most one import at a time. */
export function createImportReader(): (
  request: ImportReaderRequest,
) => Promise<ImportReaderResponse> {
  let session:
    | { rows: DelimitedRows; mapper: ReturnType<typeof createRowMapper>; headerSet: boolean }
    | undefined;

  return async (request) => {
    switch (request.type) {
      case 'detect': {
        if (request.hints?.kind === 'xlsx') {
          await resolveSource(request.file, { ...request.hints, kind: 'xlsx' });
        }
        const sample = await sliceBytes(request.file, 0, SAMPLE_BYTES);
        return { type: 'detected', detected: detectSource(sample, request.hints) };
      }
      case 'sample': {
        const source = await resolveSource(request.file, request.spec.source);
        const rows = new DelimitedRows(request.file.slice(0, SAMPLE_BYTES), source);
        const mapper = createRowMapper(request.spec, { ...request.options, fileSha256: '' });
        const taken: string[][] = [];
        let first = 0;
        while (taken.length < request.rows && !rows.done) {
          const next = await rows.next();
          if (taken.length === 0) first = next.first;
          taken.push(...next.rows.slice(0, request.rows - taken.length));
        }
        const header = rows.headerRow;
        if (header) mapper.setHeader(header);
        const batch = mapper.mapRows(taken, first);
        return {
          type: 'sample',
          batch,
          ...(header ? { header } : {}),
          rows: taken.map((cells, index) => [first + index, cells] as const),
        };
      }
      case 'start': {
        const source = await resolveSource(request.file, request.spec.source);
        const fileSha256 = await hashFile(request.file);
        session = {
          rows: new DelimitedRows(request.file, source),
          mapper: createRowMapper(request.spec, { ...request.options, fileSha256 }),
          headerSet: false,
        };
        return { type: 'started', fileSha256, bytesTotal: request.file.size, source };
      }
      case 'next': {
        if (!session) throw new ImportReaderError('not-started', 'No import is running.');
        const current = session;
        const { rows, first } = await current.rows.next();
        const header = current.rows.headerRow;
        if (header && !current.headerSet) {
          current.mapper.setHeader(header);
          current.headerSet = true;
        }
        const batch = current.mapper.mapRows(rows, first);
        const done = current.rows.done;
        if (done) session = undefined;
        return {
          type: 'step',
          batch,
          rejected: rejectedRows(batch, rows, first),
          bytesRead: current.rows.bytesRead,
          ...(header ? { header } : {}),
          ...(done ? { summary: current.mapper.summary() } : {}),
        };
      }
    }
  };
}
