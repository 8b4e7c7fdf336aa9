/**
 * The local IndexedDB database (through Dexie). One table per record kind plus the attachment
 * contents, the append-only audit trail and a small key/value `meta` table. The schema versions
 * live in ./migrations; this class only declares the typed tables. Only the repository writes here.
 */
import { Dexie } from 'dexie';
import type { Table } from 'dexie';
import type {
  AttachmentRecord,
  AuditEntry,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
} from '../../shared/model/index.ts';
import { applyMigrations } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';

/** An entity as stored: the record plus its normalised search key (added in schema version 2). */
export type StoredEntity = EntityRecord & { searchText: string };

export interface AttachmentBlob {
  readonly id: string;
  readonly content: Blob;
}

export interface MetaEntry {
  readonly key: string;
  readonly value: unknown;
}

export class TesseraDatabase extends Dexie {
  declare cases: Table<CaseRecord, string>;
  declare entities: Table<StoredEntity, string>;
  declare notes: Table<NoteRecord, string>;
  declare attachments: Table<AttachmentRecord, string>;
  declare attachmentBlobs: Table<AttachmentBlob, string>;
  declare notices: Table<NoticeRecord, string>;
  declare charts: Table<ChartRecord, string>;
  declare audit: Table<AuditEntry, string>;
  declare meta: Table<MetaEntry, string>;

  constructor(name: string, migrations?: readonly Migration[]) {
    super(name);
    applyMigrations(this, migrations);
  }
}

/**
 * The app database. Dexie opens it (creating or upgrading as needed) on the first query, so this
 * returns at once; call `await db.open()` to surface open errors early.
 */
export function openDatabase(name = 'tessera'): TesseraDatabase {
  return new TesseraDatabase(name);
}
