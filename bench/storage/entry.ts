/**
 * The in-page half of the storage benchmark (bundled with esbuild, run in Chromium). Each
 * measurement is a function on `window.tesseraBench`; storage.bench.ts calls them in turn, so more
 * (UI timings) can be appended here without touching the runner.
 */
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { TesseraDatabase } from '../../renderer/db/database.ts';
import type { StoreKeys } from '../../renderer/db/encryption.ts';
import { createRepository } from '../../renderer/db/repository.ts';
import { testStoreKeys } from '../../renderer/db/testing/encryptedDatabase.ts';
import { createUnitOfWork } from '../../renderer/db/unitOfWork.ts';
import { buildTable, DEFAULT_QUERY, visibleRows } from '../../renderer/entity/tableModel.ts';
import { generateLargeCase } from './generate.ts';

export interface InsertResult {
  readonly records: number;
  readonly repositoryMs: number;
  readonly rawMs: number;
}

async function freshDatabase(name: string, keys?: StoreKeys): Promise<TesseraDatabase> {
  await TesseraDatabase.delete(name);
  const db = new TesseraDatabase(name, undefined, keys ? { encryption: () => keys } : {});
  await db.open();
  return db;
}

function repositoryOf(db: TesseraDatabase) {
  return createRepository(
    createUnitOfWork(db, {
      actor: () => ({ userName: 'bench', agencyId: 'bench' }),
      clock: new HybridLogicalClock('bench.page'),
    }),
  );
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
  keys?: StoreKeys,
): Promise<number> {
  const db = await freshDatabase(`bench-repo-${round}`, keys);
  const repository = repositoryOf(db);
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

export interface EncryptedInsertResult extends InsertResult {
  readonly encryptedMs: number;
}

/** As `insert`, plus the repository over the encrypting store (issue 10), all in the same run. */
async function encryptedInsert(
  n: number,
  m: number,
  rounds: number,
): Promise<EncryptedInsertResult> {
  const file = generateLargeCase(n, m);
  const records = file.entities.map((entity) => ({ ...entity, searchText: '' }));
  const keys = await testStoreKeys();
  let rawMs = Infinity;
  let repositoryMs = Infinity;
  let encryptedMs = Infinity;
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) rawMs = Math.min(rawMs, await timeRaw(records, round));
    encryptedMs = Math.min(encryptedMs, await timeRepository(file, round, keys));
    repositoryMs = Math.min(repositoryMs, await timeRepository(file, round));
    if (round % 2 === 1) rawMs = Math.min(rawMs, await timeRaw(records, round));
  }
  return { records: file.entities.length, repositoryMs, rawMs, encryptedMs };
}

export interface OpenResult {
  readonly plainMs: number;
  readonly encryptedMs: number;
}

/**
 * Opening a case to its first entity-table page, on the data path the entity table takes: a new
 * connection, the case, its entities, the table rows sorted as by default, page one. The same
 * case stored plain and encrypted; best of `rounds`, alternating.
 */
async function open(n: number, m: number, rounds: number): Promise<OpenResult> {
  const file = generateLargeCase(n, m);
  const keys = await testStoreKeys();
  const seed = async (name: string, storeKeys?: StoreKeys) => {
    const db = await freshDatabase(name, storeKeys);
    await repositoryOf(db).importCase(file);
    db.close();
  };
  await seed('bench-open-plain');
  await seed('bench-open-encrypted', keys);
  const time = async (name: string, storeKeys?: StoreKeys) => {
    const start = performance.now();
    const db = new TesseraDatabase(
      name,
      undefined,
      storeKeys ? { encryption: () => storeKeys } : {},
    );
    const repository = repositoryOf(db);
    const found = await repository.getCase(file.case.id);
    const { rows } = visibleRows(
      buildTable(await repository.listEntities(file.case.id)),
      DEFAULT_QUERY,
    );
    // The first screen of the (virtualised) table.
    const page = { items: rows.subarray(0, 100) };
    const ms = performance.now() - start;
    if (!found || page.items.length === 0) throw new Error('the case did not open');
    db.close();
    return ms;
  };
  let plainMs = Infinity;
  let encryptedMs = Infinity;
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) plainMs = Math.min(plainMs, await time('bench-open-plain'));
    encryptedMs = Math.min(encryptedMs, await time('bench-open-encrypted', keys));
    if (round % 2 === 1) plainMs = Math.min(plainMs, await time('bench-open-plain'));
  }
  await TesseraDatabase.delete('bench-open-plain');
  await TesseraDatabase.delete('bench-open-encrypted');
  return { plainMs, encryptedMs };
}

const api = { insert, encryptedInsert, open };
export type StorageBenchApi = typeof api;
(globalThis as unknown as { tesseraBench: StorageBenchApi }).tesseraBench = api;
