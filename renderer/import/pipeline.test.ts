import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_SPECS } from '../../shared/importer/index.ts';
import { DEFAULT_MARKINGS, HybridLogicalClock } from '../../shared/model/index.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { StoreKeys } from '../db/encryption.ts';
import { removeStaleImports } from '../db/importWriter.ts';
import { createRepository } from '../db/repository.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import { encryptedTestDatabase } from '../db/testing/encryptedDatabase.ts';
import { createUnitOfWork } from '../db/unitOfWork.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';
import { startImportWorker } from './importClient.ts';
import type { ImportReaderPort } from './importClient.ts';
import { createImportReader } from './importReader.ts';
import { importStoreHost } from './importStore.ts';
import type { ImportStoreRequest, ImportStoreResponse } from './importStore.ts';
import type { ImportReaderRequest, ImportReaderResponse } from './importReader.ts';
import { serveRequests } from '../platform/workerHost.ts';
import type { WorkerScope } from '../platform/workerHost.ts';
import { terminateAll } from '../platform/workerRunner.ts';
import { ImportCancelledError, runImportPipeline } from './pipeline.ts';
import ExcelJS from 'exceljs';
import type { ImportPipelineArgs } from './pipeline.ts';

/** Small steps, so cancelling after the first batch leaves most of the file unread. */
const SLICE = 8 * 1024;
const CDR = readFileSync(new URL('../../shared/importer/fixtures/cdr.csv', import.meta.url));
const actor = () => ({ userName: 'Insp. Test', agencyId: 'test-agency' });
let counter = 0;
let db: TesseraDatabase;
let work: UnitOfWork;
let repo: CaseRepository;
let caseId: string;
let keys: { set(next: StoreKeys | null): void };
let storeKeys: StoreKeys;

/** The worker's reader, in-process (Node has no Worker). */
function inProcessReader(): ImportReaderPort {
  const handle = createImportReader();
  return {
    call: (request, signal) =>
      signal?.aborted
        ? Promise.reject(Object.assign(new Error('cancelled'), { code: 'cancelled' }))
        : handle(request),
    close: () => undefined,
  };
}

beforeEach(async () => {
  counter += 1;
  ({ db, keys, storeKeys } = await encryptedTestDatabase(`pipeline-${counter}`));
  await db.open();
  work = createUnitOfWork(db, { actor, clock: new HybridLogicalClock('test.node') });
  repo = createRepository(work);
  caseId = (await repo.createCase({ reference: 'P/1', title: 'Calls', leadInvestigator: 'X' })).id;
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const args = (file: Blob, extra: Partial<ImportPipelineArgs> = {}): ImportPipelineArgs => ({
  work,
  caseId,
  file,
  fileName: 'cdr.csv',
  spec: BUILT_IN_SPECS.cdr,
  grading: { source: 'B', information: '2' },
  markings: DEFAULT_MARKINGS,
  reader: inProcessReader(),
  ...extra,
});

const live = async () => (await repo.listEntities(caseId)).filter((e) => !e.deleted);

/**
 * A worker in this thread serving the real reader or writer (by its script); messages are
 * structured-cloned (the data keys and the ports with them), as between threads.
 */
let workers: { url: string; terminated: boolean }[] = [];
class CloningWorker {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  readonly url: string;
  private readonly scope: WorkerScope;
  constructor(url: URL) {
    this.url = String(url);
    workers.push(this);
    this.scope = {
      onmessage: null,
      postMessage: (message, transfer) => {
        const copy: unknown = structuredClone(message, { transfer });
        setTimeout(() => {
          if (!this.terminated) this.onmessage?.({ data: copy } as MessageEvent);
        });
      },
    };
    if (this.url.includes('importStoreWorker')) {
      const handle = importStoreHost((handler, port) =>
        serveRequests<ImportStoreRequest, ImportStoreResponse>(handler, {
          scope: port as unknown as WorkerScope,
        }),
      );
      serveRequests<ImportStoreRequest, ImportStoreResponse>(handle, { scope: this.scope });
    } else {
      serveRequests<ImportReaderRequest, ImportReaderResponse>(createImportReader(), {
        scope: this.scope,
      });
    }
  }
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    const copy: unknown = structuredClone(message, { transfer });
    setTimeout(() => {
      if (!this.terminated) this.scope.onmessage?.({ data: copy } as MessageEvent);
    });
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('the import pipeline', () => {
  it('imports call records as one change with provenance, and one undo removes them', async () => {
    const result = await runImportPipeline(args(new Blob([CDR])));
    expect(result.committed).toBe(true);
    expect(result.problems).toEqual([]);
    const entities = await live();
    const calls = entities.filter((e) => e.schema === 'Call');
    const phones = entities.filter((e) => e.schema === 'Phone');
    expect(calls).toHaveLength(result.summary.rowsImported);
    // Phones repeat across rows: identity rules merge them, one entity per number.
    expect(new Set(phones.map((p) => p.properties.number?.[0])).size).toBe(phones.length);
    const sha = createHash('sha256').update(CDR).digest('hex');
    expect(result.fileSha256).toBe(sha);
    const call = calls.find((c) => c.provenance.imported?.row === 2)!;
    expect(call.provenance.imported).toEqual({
      fileName: 'cdr.csv',
      fileSha256: sha,
      row: 2,
      spec: 'cdr',
      specVersion: 1,
      importId: result.importId,
    });
    expect(call.grading).toEqual({ source: 'B', information: '2' });
    // Nothing pending; the ids the import wrote stay listed for its undo.
    expect(await db.meta.where('key').startsWith('import-pending:').count()).toBe(0);
    expect(db.pendingImports.size).toBe(0);

    const label = repo.undoState().undoLabel!;
    expect(label).toBe(`Import of cdr.csv: ${entities.length} entities`);
    // On the encrypting store (before the fix: PrematureCommitError from parallel reads).
    expect(await repo.undo()).toBe(label);
    expect(await live()).toEqual([]);
    // Hidden until it can no longer be redone; then removed for good, slice by slice.
    expect(db.pendingImports.size).toBe(1);
    await repo.createCase({ reference: 'P/2', title: 'Later', leadInvestigator: 'X' });
    for (let i = 0; i < 500 && db.pendingImports.size > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(db.pendingImports.size).toBe(0);
    expect(await db.entities.count()).toBe(0);
    expect(await db.meta.count()).toBe(0);
  });

  it('lists bad rows by row and column; skip imports the rest and returns a rejects file', async () => {
    const text = CDR.toString('utf8').trimEnd().split('\n');
    const bad = [
      ...text,
      text[1]!.replace(/,[^,]*,([^,]*)$/, ',abc,$1'),
      text[2]!.replace(/,[^,]*,([^,]*)$/, ',x1,$1'),
    ];
    const seen: number[] = [];
    const result = await runImportPipeline(
      args(new Blob([bad.join('\n')]), {
        onProblems: (problems) => {
          seen.push(...problems.map((p) => p.row));
          return Promise.resolve('skip');
        },
      }),
    );
    const badRows = [text.length + 1, text.length + 2];
    expect([...new Set(seen)]).toEqual(badRows);
    expect(result.problems.every((p) => p.column === 'duration')).toBe(true);
    expect(result.committed).toBe(true);
    expect(result.summary.rowsRejected).toBe(2);
    const rejects = result.rejectsCsv!.trimEnd().split(/\r?\n/);
    expect(rejects[0]).toContain('caller');
    expect(rejects.slice(1).join('\n')).toContain('abc');
    expect(rejects.slice(1).join('\n')).toContain('x1');
    expect((await live()).filter((e) => e.schema === 'Call')).toHaveLength(text.length - 1);
  });

  it('stop imports nothing', async () => {
    const text = CDR.toString('utf8').trimEnd();
    const result = await runImportPipeline(
      args(new Blob([`${text}\n+43 1,+43 2,not a date,1,X`]), { onProblems: 'stop' }),
    );
    expect(result.committed).toBe(false);
    expect(result.problems.length).toBeGreaterThan(0);
    expect(await live()).toEqual([]);
    expect(await db.meta.count()).toBe(0);
    expect(repo.undoState().undoLabel).not.toMatch(/^Import of/);
  });

  it('cancel halfway leaves the case unchanged and nothing staged', async () => {
    const header = 'caller,callee,start,duration,cell_id\n';
    const line = (i: number) =>
      `+43 664 ${String(1000000 + (i % 50))},+43 676 ${String(2000000 + (i % 70))},2024-03-05 08:15:02,00:02:31,AT-VIE-1\n`;
    const lines: string[] = [header];
    let size = header.length;
    for (let i = 0; size < SLICE * 2.5; i++) {
      const next = line(i);
      lines.push(next);
      size += next.length;
    }
    const controller = new AbortController();
    let batches = 0;
    const run = runImportPipeline(
      args(new Blob(lines), {
        signal: controller.signal,
        sliceBytes: SLICE,
        onProgress: () => {
          batches += 1;
          if (batches === 1) controller.abort();
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(ImportCancelledError);
    expect(batches).toBe(1);
    expect(await live()).toEqual([]);
    expect(await db.meta.count()).toBe(0);
  });

  it('reads an XLSX sheet with spreadsheet row numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Notes').getCell('A1').value = 'not the calls';
    const sheet = workbook.addWorksheet('Calls');
    sheet.addRow(['caller', 'callee', 'start', 'duration', 'cell_id']);
    sheet.addRow(['+43 664 1234567', '+40 721 555 010', '2024-03-05 08:15:02', '00:02:31', 'A']);
    sheet.addRow(['+40 721 555 010', '+43 664 1234567', '2024-03-06 19:21:00', 75, 'B']);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const spec = { ...BUILT_IN_SPECS.cdr, source: { kind: 'xlsx' as const, sheet: 'Calls' } };
    const result = await runImportPipeline(
      args(new Blob([bytes]), { fileName: 'calls.xlsx', spec }),
    );
    expect(result.problems).toEqual([]);
    const calls = (await live()).filter((e) => e.schema === 'Call');
    expect(calls.map((c) => c.provenance.imported?.row).sort()).toEqual([2, 3]);
  });

  it('merges into an existing phone and undo puts it back as it was', async () => {
    const existing = await repo.createEntity(caseId, 'Phone', {
      number: ['+436641234567'],
      provider: ['A1'],
    });
    const result = await runImportPipeline(args(new Blob([CDR])));
    expect(result.summary.entitiesMerged).toBeGreaterThan(0);
    const merged = (await live()).find((e) => e.id === existing.id)!;
    const calls = (await live()).filter((e) => e.schema === 'Call');
    expect(calls.some((c) => c.properties.caller?.includes(existing.id))).toBe(true);
    expect(merged.properties.provider).toEqual(['A1']);
    await repo.undo();
    const after = await live();
    expect(after.map((e) => e.id)).toEqual([existing.id]);
    expect(after[0]!.properties).toEqual(existing.properties);
  });

  it('the worker writes the records: the page receives none of them, only counts and merges', async () => {
    const existing = await repo.createEntity(caseId, 'Phone', { number: ['+436641234567'] });
    const inner = inProcessReader();
    const steps: ImportReaderResponse[] = [];
    const reader: ImportReaderPort = {
      call: async (request, signal) => {
        const response = await inner.call(request, signal);
        if (response.type === 'step') steps.push(response);
        return response;
      },
      close: () => inner.close(),
    };
    const result = await runImportPipeline(args(new Blob([CDR]), { reader, sliceBytes: 256 }));
    expect(steps.length).toBeGreaterThan(1);
    for (const step of steps) {
      if (step.type !== 'step') continue;
      expect(step.batch.created).toEqual([]);
      expect(step.batch.updated).toEqual([]);
      expect(step.written).toBeDefined();
    }
    const created = steps.reduce(
      (n, step) => n + (step.type === 'step' ? step.written!.created : 0),
      0,
    );
    const entities = await live();
    expect(entities).toHaveLength(created + 1);
    expect(entities.filter((e) => e.schema === 'Call')).toHaveLength(result.summary.rowsImported);
    // The calls point at the existing phone, which identity rules merged them into.
    const calls = entities.filter((e) => e.schema === 'Call');
    expect(calls.some((c) => c.properties.caller?.includes(existing.id))).toBe(true);
    // The page's clock passed every stamp the worker's clock wrote: later edits order after them.
    const newest = entities
      .map((e) => e.updatedAt)
      .sort()
      .at(-1)!;
    expect(work.clock.now() > newest).toBe(true);
  });

  it('a lock mid-import closes the worker at once; nothing is imported, and the next start removes what it wrote', async () => {
    const inner = inProcessReader();
    const close = vi.fn();
    let steps = 0;
    const reader: ImportReaderPort = {
      call: async (request, signal) => {
        const response = await inner.call(request, signal);
        // The vault locks while the worker is writing.
        if (response.type === 'step' && ++steps === 1) keys.set(null);
        return response;
      },
      close,
    };
    const error = await runImportPipeline(args(new Blob([CDR]), { reader, sliceBytes: 256 })).catch(
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('vault-locked');
    expect(close).toHaveBeenCalled();
    expect(steps).toBe(1);
    keys.set(storeKeys);
    expect(db.pendingImports.size).toBe(1);
    await removeStaleImports(work);
    db.pendingImports.clear();
    expect(await db.entities.where('caseId').equals(caseId).count()).toBe(0);
    expect(await live()).toEqual([]);
  });

  it("locking the app ends the import's worker, and the data keys it was sent with it", async () => {
    workers = [];
    vi.stubGlobal('Worker', CloningWorker);
    try {
      let batches = 0;
      const run = runImportPipeline(
        args(new Blob([CDR]), {
          reader: undefined,
          sliceBytes: 256,
          onProgress: () => {
            // What the app shell's lock does: drop the keys, then end every worker.
            if (++batches === 1) {
              keys.set(null);
              terminateAll();
            }
          },
        }),
      );
      const error = await run.catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('vault-locked');
      // The reader and the writer (which holds the keys): both ended.
      expect(workers.map((worker) => worker.url.includes('importStoreWorker')).sort()).toEqual([
        false,
        true,
      ]);
      expect(workers.every((worker) => worker.terminated)).toBe(true);
      expect(batches).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
    // A fresh run gets a fresh worker (the ended one does not come back).
    expect(startImportWorker()).toBeDefined();
  });

  it('through a reader and a writer worker, the records pass between them and never through the page', async () => {
    workers = [];
    vi.stubGlobal('Worker', CloningWorker);
    const received: unknown[] = [];
    try {
      const result = await runImportPipeline(
        args(new Blob([CDR]), {
          reader: undefined,
          sliceBytes: 256,
          onProgress: (progress) => received.push(progress),
        }),
      );
      expect(result.committed).toBe(true);
      expect(workers).toHaveLength(2);
      expect(workers.every((worker) => worker.terminated)).toBe(true);
      const entities = await live();
      expect(entities.filter((e) => e.schema === 'Call')).toHaveLength(result.summary.rowsImported);
      expect(repo.undoState().undoLabel).toBe(`Import of cdr.csv: ${entities.length} entities`);
      expect(received.length).toBeGreaterThan(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
