/**
 * The exchange's sync state in the local database (tables added by migrations/v3.ts): per-field
 * clocks of records, who sent foreign records and until when they may be kept, operations waiting
 * for records that have not arrived, and the HLC of the last exchange with each partner.
 *
 * This module is the only code that reads or writes those tables. Rows are parsed on every read
 * (their contents came from partners' bundles): a row that does not parse counts as absent, which
 * degrades to record-level clocks (a clock row), re-deciding retention at the next import (a
 * received row) or resending (a partner mark), never to trusting malformed data.
 *
 * Writes run inside the caller's transaction when there is one (the unit of work lists
 * SYNC_TABLES in every change), so a record and its sync state are stored together or not at all.
 */
import type { Table } from 'dexie';
import { z } from 'zod';
import { operationSchema, recordMetaSchema } from '../../shared/exchange/operations.ts';
import type { Operation, RecordMeta } from '../../shared/exchange/operations.ts';
import { compareHlc, isHlc } from '../../shared/model/index.ts';
import type { TesseraDatabase } from './database.ts';

/** Who sent a foreign record, when, and until when the sharing agreement lets us keep it. */
export interface ReceivedRecord {
  readonly recordId: string;
  readonly caseId: string;
  readonly sender: string;
  /** ISO time of the import. */
  readonly receivedAt: string;
  /** ISO date from the sharing agreement, if it set one. */
  readonly retainUntil?: string;
}

const receivedSchema = z.object({
  recordId: z.string(),
  caseId: z.string(),
  sender: z.string(),
  receivedAt: z.string(),
  retainUntil: z.string().optional(),
});

/** The tables a transaction that writes sync state must include. */
export function syncTables(db: TesseraDatabase): Table[] {
  return [db.syncClocks, db.syncReceived, db.syncPending, db.syncPartners];
}

function parsedMeta(value: unknown): RecordMeta | undefined {
  const parsed = recordMetaSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The stored field clocks of each record in `ids` (undefined where none or unreadable). */
export async function readRecordMeta(
  db: TesseraDatabase,
  ids: readonly string[],
): Promise<(RecordMeta | undefined)[]> {
  const rows = await db.syncClocks.bulkGet([...ids]);
  return rows.map((row) => (row ? parsedMeta(row.meta) : undefined));
}

export async function writeRecordMeta(
  db: TesseraDatabase,
  caseId: string,
  recordId: string,
  meta: RecordMeta,
): Promise<void> {
  await db.syncClocks.put({ recordId, caseId, meta });
}

/** Operations of the case waiting for records that have not arrived; unreadable ones are dropped. */
export async function readPending(db: TesseraDatabase, caseId: string): Promise<Operation[]> {
  const row = await db.syncPending.get(caseId);
  if (!row || !Array.isArray(row.operations)) return [];
  const out: Operation[] = [];
  for (const candidate of row.operations as unknown[]) {
    const parsed = operationSchema.safeParse(candidate);
    if (parsed.success) out.push(parsed.data as Operation);
  }
  return out;
}

export async function writePending(
  db: TesseraDatabase,
  caseId: string,
  operations: readonly Operation[],
): Promise<void> {
  await db.syncPending.put({ caseId, operations });
}

/** The HLC of the last exchange with `partner` about the case, or null. */
export async function readLastSync(
  db: TesseraDatabase,
  caseId: string,
  partner: string,
): Promise<string | null> {
  const hlc = (await db.syncPartners.get([caseId, partner]))?.hlc;
  return typeof hlc === 'string' && isHlc(hlc) ? hlc : null;
}

/** Moves the partner's mark to `hlc` unless it is already later (marks never go back). */
export async function advanceLastSync(
  db: TesseraDatabase,
  caseId: string,
  partner: string,
  hlc: string,
): Promise<void> {
  const previous = await readLastSync(db, caseId, partner);
  if (previous === null || compareHlc(hlc, previous) > 0) {
    await db.syncPartners.put({ caseId, partner, hlc });
  }
}

export async function readReceived(
  db: TesseraDatabase,
  recordId: string,
): Promise<ReceivedRecord | undefined> {
  const parsed = receivedSchema.safeParse(await db.syncReceived.get(recordId));
  return parsed.success ? parsed.data : undefined;
}

/** Every received record noted here, with the ids of rows that could not be read. */
export async function listReceived(
  db: TesseraDatabase,
): Promise<{ rows: ReceivedRecord[]; unreadable: string[] }> {
  const rows: ReceivedRecord[] = [];
  const unreadable: string[] = [];
  for (const row of await db.syncReceived.toArray()) {
    const parsed = receivedSchema.safeParse(row);
    if (parsed.success) rows.push(parsed.data);
    else unreadable.push(row.recordId);
  }
  return { rows, unreadable };
}

/** Notes a received record; the first receipt stands (its date and retention are the agreed ones). */
export async function noteReceived(db: TesseraDatabase, entry: ReceivedRecord): Promise<void> {
  if (!(await readReceived(db, entry.recordId))) await db.syncReceived.put(entry);
}

/** Forgets the sync state of records that are gone for good. */
export async function forgetRecords(db: TesseraDatabase, ids: readonly string[]): Promise<void> {
  await db.syncClocks.bulkDelete([...ids]);
  await db.syncReceived.bulkDelete([...ids]);
}

/** Forgets all sync state of a case (with purgeCase). */
export async function forgetCase(db: TesseraDatabase, caseId: string): Promise<void> {
  for (const table of syncTables(db)) await table.where('caseId').equals(caseId).delete();
}
