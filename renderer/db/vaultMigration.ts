/**
 * Rewriting every stored row in place, in batches that each commit on their own together with a
 * progress mark in the keyring, so that a run killed halfway loses at most the batch in flight and
 * the next run picks up where it was. Two passes use it:
 * - encrypting a plaintext database (an older Tessera's) at set-up: plain rows become sealed rows;
 * - rotating the data key: rows under the old generation are opened and sealed under the new one.
 * Each row keeps its primary key and is replaced in one put, so at no point (and in particular not
 * at the end) does a record exist in both forms. Before writing, each row is read again inside the
 * batch's transaction and left alone if the app changed it meanwhile (a rotation runs while the
 * officer works; what the app wrote is already under the new key).
 * Works on a connection without the encrypting middleware (raw rows), table by table in primary-key
 * order; every table but the keyring is covered, so a table added later is covered too.
 */
import type { Table } from 'dexie';
import type { TesseraDatabase } from './database.ts';
import { CLEAR_TABLES, isSealedRow, rowLayout } from './encryption.ts';
import type { RowLayout } from './encryption.ts';
import { KEYRING_ID } from './keyring.ts';
import { VaultError } from './vaultError.ts';

export interface RewritePass {
  /** Whether a stored row still needs this pass. */
  needs(row: unknown): boolean;
  /** The row to store instead (async: WebCrypto; runs outside any transaction). */
  rewrite(layout: RowLayout, row: unknown): Promise<unknown>;
  /** Which keyring field holds this pass's progress. */
  readonly marker: 'encrypting' | 'rotation';
}

export interface RewriteOptions {
  readonly total: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  readonly batchSize?: number;
}

const DEFAULT_BATCH = 200;

function dataTables(raw: TesseraDatabase): Table[] {
  return raw.tables.filter((table) => !CLEAR_TABLES.has(table.name));
}

/** How many rows the data tables hold (the total a pass reports progress against). */
export async function countRows(raw: TesseraDatabase): Promise<number> {
  const counts = await Promise.all(dataTables(raw).map((table) => table.count()));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Whether `now` is still the row the pass read (so rewriting it loses nothing). */
function unchanged(before: unknown, now: unknown): boolean {
  if (now === undefined) return false;
  if (!isSealedRow(before)) return !isSealedRow(now);
  if (!isSealedRow(now) || now._e.length !== before._e.length) return false;
  return now._e.every((byte, i) => byte === before._e[i]);
}

/** Runs `pass` over every data table; resolves with the number of rows it looked at. */
export async function rewriteInPlace(
  raw: TesseraDatabase,
  pass: RewritePass,
  options: RewriteOptions,
): Promise<void> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let done = 0;
  for (const table of dataTables(raw)) {
    const layout = rowLayout(table.core.schema);
    let lastKey: unknown;
    for (;;) {
      options.signal?.throwIfAborted();
      const collection =
        lastKey === undefined ? table.toCollection() : table.where(':id').above(lastKey as string);
      const rows: unknown[] = await collection.limit(batchSize).toArray();
      if (rows.length === 0) break;
      lastKey = layout.extractKey(rows[rows.length - 1]);
      const targets = rows.filter((row) => pass.needs(row));
      const rewritten = await Promise.all(targets.map((row) => pass.rewrite(layout, row)));
      done += rows.length;
      await raw.transaction('rw', [table, raw.keyring], async () => {
        if (targets.length > 0) {
          const keys = targets.map((row) => layout.extractKey(row) as string);
          const now: unknown[] = await table.bulkGet(keys);
          await table.bulkPut(rewritten.filter((_, i) => unchanged(targets[i], now[i])));
        }
        const keyring = await raw.keyring.get(KEYRING_ID);
        const marker = keyring?.[pass.marker];
        if (keyring && typeof marker === 'object' && marker !== null) {
          await raw.keyring.put({
            ...keyring,
            [pass.marker]: { ...marker, done: Math.min(done, options.total), total: options.total },
          });
        }
      });
      options.onProgress?.(Math.min(done, options.total), options.total);
    }
  }
}

/** An AbortSignal's abort, as the vault reports it. */
export function abortedError(): VaultError {
  return new VaultError('aborted', 'the key rotation was stopped; run it again to resume');
}
