/**
 * Version 3: the exchange's sync metadata leaves the untyped `meta` key/value table for four
 * tables of its own, each indexed by case so that purging a case takes its sync state with it:
 * - `syncClocks`   (was `sync.meta.<recordId>`): per-field clocks of a record as of the last import;
 * - `syncReceived` (was `sync.received.<recordId>`): who sent a foreign record, when, kept until when;
 * - `syncPending`  (was `sync.pending.<caseId>`): operations waiting for records not here yet;
 * - `syncPartners` (was `sync.last.<caseId>.<partner>`): HLC of the last exchange with a partner.
 * The upgrade moves the rows as they are (renderer/db/syncState.ts parses them on every read) and
 * deletes the old keys. A clock entry whose record is gone is dropped: nothing could use it.
 * Self-contained on purpose (table names and key prefixes spelled out here): a shipped migration
 * must not change when the live code does.
 */
import type { Transaction } from 'dexie';
import type { Migration } from './types.ts';

const RECORD_TABLES = ['cases', 'entities', 'notes', 'attachments', 'notices', 'charts'];

interface OldMeta {
  readonly key: string;
  readonly value: unknown;
}

async function caseOfRecord(tx: Transaction, id: string): Promise<string | undefined> {
  for (const table of RECORD_TABLES) {
    const found = (await tx.table(table).get(id)) as { caseId?: string } | undefined;
    if (found) return table === 'cases' ? id : found.caseId;
  }
  return undefined;
}

export const v3: Migration = {
  version: 3,
  stores: {
    syncClocks: 'recordId, caseId',
    syncReceived: 'recordId, caseId',
    syncPending: 'caseId',
    syncPartners: '[caseId+partner], caseId',
  },
  async upgrade(tx) {
    const meta = tx.table<OldMeta, string>('meta');
    const rows = await meta.where('key').startsWith('sync.').toArray();
    const caseIds = (await tx.table('cases').toCollection().primaryKeys()) as string[];
    for (const { key, value } of rows) {
      if (key.startsWith('sync.meta.')) {
        const recordId = key.slice('sync.meta.'.length);
        const caseId = await caseOfRecord(tx, recordId);
        if (caseId) await tx.table('syncClocks').put({ recordId, caseId, meta: value });
      } else if (key.startsWith('sync.received.')) {
        const recordId = key.slice('sync.received.'.length);
        const caseId =
          (value as { caseId?: unknown } | null)?.caseId ?? (await caseOfRecord(tx, recordId));
        if (typeof caseId === 'string') {
          await tx.table('syncReceived').put({ ...(value as object), recordId, caseId });
        }
      } else if (key.startsWith('sync.pending.')) {
        const caseId = key.slice('sync.pending.'.length);
        await tx.table('syncPending').put({ caseId, operations: value });
      } else if (key.startsWith('sync.last.')) {
        // `<caseId>.<partner>`: either may hold dots, so match against the stored case ids.
        const rest = key.slice('sync.last.'.length);
        const caseId = caseIds
          .filter((id) => rest.startsWith(`${id}.`))
          .sort((a, b) => b.length - a.length)[0];
        if (caseId) {
          const partner = rest.slice(caseId.length + 1);
          await tx.table('syncPartners').put({ caseId, partner, hlc: value });
        }
      } else continue;
      await meta.delete(key);
    }
  },
};
