/**
 * The in-page half of the storage benchmark (bundled with esbuild, run in Chromium). Each
 * measurement is a function on `window.tesseraBench`; storage.bench.ts calls them in turn, so more
 * (UI timings) can be appended here without touching the runner.
 */
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { TesseraDatabase } from '../../renderer/db/database.ts';
import type { StoreKeys } from '../../renderer/db/encryption.ts';
import { createCaseStoreRegistry } from '../../renderer/db/caseStore.ts';
import type { CaseEntities, CaseEntityStore } from '../../renderer/db/caseStore.ts';
import { createRepository } from '../../renderer/db/repository.ts';
import { readViewState } from '../../renderer/db/viewState.ts';
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

/**
 * Opening a case to its first entity-table page, on the data path the entity table takes (issue
 * 10's `encrypted open ratio`, issue 13's 20k row): a new connection, the case store of
 * renderer/db/caseStore.ts, and the table's first page: the remembered one (`reopen`, every open
 * after the first: a meta entry and the page's records read by id), or, with nothing remembered
 * (`firstOpen`), the case's nodes loaded, built into the table and sorted as by default. The same
 * case stored plain and encrypted (`seedOpen`); storage.bench.ts times each call, alternating.
 */
const OPEN_NAMES = { plain: 'bench-open-plain', encrypted: 'bench-open-encrypted' } as const;
export type OpenKind = keyof typeof OPEN_NAMES;
/** Rows the table remembers (EntityTable's FIRST_PAGE_ROWS) and a tall window shows. */
const FIRST_PAGE_ROWS = 60;
const FIRST_PAGE_KEY = 'bench-default-view';

interface OpenFixture {
  readonly caseId: string;
  readonly keys: StoreKeys;
}
let openFixture: OpenFixture | undefined;

function openDatabaseOf(kind: OpenKind): TesseraDatabase {
  const keys = openFixture!.keys;
  return new TesseraDatabase(
    OPEN_NAMES[kind],
    undefined,
    kind === 'encrypted' ? { encryption: () => keys } : {},
  );
}

/** Stores the n-entity, m-relationship case plain and encrypted; returns the records stored. */
async function seedOpen(n: number, m: number): Promise<number> {
  const file = generateLargeCase(n, m);
  openFixture = { caseId: file.case.id, keys: await testStoreKeys() };
  for (const kind of ['plain', 'encrypted'] as const) {
    await TesseraDatabase.delete(OPEN_NAMES[kind]);
    const db = openDatabaseOf(kind);
    await repositoryOf(db).importCase(file);
    db.close();
  }
  return file.entities.length;
}

/** Resolves with the store's first state that `ready` accepts (or rejects if it failed). */
function until<T>(
  store: CaseEntityStore,
  ready: (state: CaseEntities) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = store.snapshot();
      if (state.phase === 'failed') {
        stop();
        reject(state.error instanceof Error ? state.error : new Error('the case did not load'));
        return;
      }
      const found = ready(state);
      if (found === undefined) return;
      stop();
      resolve(found);
    };
    const stop = store.subscribe(check);
    check();
  });
}

/**
 * One open of `kind`'s case to its first table page; ms from the new connection to the page's
 * records in hand. `remember`: afterwards, store that page for the next open, as the table does.
 */
async function openOnce(
  kind: OpenKind,
  how: 'first' | 'reopen',
  remember = false,
): Promise<number> {
  const { caseId } = openFixture!;
  const start = performance.now();
  const db = openDatabaseOf(kind);
  const work = createUnitOfWork(db, {
    actor: () => ({ userName: 'bench', agencyId: 'bench' }),
    clock: new HybridLogicalClock('bench.page'),
  });
  const registry = createCaseStoreRegistry(work, { channel: null });
  const { store, release } = registry.acquire(caseId);
  const page =
    how === 'reopen'
      ? // Nodes before a remembered page: the page was lost, and this is no reopen.
        await until(store, (state) => state.firstPage?.records ?? (state.nodes ? [] : undefined))
      : await until(store, (state) => {
          if (!state.nodes) return undefined;
          const table = buildTable(state.nodes);
          const { rows } = visibleRows(table, DEFAULT_QUERY);
          return Array.from(rows.subarray(0, FIRST_PAGE_ROWS), (row) => table.ids[row]!);
        });
  const ms = performance.now() - start;
  if (page.length === 0) throw new Error('the case opened to an empty page');
  if (remember) {
    if (how !== 'first') throw new Error('only a first open knows its page to remember');
    registry.rememberFirstPage(caseId, FIRST_PAGE_KEY, page as string[]);
    // rememberFirstPage commits in the background: wait until the entry is stored.
    for (let tries = 0; !(await readViewState(db, caseId, 'first-page')); tries += 1) {
      if (tries > 200) throw new Error('the first page was not remembered');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  release();
  registry.dispose();
  db.close();
  return ms;
}

/** The read the table made before the case store (and this benchmark timed until issue 13). */
async function listAllOnce(kind: OpenKind): Promise<number> {
  const start = performance.now();
  const db = openDatabaseOf(kind);
  const repository = repositoryOf(db);
  const { rows } = visibleRows(
    buildTable(await repository.listEntities(openFixture!.caseId)),
    DEFAULT_QUERY,
  );
  const ms = performance.now() - start;
  if (rows.length === 0) throw new Error('the case did not open');
  db.close();
  return ms;
}

async function dropOpen(): Promise<void> {
  for (const name of Object.values(OPEN_NAMES)) await TesseraDatabase.delete(name);
  openFixture = undefined;
}

const api = { insert, encryptedInsert, seedOpen, openOnce, listAllOnce, dropOpen };
export type StorageBenchApi = typeof api;
(globalThis as unknown as { tesseraBench: StorageBenchApi }).tesseraBench = api;
