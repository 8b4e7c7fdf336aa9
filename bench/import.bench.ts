/**
 * Import benchmark (issue 11): `npm run bench -- import`. A generated call-record CSV
 * (bench/import/generate.ts: 1,000,000 rows, about 71 MB; `IMPORT_BENCH_ROWS=100000` for a quick
 * run) is
 * 1. parsed by uDSV and PapaParse, raw and through the engine's `createDelimitedParser`, in Node
 *    and in Chromium (bench/import/parsers.ts): `parse node|chromium NAME: N rows/s`;
 *    and, as a workbook of up to 100,000 of its rows, read by the XLSX readers (Node streaming,
 *    Chromium whole-workbook; the exceljs fixture is checked cell for cell in Chromium too);
 * 2. imported in Debian's Chromium through the wizard's pipeline (renderer/import/pipeline.ts:
 *    worker parse + engine + one change of the unit of work) into IndexedDB, the page half
 *    (bench/import/entry.ts) built with Vite (the pipeline starts a module worker) and served from
 *    127.0.0.1. Prints
 *      import rows/s: X
 *      import peak heap MB: X           (page + workers, CDP Runtime.getHeapUsage every 200 ms)
 *      import longest main-thread task ms: X  (PerformanceObserver 'longtask'; 0 = none ≥ 50 ms)
 *      import longest timer gap ms: X   (a 10 ms timer's worst lateness: input latency, at most)
 *      import ratio vs floor: X         (floor / pipeline time; goal ≥ 0.5)
 *    and, with IMPORT_BENCH_PROFILE=FILE.cpuprofile, records the page's main thread during the
 *    import (CDP Profiler) to FILE and prints the functions with the most self time.
 *    where the floor, in the same run, is the chosen parser alone over the file plus a raw Dexie
 *    bulkPut of the records the pipeline produced. Goals: ratio ≥ 0.5, heap < 1 GB, no task > 100 ms.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import ExcelJS from 'exceljs';
import { chromium } from 'playwright-core';
import type { CDPSession, Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../e2e/harness/chromiumArgs.ts';
import { readXlsxRows } from '../electron/services/importer/xlsxRows.ts';
import { CALLS_ROWS, callsWorkbook } from '../shared/importer/fixtures/xlsxWorkbook.ts';
import { DEFAULT_PARSER_KIND } from '../shared/importer/index.ts';
import { cdrCsvChunks, DEFAULT_CDR_ROWS } from './import/generate.ts';
import type { ImportBenchApi } from './import/entry.ts';
import { compareParsers, parserLines } from './import/parsers.ts';

const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? DEFAULT_CDR_ROWS);
const PROFILE_PATH = process.env.IMPORT_BENCH_PROFILE;
/** IMPORT_BENCH_PIPELINE_ONLY=1: the import and its floor only (no parser or XLSX timings). */
const PIPELINE_ONLY = process.env.IMPORT_BENCH_PIPELINE_ONLY === '1';
const PARSER_ROUNDS = ROWS > 200_000 ? 2 : 3;
const CSV_PATH = '/cdr.csv';
const FIXTURE_PATH = '/fixture.xlsx';
const XLSX_PATH = '/cdr.xlsx';
/** Rows of the XLSX timing: the wizard holds a workbook whole, so it stays below its size limit. */
const XLSX_ROWS = Math.min(ROWS, 100_000);

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.wasm': 'application/wasm',
};

/** The first `rows` call records as a workbook (exceljs's streaming writer, shared strings). */
async function writeCdrXlsx(path: string, rows: number): Promise<number> {
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: true,
  });
  const sheet = writer.addWorksheet('CDR');
  for (const chunk of cdrCsvChunks({ rows })) {
    for (const line of chunk.split('\n')) if (line !== '') sheet.addRow(line.split(',')).commit();
  }
  sheet.commit();
  await writer.commit();
  return (await stat(path)).size;
}

async function timeNodeXlsx(path: string): Promise<{ rows: number; ms: number }> {
  const start = performance.now();
  let rows = 0;
  for await (const batch of readXlsxRows(path)) rows += batch.length;
  return { rows, ms: performance.now() - start };
}

async function writeCsv(path: string): Promise<{ bytes: number; chunks: string[] }> {
  const out = createWriteStream(path);
  const chunks: string[] = [];
  let bytes = 0;
  for (const chunk of cdrCsvChunks({ rows: ROWS })) {
    chunks.push(chunk);
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return { bytes, chunks };
}

/**
 * Samples the JS heap of the page and of every worker it starts. Workers are separate isolates
 * that `performance.memory` does not see; this session auto-attaches to them (non-flat, so it
 * does not disturb Playwright's own flat session) and asks each through Target.sendMessageToTarget.
 */
class HeapSampler {
  private readonly workers = new Set<string>();
  private readonly pending = new Map<number, (usedSize: number) => void>();
  private nextId = 1;
  private timer: ReturnType<typeof setInterval> | undefined;
  peakBytes = 0;

  private constructor(private readonly cdp: CDPSession) {}

  static async attach(page: Page): Promise<HeapSampler> {
    const cdp = await page.context().newCDPSession(page);
    const sampler = new HeapSampler(cdp);
    cdp.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type === 'worker') sampler.workers.add(event.sessionId);
    });
    cdp.on('Target.detachedFromTarget', (event) => {
      if (event.sessionId) sampler.workers.delete(event.sessionId);
    });
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: { usedSize?: number } };
      if (message.id === undefined) return;
      sampler.pending.get(message.id)?.(message.result?.usedSize ?? 0);
      sampler.pending.delete(message.id);
    });
    await cdp.send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: false,
    });
    return sampler;
  }

  private workerHeap(sessionId: string): Promise<number> {
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      this.pending.set(id, resolve);
      // A worker that ends before it answers counts 0.
      setTimeout(() => {
        if (this.pending.delete(id)) resolve(0);
      }, 1_000);
      this.cdp
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
        })
        .catch(() => resolve(0));
    });
  }

  async sample(): Promise<number> {
    const main = await this.cdp.send('Runtime.getHeapUsage').catch(() => ({ usedSize: 0 }));
    const workers = await Promise.all([...this.workers].map((id) => this.workerHeap(id)));
    const total = main.usedSize + workers.reduce((a, b) => a + b, 0);
    this.peakBytes = Math.max(this.peakBytes, total);
    return total;
  }

  start(): void {
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.sample().finally(() => {
        busy = false;
      });
    }, 200);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

async function startProfile(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  return cdp;
}

/** Writes the main thread's profile and prints its top self times (ms, with their share). */
async function stopProfile(cdp: CDPSession, path: string): Promise<void> {
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await writeFile(path, JSON.stringify(profile));
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples?.forEach((id, index) => {
    const frame = byNode.get(id)?.callFrame;
    const ms = (profile.timeDeltas?.[index] ?? 0) / 1000;
    const name = frame
      ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}:${frame.lineNumber + 1}`
      : '?';
    self.set(name, (self.get(name) ?? 0) + ms);
    total += ms;
  });
  console.log(`import main-thread profile: ${Math.round(total)} ms sampled, written to ${path}`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${Math.round(ms)} ms (${((100 * ms) / total).toFixed(1)}%) ${name}`);
  }
}

function bench(page: Page): ImportBenchApi {
  const call =
    <K extends keyof ImportBenchApi>(name: K) =>
    (...args: Parameters<ImportBenchApi[K]>) =>
      page.evaluate(
        ([fn, rest]) =>
          (
            globalThis as unknown as {
              tesseraImportBench: Record<string, (...a: unknown[]) => unknown>;
            }
          ).tesseraImportBench[fn]!(...rest),
        [name, args] as const,
      ) as ReturnType<ImportBenchApi[K]>;
  return {
    parsers: call('parsers'),
    pipeline: call('pipeline'),
    floor: call('floor'),
    xlsx: call('xlsx'),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-import-'));
  const site = join(dir, 'site');
  const csv = join(dir, 'cdr.csv');
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const data: Record<string, string> = {
      [CSV_PATH]: csv,
      [FIXTURE_PATH]: join(dir, 'fixture.xlsx'),
      [XLSX_PATH]: join(dir, 'cdr.xlsx'),
    };
    const file = data[path] ?? join(site, normalize(path === '/' ? '/index.html' : path));
    if (!file.startsWith(dir)) {
      response.writeHead(403);
      response.end();
      return;
    }
    stat(file).then(
      (info) => {
        response.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': info.size,
        });
        createReadStream(file).pipe(response);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  try {
    const started = performance.now();
    const { bytes, chunks } = await writeCsv(csv);
    console.log(
      `generated ${ROWS} rows, ${(bytes / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - started)} ms`,
    );
    if (!PIPELINE_ONLY) {
      for (const line of parserLines('node', compareParsers(chunks, PARSER_ROUNDS)))
        console.log(line);
      await writeFile(join(dir, 'fixture.xlsx'), await callsWorkbook());
      const xlsxBytes = await writeCdrXlsx(join(dir, 'cdr.xlsx'), XLSX_ROWS);
      const nodeXlsx = await timeNodeXlsx(join(dir, 'cdr.xlsx'));
      console.log(
        `xlsx node streaming read: ${Math.round(nodeXlsx.rows / (nodeXlsx.ms / 1000))} rows/s (${nodeXlsx.rows} rows, ${(xlsxBytes / 1e6).toFixed(1)} MB)`,
      );
    }
    chunks.length = 0;

    await build({
      configFile: false,
      logLevel: 'error',
      root: join(import.meta.dirname, 'import'),
      base: './',
      // Not minified: a page error then names the function it came from.
      build: { outDir: site, emptyOutDir: true, minify: false, chunkSizeWarningLimit: 8000 },
      worker: { format: 'es' },
    });
    await readFile(join(site, 'index.html'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    // A profile on disk, as the app has: an incognito page keeps IndexedDB in memory, and it
    // refused the floor's second copy of a 1M-row import (QuotaExceededError).
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
      await page.goto(`${url}/`);
      await page.waitForFunction(() => 'tesseraImportBench' in globalThis);
      const api = bench(page);
      if (!PIPELINE_ONLY) {
        for (const line of parserLines('chromium', await api.parsers(CSV_PATH, PARSER_ROUNDS)))
          console.log(line);
        const fixture = await api.xlsx(FIXTURE_PATH, 'Calls', true);
        if (JSON.stringify(fixture.rows) !== JSON.stringify(CALLS_ROWS))
          throw new Error(
            `the XLSX fixture read in Chromium differs: ${JSON.stringify(fixture.rows)}`,
          );
        const pageXlsx = await api.xlsx(XLSX_PATH, undefined, false);
        console.log(
          `xlsx chromium whole-workbook read: ${Math.round(pageXlsx.rowCount / (pageXlsx.ms / 1000))} rows/s (${pageXlsx.rowCount} rows)`,
        );
      }

      const heap = await HeapSampler.attach(page);
      await heap.sample();
      const profiler = PROFILE_PATH ? await startProfile(page) : undefined;
      heap.start();
      const result = await api.pipeline(CSV_PATH);
      heap.stop();
      if (profiler && PROFILE_PATH) await stopProfile(profiler, PROFILE_PATH);
      await heap.sample();
      const { summary } = result;
      console.log(
        `import summary: ${summary.rowsRead} rows read, ${summary.rowsImported} imported, ${summary.rowsRejected} rejected, ${summary.entitiesCreated} entities created, ${summary.entitiesMerged} merged, committed ${result.committed}`,
      );
      console.log(`import rows/s: ${Math.round(summary.rowsRead / (result.ms / 1000))}`);
      console.log(`import time ms: ${Math.round(result.ms)}`);
      console.log(`import peak heap MB: ${Math.round(heap.peakBytes / (1024 * 1024))}`);
      console.log(`import peak main-thread heap MB: ${Math.round(result.mainHeapPeakMB)}`);
      console.log(`import longest main-thread task ms: ${Math.round(result.longestTaskMs)}`);
      console.log(`import long tasks: ${result.longTasks}`);
      console.log(`import longest timer gap ms: ${Math.round(result.longestTimerGapMs)}`);

      const floor = await api.floor(CSV_PATH, DEFAULT_PARSER_KIND);
      const floorMs = floor.parseMs + floor.bulkPutMs;
      console.log(
        `import floor: parse ${Math.round(floor.parseMs)} ms (${DEFAULT_PARSER_KIND}, ${floor.parsedRows} rows) + bulkPut ${Math.round(floor.bulkPutMs)} ms (${floor.records} records)`,
      );
      console.log(`import ratio vs floor: ${(floorMs / result.ms).toFixed(2)}`);
    } finally {
      await context.close();
    }
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
