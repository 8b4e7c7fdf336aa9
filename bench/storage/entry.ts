/**
 * The in-page half of the storage benchmark (bundled with esbuild, run in Chromium). Each
 * measurement is a function on `window.tesseraBench`; storage.bench.ts calls them in turn, so more
 * (UI timings) can be appended here without touching the runner.
 */
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { TesseraDatabase } from '../../renderer/db/database.ts';
import { createRepository } from '../../renderer/db/repository.ts';
import { createUnitOfWork } from '../../renderer/db/unitOfWork.ts';
import { generateLargeCase } from './generate.ts';

export interface InsertResult {
  readonly records: number;
  readonly repositoryMs: number;
  readonly rawMs: number;
}

async function freshDatabase(name: string): Promise<TesseraDatabase> {
  await TesseraDatabase.delete(name);
  const db = new TesseraDatabase(name);
  await db.open();
  return db;
}

async function timeRaw(
  records: Parameters<TesseraDatabase['entities']['bulkPut']>[0],
  round: number,
): Promise<number> {
  const db = await freshDatabase(`bench-raw-${round}`);
  const start = performance.now();
  await db.transaction('rw', db.entities, () => db.entities.bulkPut(records));
  const ms = performance.now() - start;
  db.close();
  await TesseraDatabase.delete(`bench-raw-${round}`);
  return ms;
}

async function timeRepository(
  file: ReturnType<typeof generateLargeCase>,
  round: number,
): Promise<number> {
  const db = await freshDatabase(`bench-repo-${round}`);
  const repository = createRepository(
    createUnitOfWork(db, {
      actor: () => ({ userName: 'bench', agencyId: 'bench' }),
      clock: new HybridLogicalClock('bench.page'),
    }),
  );
  const start = performance.now();
  await repository.importCase(file);
  const ms = performance.now() - start;
  if ((await db.entities.count()) !== file.entities.length)
    throw new Error('repository import lost records');
  db.close();
  await TesseraDatabase.delete(`bench-repo-${round}`);
  return ms;
}

/** Inserts n entities + m relationships through the repository and with raw bulkPut; best of `rounds`. */
async function insert(n: number, m: number, rounds: number): Promise<InsertResult> {
  const file = generateLargeCase(n, m);
  const records = file.entities.map((entity) => ({ ...entity, searchText: '' }));
  let rawMs = Infinity;
  let repositoryMs = Infinity;
  for (let round = 0; round < rounds; round += 1) {
    // Alternate the order so that neither side always runs on a just-emptied disk.
    if (round % 2 === 0) rawMs = Math.min(rawMs, await timeRaw(records, round));
    repositoryMs = Math.min(repositoryMs, await timeRepository(file, round));
    if (round % 2 === 1) rawMs = Math.min(rawMs, await timeRaw(records, round));
  }
  return { records: file.entities.length, repositoryMs, rawMs };
}

const api = { insert };
export type StorageBenchApi = typeof api;
(globalThis as unknown as { tesseraBench: StorageBenchApi }).tesseraBench = api;
