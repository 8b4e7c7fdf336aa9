/**
 * The browser profile the "open" section measures (bench/million/open.ts): a real on-disk
 * Chromium profile, as users have (an incognito context keeps IndexedDB in memory under a small
 * quota, and a million records ran out of it), seeded with the million-record case once and
 * cached, so later runs only copy it.
 *
 * Seeding (not a goal, but it must fit a bench run): the page sets the vault up with the
 * harness's passphrase and stores the case record through the repository; the entity records are
 * then sealed HERE, in Node, by the store's own sealing function (renderer/db/encryption.ts's
 * `sealRow`, with the row layout Dexie derives from the app's schema and the data keys unwrapped
 * from the page's keyring with the same passphrase), and the page writes the sealed rows as they
 * are into its IndexedDB, one transaction per slice. That is the row the encrypting middleware
 * would have written for the unit of work's `insertMany` (the record with its search key, sealed),
 * without the page's one-WebCrypto-call-per-record on the main thread: the app's own insert path
 * seeded about 3,000 records a second, a million in six minutes idle and fifteen on a loaded
 * machine. The page then reads a sample back through the app's store (the envelopes must open)
 * and counts the case's rows.
 *
 * The cache: /tmp/tessera-bench/open-profile-<rows>-<key>/ (`profile/` for Chromium, `data/` for the
 * web host), keyed by the row count, whether the 20k case is in it, the schema version and a hash
 * of the sources that decide what a stored row looks like (so a change there seeds again).
 * IndexedDB belongs to an origin, port included, so the host of a cached profile listens on the
 * port it was seeded on (kept in its `done` file; a new one takes a port of its size, or
 * MILLION_OPEN_PORT). Each run works on a copy: its first open
 * finds nothing remembered, as after a seeding. MILLION_OPEN_RESEED=1 ignores the cache.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, open as openFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dexie } from 'dexie';
import { IDBKeyRange as FakeKeyRange, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import type { Page } from 'playwright-core';
import type { EntityRecord } from '../../shared/model/index.ts';
import {
  deriveDataKeys,
  importWrappingKey,
  keyEncryptionKey,
  unwrapKey,
} from '../../shared/encryption/keys.ts';
import type { DataKeys } from '../../shared/encryption/keys.ts';
import { passphraseKeyMaterial } from '../../shared/encryption/passphraseKey.ts';
import { TesseraDatabase } from '../../renderer/db/database.ts';
import { openRow, rowLayout, sealRow } from '../../renderer/db/encryption.ts';
import type { RowLayout } from '../../renderer/db/encryption.ts';
import { parseKeyring } from '../../renderer/db/keyring.ts';
import { LATEST_VERSION } from '../../renderer/db/migrations/index.ts';
import { storeEntity } from '../../renderer/db/records.ts';
import { ROOT } from '../../scripts/web.mjs';
import { TEST_PASSPHRASE } from '../../e2e/harness/lockScreens.ts';

/** Bump when what this module writes changes (it is not among the hashed sources, so that an edit
 * that writes the same rows, a log line, keeps the cache). */
const PROFILE_VERSION = 1;
/** Sources that decide the stored form of a row: a change to any seeds the profile again. */
const FORMAT_SOURCES = [
  'renderer/db/encryption.ts',
  'renderer/db/records.ts',
  'renderer/db/searchText.ts',
  'renderer/db/keyring.ts',
  'renderer/db/vault.ts',
  'shared/encryption/envelope.ts',
  'shared/encryption/keys.ts',
  'shared/encryption/blindIndex.ts',
  'bench/million/case.ts',
];
/** Records per sealed slice the page fetches and writes in one transaction. */
const SEAL_SLICE = 10_000;
/** Records sealed at once (WebCrypto calls in flight). */
const SEAL_BATCH = 500;
const SEED_ROUTE = '/__bench/open-seed/';
/** Ports a cached profile's host listens on: [PORT_BASE, PORT_BASE + PORT_SPAN). */
const PORT_BASE = 41_000;
const PORT_SPAN = 8_000;

export interface ProfileKey {
  /** The cache folder (it may not exist yet). */
  readonly dir: string;
  /** The port a new profile's web host listens on (a cached one names its own). */
  readonly port: number;
}

export async function profileKey(rows: number, withSmall: boolean): Promise<ProfileKey> {
  const size = `${rows}${withSmall ? '-small' : ''}`;
  const hash = createHash('sha256');
  hash.update(`${PROFILE_VERSION}:${LATEST_VERSION}:${size}`);
  for (const source of FORMAT_SOURCES) hash.update(await readFile(join(ROOT, source)));
  const digest = hash.digest('hex').slice(0, 12);
  const override = Number(process.env['MILLION_OPEN_PORT']);
  const bySize = parseInt(createHash('sha256').update(size).digest('hex').slice(0, 8), 16);
  return {
    dir: join(tmpdir(), 'tessera-bench', `open-profile-${size}-${digest}`),
    port: Number.isInteger(override) && override > 0 ? override : PORT_BASE + (bySize % PORT_SPAN),
  };
}

/**
 * Copies the cached profile into `work` (profile/, data/); returns the port its host must listen
 * on (IndexedDB belongs to the origin it was written from), or undefined when there is none.
 */
export async function restoreProfile(key: ProfileKey, work: string): Promise<number | undefined> {
  const done = join(key.dir, 'done');
  if (process.env['MILLION_OPEN_RESEED'] === '1' || !existsSync(done)) return undefined;
  const port = Number((await readFile(done, 'utf8')).trim());
  await cp(join(key.dir, 'profile'), join(work, 'profile'), { recursive: true });
  await cp(join(key.dir, 'data'), join(work, 'data'), { recursive: true });
  return Number.isInteger(port) && port > 0 ? port : key.port;
}

/** Keeps the seeded profile of `work` (its browser closed, its host on `port`) for later runs. */
export async function saveProfile(key: ProfileKey, work: string, port: number): Promise<void> {
  const partial = `${key.dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await cp(join(work, 'profile'), join(partial, 'profile'), { recursive: true });
  await cp(join(work, 'data'), join(partial, 'data'), { recursive: true });
  await rm(key.dir, { recursive: true, force: true });
  await rename(partial, key.dir);
  await writeFile(join(key.dir, 'done'), `${port}\n`);
}

/** Byte ranges of a JSON-lines file, `per` lines each. */
export async function lineRanges(path: string, per: number): Promise<[number, number][]> {
  const ranges: [number, number][] = [];
  let start = 0;
  let offset = 0;
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
      lines += 1;
      if (lines % per === 0) {
        ranges.push([start, offset + at + 1]);
        start = offset + at + 1;
      }
    }
    offset += chunk.length;
  }
  if (offset > start) ranges.push([start, offset]);
  return ranges;
}

async function readLines(path: string, [from, to]: [number, number]): Promise<EntityRecord[]> {
  const file = await openFile(path, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    await file.read(buffer, 0, buffer.length, from);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as EntityRecord);
  } finally {
    await file.close();
  }
}

/** The entities table's row layout, as the app's Dexie schema gives it (an empty in-memory db). */
async function entityLayout(): Promise<RowLayout> {
  // Only the schema is wanted: this one instance gets an in-memory IndexedDB (Dexie takes its
  // dependencies when an instance is made, so the global ones are put back at once).
  const global = { ...Dexie.dependencies };
  Object.assign(Dexie.dependencies, { indexedDB: fakeIndexedDB, IDBKeyRange: FakeKeyRange });
  let db: TesseraDatabase;
  try {
    db = new TesseraDatabase(`bench-layout-${process.pid}`);
  } finally {
    Object.assign(Dexie.dependencies, global);
  }
  await db.open();
  try {
    const schema = db.core.schema.tables.find((table) => table.name === 'entities');
    if (!schema) throw new Error('the schema has no entities table');
    return rowLayout(schema);
  } finally {
    await db.delete();
  }
}

/** The page's data keys, unwrapped from its keyring with the harness's passphrase. */
async function pageDataKeys(page: Page): Promise<DataKeys> {
  const stored = await page.evaluate(async () => {
    const { db } = await window.__tesseraApp!.storage();
    const row = (await db.table('keyring').get('keyring')) as Record<string, unknown>;
    // Uint8Arrays as arrays of numbers (what crosses to Node is JSON).
    return JSON.stringify(row, (_, value: unknown) =>
      value instanceof Uint8Array ? { $bytes: Array.from(value) } : value,
    );
  });
  const keyring = parseKeyring(
    JSON.parse(stored, (_, value: unknown) =>
      typeof value === 'object' && value !== null && '$bytes' in value
        ? Uint8Array.from((value as { $bytes: number[] }).$bytes)
        : value,
    ),
  );
  if (!keyring) throw new Error('the page has no keyring to seed under');
  const { salt, params, wrapped } = keyring.passphrase;
  const kek = await keyEncryptionKey(
    await passphraseKeyMaterial(TEST_PASSPHRASE, salt, params),
    'passphrase',
  );
  const master = await unwrapKey(kek, wrapped, 'master');
  const current = keyring.dataKeys.find((key) => key.generation === keyring.current);
  if (!current) throw new Error('the keyring names no current data key');
  const dataKey = await unwrapKey(
    await importWrappingKey(master),
    current.wrapped,
    // vault.ts's label of a data key.
    `data-${current.generation}`,
  );
  return deriveDataKeys(dataKey, current.generation);
}

/**
 * One slice as the page takes it: a 4-byte length, the rows as JSON with each envelope replaced by
 * its [offset, length] in the bytes that follow.
 */
async function sealedSlice(
  layout: RowLayout,
  keys: DataKeys,
  records: readonly EntityRecord[],
): Promise<Buffer> {
  const rows: Record<string, unknown>[] = [];
  const envelopes: Uint8Array[] = [];
  let offset = 0;
  for (let start = 0; start < records.length; start += SEAL_BATCH) {
    const batch = records.slice(start, start + SEAL_BATCH);
    const sealed = await Promise.all(
      batch.map((record) => sealRow(layout, keys, storeEntity(record))),
    );
    // The envelopes are only checked by the page's read-back if they open here too (a sample).
    await openRow(layout, new Map([[keys.generation, keys]]), sealed[0]);
    for (const row of sealed) {
      if (row._b) throw new Error('a bench record with an attachment cannot be seeded this way');
      rows.push({ ...row, _e: [offset, row._e.length] });
      envelopes.push(row._e);
      offset += row._e.length;
    }
  }
  const json = Buffer.from(JSON.stringify(rows));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(json.length);
  return Buffer.concat([head, json, ...envelopes]);
}

/**
 * Writes `count` entity records of `path` (JSON lines) into the page's store as sealed rows.
 * The page must be unlocked and its case records stored.
 */
export async function seedSealed(page: Page, path: string, caseId: string): Promise<number> {
  const started = performance.now();
  const [layout, keys, ranges] = await Promise.all([
    entityLayout(),
    pageDataKeys(page),
    lineRanges(path, SEAL_SLICE),
  ]);
  const debug = process.env['MILLION_OPEN_DEBUG'] === '1';
  if (debug) console.log(`  seed: keys and layout ms: ${Math.round(performance.now() - started)}`);
  let sealing = 0;
  const samples: string[] = [];
  await page.route(`**${SEED_ROUTE}*`, async (route) => {
    const index = Number(new URL(route.request().url()).pathname.slice(SEED_ROUTE.length));
    const range = ranges[index];
    if (!range) return route.fulfill({ status: 404 });
    let body: Buffer;
    try {
      const records = await readLines(path, range);
      for (const record of records) {
        if (record.caseId !== caseId) {
          throw new Error(`a record of case ${record.caseId} in ${path}`);
        }
      }
      samples.push(records[0]!.id, records.at(-1)!.id);
      const sealedAt = performance.now();
      body = await sealedSlice(layout, keys, records);
      sealing += performance.now() - sealedAt;
    } catch (error) {
      // Answered, so the page's fetch fails (and the seeding with it) instead of waiting forever.
      console.error(`seed slice ${index}:`, error);
      return route.fulfill({ status: 500 });
    }
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body });
  });
  const { count: written, waited } = await page.evaluate(
    async ({ slices, route }) => {
      const { db } = await window.__tesseraApp!.storage();
      const idb = db.backendDB();
      const fetchSlice = async (k: number) => {
        const response = await fetch(`${route}${k}`);
        if (!response.ok) throw new Error(`seed slice ${k}: ${response.status}`);
        const buffer = await response.arrayBuffer();
        const length = new DataView(buffer).getUint32(0);
        const rows = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length))) as {
          _e: [number, number] | Uint8Array;
        }[];
        const bytes = new Uint8Array(buffer, 4 + length);
        for (const row of rows) {
          const [at, size] = row._e as [number, number];
          // A copy: a view would store the whole slice's buffer with every row.
          row._e = bytes.slice(at, at + size);
        }
        return rows;
      };
      let count = 0;
      let waited = 0;
      // The next slice is sealed (in Node) and fetched while this one is written, and a slice's
      // rows are handed to IndexedDB while the one before still commits (two in flight).
      let next = fetchSlice(0);
      let committing: Promise<void> = Promise.resolve();
      for (let k = 0; k < slices; k++) {
        const waiting = performance.now();
        const rows = await next;
        waited += performance.now() - waiting;
        if (k + 1 < slices) next = fetchSlice(k + 1);
        const committed = new Promise<void>((resolve, reject) => {
          const tx = idb.transaction('entities', 'readwrite', { durability: 'relaxed' });
          const store = tx.objectStore('entities');
          for (const row of rows) store.add(row);
          tx.oncomplete = () => resolve();
          tx.onabort = () => reject(tx.error ?? new Error('the seed transaction aborted'));
        });
        // An abort surfaces when this slice's turn comes below.
        committed.catch(() => undefined);
        await committing;
        committing = committed;
        count += rows.length;
      }
      await committing;
      return { count, waited };
    },
    { slices: ranges.length, route: SEED_ROUTE },
  );
  await page.unroute(`**${SEED_ROUTE}*`);
  if (debug) {
    console.log(
      `  seed: ${written} rows written by ${Math.round(performance.now() - started)} ms; Node sealed for ${Math.round(sealing)} ms, the page waited for slices ${Math.round(waited)} ms`,
    );
  }
  // Read back through the app's store: the rows must open and be the case's.
  const check = await page.evaluate(
    async ({ ids, caseId: id }) => {
      const { db } = await window.__tesseraApp!.storage();
      const rows = await db.entities.bulkGet(ids);
      return {
        opened: rows.filter((row) => row?.caseId === id).length,
        counted: await db.entities.where('caseId').equals(id).count(),
      };
    },
    { ids: samples, caseId },
  );
  if (check.opened !== samples.length || check.counted < written) {
    throw new Error(
      `the seeded rows do not read back: ${check.opened} of ${samples.length} samples, ${check.counted} rows of ${written}`,
    );
  }
  return written;
}
