/**
 * The in-page half of the import benchmark (bundled with esbuild, run in Chromium; see
 * bench/import.bench.ts). Each measurement is a function on `window.tesseraImportBench`:
 * - `parsers`: the parser comparison on the generated CSV (bench/import/parsers.ts), in the page;
 * - `pipeline`: the generated CSV imported through the wizard's pipeline
 *   (renderer/import/pipeline.ts: worker parse + engine, one change of the unit of work) into a
 *   fresh IndexedDB, with the main thread watched for long tasks meanwhile;
 * - `floor`: in the same run, the chosen parser alone over the same file, then a raw Dexie
 *   `bulkPut` of the records the pipeline produced into a fresh database, in transactions of the
 *   pipeline's slice size (moved slice by slice, never all in memory): what an import cannot go
 *   below. The ratio floor / pipeline is the pipeline's efficiency (goal ≥ 0.5).
 */
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../../shared/model/index.ts';
import { createDecoder, createDelimitedParser } from '../../shared/importer/index.ts';
import type { DelimitedParserKind, ImportSummary } from '../../shared/importer/index.ts';
import { TesseraDatabase } from '../../renderer/db/database.ts';
import { createRepository } from '../../renderer/db/repository.ts';
import { IMPORT_SLICE_RECORDS } from '../../renderer/db/importWriter.ts';
import { createUnitOfWork } from '../../renderer/db/unitOfWork.ts';
import { runImportPipeline } from '../../renderer/import/pipeline.ts';
import { loadXlsx } from '../../renderer/import/xlsxRows.ts';
import { cdrBenchSpec } from './generate.ts';
import { compareParsers } from './parsers.ts';
import type { ParserTiming } from './parsers.ts';

const PIPELINE_DB = 'bench-import';
const FLOOR_DB = 'bench-import-floor';
/** Records read back and put per transaction for the floor: the pipeline's slice size. */
const FLOOR_BATCH = IMPORT_SLICE_RECORDS;

async function fetchCsv(url: string): Promise<Blob> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetch ${url}: ${response.status}`);
  return response.blob();
}

async function freshDatabase(name: string): Promise<TesseraDatabase> {
  await TesseraDatabase.delete(name);
  const db = new TesseraDatabase(name);
  await db.open();
  return db;
}

/** The parser comparison in Chromium, on the file cut into the same ~1 MiB chunks as in Node. */
async function parsers(url: string, rounds: number): Promise<ParserTiming[]> {
  const text = await (await fetchCsv(url)).text();
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    // Cut after a newline so that a chunk never splits a row (the raw PapaParse run joins them).
    const end = text.indexOf('\n', Math.min(text.length - 1, start + (1 << 20)));
    const stop = end < 0 ? text.length : end + 1;
    chunks.push(text.slice(start, stop));
    start = stop;
  }
  return compareParsers(chunks, rounds);
}

export interface PipelineResult {
  readonly ms: number;
  readonly summary: ImportSummary;
  readonly problems: number;
  readonly committed: boolean;
  /** Long tasks on the main thread meanwhile (PerformanceObserver 'longtask': ≥ 50 ms each). */
  readonly longTasks: number;
  readonly longestTaskMs: number;
  /** The longest gap between ticks of a 10 ms timer: what a click would have waited, at most. */
  readonly longestTimerGapMs: number;
  /** performance.memory's main-thread peak, sampled every 100 ms (the runner adds the workers'). */
  readonly mainHeapPeakMB: number;
}

interface MemoryPerformance {
  readonly memory?: { readonly usedJSHeapSize: number };
}

/** Imports the generated file through the wizard's pipeline into a fresh database. */
async function pipeline(url: string): Promise<PipelineResult> {
  const file = await fetchCsv(url);
  const spec = cdrBenchSpec();
  const db = await freshDatabase(PIPELINE_DB);
  const work = createUnitOfWork(db, {
    actor: () => ({ userName: 'bench', agencyId: 'bench' }),
    clock: new HybridLogicalClock('bench.page'),
  });
  const repository = createRepository(work);
  const created = await repository.createCase({
    reference: 'BENCH/IMPORT',
    title: 'Import benchmark',
    leadInvestigator: 'Bench',
  });

  let longTasks = 0;
  let longestTaskMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks += 1;
      longestTaskMs = Math.max(longestTaskMs, entry.duration);
    }
  });
  observer.observe({ type: 'longtask', buffered: false });
  let lastTick = performance.now();
  let longestTimerGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestTimerGapMs = Math.max(longestTimerGapMs, now - lastTick - 10);
    lastTick = now;
  }, 10);
  let mainHeapPeak = 0;
  const memory = (performance as unknown as MemoryPerformance).memory;
  const sampler = setInterval(() => {
    if (memory) mainHeapPeak = Math.max(mainHeapPeak, memory.usedJSHeapSize);
  }, 100);

  const started = performance.now();
  try {
    const result = await runImportPipeline({
      work,
      caseId: created.id,
      file,
      fileName: 'cdr-bench.csv',
      spec,
      grading: UNGRADED,
      markings: DEFAULT_MARKINGS,
      onProblems: 'skip',
    });
    const ms = performance.now() - started;
    return {
      ms,
      summary: result.summary,
      problems: result.problems.length,
      committed: result.committed,
      longTasks,
      longestTaskMs,
      longestTimerGapMs,
      mainHeapPeakMB: mainHeapPeak / (1024 * 1024),
    };
  } finally {
    clearInterval(ticker);
    clearInterval(sampler);
    observer.disconnect();
    db.close();
  }
}

export interface FloorResult {
  readonly parseMs: number;
  readonly parsedRows: number;
  readonly bulkPutMs: number;
  readonly records: number;
}

/**
 * The floor, after `pipeline` in the same page: the chosen parser over the file (read and decoded
 * as the pipeline reads it), then the pipeline's records put raw into a fresh database.
 */
async function floor(url: string, kind: DelimitedParserKind): Promise<FloorResult> {
  try {
    return await measureFloor(url, kind);
  } catch (error) {
    // Dexie's and IndexedDB's errors say most in their name; keep both for the runner.
    const name = error instanceof Error ? error.name : typeof error;
    throw new Error(
      `floor failed: ${name}: ${String(error instanceof Error ? error.message : error)}`,
    );
  }
}

async function measureFloor(url: string, kind: DelimitedParserKind): Promise<FloorResult> {
  const file = await fetchCsv(url);
  const parseStart = performance.now();
  const decoder = createDecoder('utf-8');
  const parser = createDelimitedParser({ delimiter: ',', kind });
  let parsedRows = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parsedRows += parser.push(decoder.decode(value)).length;
  }
  parsedRows += parser.push(decoder.end()).length + parser.end().length;
  const parseMs = performance.now() - parseStart;

  const source = new TesseraDatabase(PIPELINE_DB);
  await source.open();
  const target = await freshDatabase(FLOOR_DB);
  let bulkPutMs = 0;
  let records = 0;
  try {
    for (;;) {
      // Moved, not copied, so the profile holds the import once (an incognito page's in-memory
      // IndexedDB refused a second copy of 1M rows: QuotaExceededError). Only the put is timed.
      const batch = await source.entities.limit(FLOOR_BATCH).toArray();
      if (batch.length === 0) break;
      await source.entities.bulkDelete(batch.map((record) => record.id));
      const start = performance.now();
      await target.transaction('rw', target.entities, () => target.entities.bulkPut(batch));
      bulkPutMs += performance.now() - start;
      records += batch.length;
    }
  } finally {
    source.close();
    target.close();
    await TesseraDatabase.delete(FLOOR_DB);
    await TesseraDatabase.delete(PIPELINE_DB);
  }
  return { parseMs, parsedRows, bulkPutMs, records };
}

export interface XlsxResult {
  readonly rows: string[][] | undefined;
  readonly rowCount: number;
  readonly ms: number;
}

/**
 * A workbook read by the wizard's XLSX reader (exceljs's browser build, whole workbook): the rows
 * themselves when `keepRows` (a small fixture, compared by the runner), else only counted.
 */
async function xlsx(
  url: string,
  sheet: string | undefined,
  keepRows: boolean,
): Promise<XlsxResult> {
  const bytes = new Uint8Array(await (await fetchCsv(url)).arrayBuffer());
  const start = performance.now();
  const workbook = await loadXlsx(bytes);
  const kept: string[][] = [];
  let rowCount = 0;
  for (const batch of workbook.rows(sheet)) {
    rowCount += batch.length;
    if (keepRows) kept.push(...batch);
  }
  return { rows: keepRows ? kept : undefined, rowCount, ms: performance.now() - start };
}

const api = { parsers, pipeline, floor, xlsx };
export type ImportBenchApi = typeof api;
(globalThis as unknown as { tesseraImportBench: ImportBenchApi }).tesseraImportBench = api;
