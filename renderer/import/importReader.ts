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
 * XLSX sheets come through imp-bench's exceljs reader (xlsxHook.ts), with the same row numbering.
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
import type { WrittenBatch } from '../db/importWriter.ts';
import { joinWritten, openImportStore, remoteImportStore } from './importStore.ts';
import type { ImportStore, ImportStoreTarget } from './importStore.ts';
import { loadWorkbook } from './xlsxHook.ts';

/** Bytes read per request: about ten thousand call records. */
export const SLICE_BYTES = 1 << 20;
/** What detection and the preview look at. */
export const SAMPLE_BYTES = 1 << 20;

export type ImportReaderErrorCode =
  /** `next` before `start`, or after the end. */
  'not-started';

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
      /** Bytes per step; SLICE_BYTES unless given (tests take small steps). */
      readonly sliceBytes?: number;
      /**
       * Where to write the mapped records (importStore.ts): each step then writes its batch and
       * hands back only what the page's writer needs (`written`), not the records.
       */
      readonly store?: ImportStoreTarget;
      /**
       * Instead of `store`: the port of the writer worker the page opened the store in
       * (importClient.ts); the batches go there, one in flight.
       */
      readonly storePort?: MessagePort;
    }
  | { readonly type: 'next' }
  /** Ends the run: waits for the store's last slice, drops its keys (cancel, failure). */
  | { readonly type: 'stop' };

export interface ReaderStarted {
  readonly type: 'started';
  readonly fileSha256: string;
  readonly bytesTotal: number;
  readonly source: ResolvedSource;
  readonly header?: readonly string[];
}

export interface ReaderStep {
  readonly type: 'step';
  /** With a store, without its records (`created` and `updated` empty): they were written. */
  readonly batch: ImportBatch;
  /** With a store: what writing the batch did, for the page's writer (ImportWriter.adopt). */
  readonly written?: WrittenBatch;
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
  | {
      readonly type: 'detected';
      readonly detected: DetectedSource;
      /** An XLSX workbook's sheets, in order. */
      readonly sheets?: readonly string[];
    }
  | ReaderStarted
  | ReaderStep
  | ReaderSample
  | { readonly type: 'stopped' };

/** The spec's source with every 'auto' replaced by what was detected. */
export interface ResolvedSource {
  readonly encoding: string;
  readonly delimiter: string;
  readonly header: boolean;
  readonly skipRows: number;
}

async function readSlice(file: Blob, from: number, to: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(from, to).arrayBuffer());
}

function isAuto(value: unknown): boolean {
  return value === undefined || value === 'auto' || value === '';
}

/** Detects what the spec leaves to detection (the wizard passes its overrides in the spec). */
export async function resolveSource(file: Blob, source: SourceOptions): Promise<ResolvedSource> {
  if (source.kind === 'xlsx') {
    return {
      encoding: '',
      delimiter: '',
      header: source.header === undefined || source.header === 'auto' ? true : source.header,
      skipRows: source.skipRows ?? 0,
    };
  }
  const hints: Partial<SourceOptions> = {
    ...(isAuto(source.encoding) ? {} : { encoding: source.encoding }),
    ...(isAuto(source.delimiter) ? {} : { delimiter: source.delimiter }),
    ...(isAuto(source.header) ? {} : { header: source.header }),
    ...(source.skipRows ? { skipRows: source.skipRows } : {}),
  };
  const needs = isAuto(source.encoding) || isAuto(source.delimiter) || isAuto(source.header);
  const detected = needs ? detectSource(await readSlice(file, 0, SAMPLE_BYTES), hints) : undefined;
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
    hash.update(await readSlice(file, from, from + SLICE_BYTES));
  }
  return bytesToHex(hash.digest());
}

/** What a file's rows come from: delimited text read in slices, or an XLSX sheet. */
interface RowSource {
  readonly bytesRead: number;
  readonly done: boolean;
  readonly headerRow: string[] | undefined;
  /** The next data rows (possibly none) and the row number of the first. */
  next(): Promise<{ rows: string[][]; first: number }>;
}

/**
 * Takes skipped rows and the header row off the front of a file's rows and numbers the rest as a
 * spreadsheet does (1-based, skipped rows and the header counted).
 */
class RowFront {
  private rowNumber = 1;
  private headerPending: boolean;
  private toSkip: number;
  header: string[] | undefined;

  constructor(source: ResolvedSource) {
    this.headerPending = source.header;
    this.toSkip = source.skipRows;
  }

  take(parsed: string[][]): { rows: string[][]; first: number } {
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

/** Rows of a delimited file, read slice by slice. */
class DelimitedRows implements RowSource {
  private offset = 0;
  private readonly front: RowFront;
  private readonly decoder;
  private readonly parser;
  private ended = false;

  constructor(
    private readonly file: Blob,
    source: ResolvedSource,
    private readonly sliceBytes = SLICE_BYTES,
  ) {
    this.decoder = createDecoder(source.encoding);
    this.parser = createDelimitedParser({ delimiter: source.delimiter });
    this.front = new RowFront(source);
  }

  get bytesRead(): number {
    return this.offset;
  }

  get done(): boolean {
    return this.ended;
  }

  get headerRow(): string[] | undefined {
    return this.front.header;
  }

  async next(): Promise<{ rows: string[][]; first: number }> {
    let parsed: string[][];
    if (this.offset >= this.file.size) {
      parsed = [...this.parser.push(this.decoder.end()), ...this.parser.end()];
      this.ended = true;
    } else {
      const bytes = await readSlice(this.file, this.offset, this.offset + this.sliceBytes);
      this.offset += bytes.length;
      parsed = this.parser.push(this.decoder.decode(bytes));
    }
    return this.front.take(parsed);
  }
}

/** XLSX rows per step (the whole workbook is in memory already; see xlsxRows.ts). */
const XLSX_BATCH_ROWS = 5_000;

/**
 * Rows of an XLSX sheet, through imp-bench's exceljs reader (see xlsxHook.ts): the
 * browser build of exceljs loads the workbook whole, so progress is by rows, and the byte count
 * stands at the file's size once the workbook is loaded.
 */
class XlsxSheetRows implements RowSource {
  private batches: Generator<string[][]> | undefined;
  private readonly front: RowFront;
  private ended = false;

  constructor(
    private readonly file: Blob,
    source: ResolvedSource,
    private readonly sheet: string | undefined,
  ) {
    this.front = new RowFront(source);
  }

  get bytesRead(): number {
    return this.batches ? this.file.size : 0;
  }

  get done(): boolean {
    return this.ended;
  }

  get headerRow(): string[] | undefined {
    return this.front.header;
  }

  async next(): Promise<{ rows: string[][]; first: number }> {
    this.batches ??= (await loadWorkbook(await this.file.arrayBuffer())).rows(
      this.sheet,
      XLSX_BATCH_ROWS,
    );
    const step = this.batches.next();
    if (step.done) {
      this.ended = true;
      return this.front.take([]);
    }
    return this.front.take(step.value);
  }
}

function rowSource(
  file: Blob,
  spec: ImportSpec,
  source: ResolvedSource,
  sliceBytes?: number,
): RowSource {
  return spec.source.kind === 'xlsx'
    ? new XlsxSheetRows(file, source, spec.source.sheet)
    : new DelimitedRows(file, source, sliceBytes);
}

/** An XLSX sheet's first rows as detection would describe a delimited file's. */
async function detectXlsx(
  file: Blob,
  hints: Partial<SourceOptions>,
): Promise<{ detected: DetectedSource; sheets: string[] }> {
  const workbook = await loadWorkbook(await file.arrayBuffer());
  const rows: string[][] = [];
  for (const batch of workbook.rows(hints.sheet, 200)) {
    rows.push(...batch);
    if (rows.length > 100 + (hints.skipRows ?? 0)) break;
  }
  const body = rows.slice(hints.skipRows ?? 0);
  // A sheet's first row names its columns unless told otherwise (cells carry no type to go by).
  const header = hints.header === undefined || hints.header === 'auto' ? true : hints.header;
  return {
    detected: {
      encoding: 'xlsx',
      delimiter: '',
      header,
      columns: header ? (body[0] ?? []) : [],
      preview: body.slice(header ? 1 : 0, header ? 101 : 100),
    },
    sheets: [...workbook.sheetNames],
  };
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
    | {
        rows: RowSource;
        mapper: ReturnType<typeof createRowMapper>;
        headerSet: boolean;
        store?: ImportStore;
      }
    | undefined;

  /**
   * Ends the session: waits for the store's last slice and returns what it had not reported yet;
   * the store's keys go whatever that slice did.
   */
  const end = async (): Promise<WrittenBatch | undefined> => {
    const store = session?.store;
    session = undefined;
    if (!store) return undefined;
    try {
      return await store.flush();
    } finally {
      store.close();
    }
  };

  return async (request) => {
    switch (request.type) {
      case 'detect': {
        if (request.hints?.kind === 'xlsx') {
          return { type: 'detected', ...(await detectXlsx(request.file, request.hints)) };
        }
        const sample = await readSlice(request.file, 0, SAMPLE_BYTES);
        return { type: 'detected', detected: detectSource(sample, request.hints) };
      }
      case 'sample': {
        const source = await resolveSource(request.file, request.spec.source);
        const file =
          request.spec.source.kind === 'xlsx' ? request.file : request.file.slice(0, SAMPLE_BYTES);
        const rows = rowSource(file, request.spec, source);
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
        await end().catch(() => undefined);
        const source = await resolveSource(request.file, request.spec.source);
        const fileSha256 = await hashFile(request.file);
        session = {
          rows: rowSource(request.file, request.spec, source, request.sliceBytes),
          mapper: createRowMapper(request.spec, { ...request.options, fileSha256 }),
          headerSet: false,
          ...(request.store
            ? {
                store: openImportStore(
                  request.store,
                  new Set((request.options.existing ?? []).map((entity) => entity.id)),
                ),
              }
            : request.storePort
              ? { store: remoteImportStore(request.storePort) }
              : {}),
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
        let written: WrittenBatch | undefined;
        try {
          // Resolves once the batch is handed to the store; the next batch is mapped meanwhile.
          written = current.store ? await current.store.write(batch) : undefined;
        } catch (error) {
          await end().catch(() => undefined);
          throw error;
        }
        if (done) {
          // The last step reports every slice: the page commits right after it.
          const rest = await end();
          if (written && rest) written = joinWritten(written, rest);
        }
        return {
          type: 'step',
          batch: written ? { ...batch, created: [], updated: [] } : batch,
          ...(written ? { written } : {}),
          rejected: rejectedRows(batch, rows, first),
          bytesRead: current.rows.bytesRead,
          ...(header ? { header } : {}),
          ...(done ? { summary: current.mapper.summary() } : {}),
        };
      }
      case 'stop': {
        await end().catch(() => undefined);
        return { type: 'stopped' };
      }
    }
  };
}
