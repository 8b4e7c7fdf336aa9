/**
 * The local IndexedDB database (through Dexie). One table per record kind plus the attachment
 * contents, the append-only audit trail, the exchange's sync state (four tables, see
 * migrations/v3.ts) and a small key/value `meta` table. The schema versions live in ./migrations;
 * this class only declares the typed tables.
 *
 * Who writes here: every change to records, attachment contents and the audit trail goes through
 * the unit of work (unitOfWork.ts), which also keeps undo; the sync tables are written only by
 * syncState.ts (inside a unit of work, or on its own for "sent up to here" marks); the migrations
 * rewrite rows once, while the database upgrades. Everything else reads. Tests, the e2e harness
 * and benchmarks may seed tables directly.
 */
import { Dexie } from 'dexie';
import type { Table } from 'dexie';
import type {
  AttachmentRecord,
  AuditEntry,
  CaseRecord,
  ChartNodeView,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
} from '../../shared/model/index.ts';
import { encryptionMiddleware } from './encryption.ts';
import { pendingImportFilter } from './pendingImports.ts';
import type { KeySource } from './encryption.ts';
import { applyMigrations } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';

/** An entity as stored: the record plus its normalised search key (added in schema version 2). */
export type StoredEntity = EntityRecord & { searchText: string };

export interface AttachmentBlob {
  readonly id: string;
  readonly content: Blob;
}

/**
 * Sync state rows as stored. Their contents come from partners' bundles, so syncState.ts parses
 * them on every read rather than trusting these types.
 */
export interface SyncClockRow {
  readonly recordId: string;
  readonly caseId: string;
  readonly meta: unknown;
}

export interface SyncReceivedRow {
  readonly recordId: string;
  readonly caseId: string;
  readonly sender: unknown;
  readonly receivedAt: unknown;
  readonly retainUntil?: unknown;
}

export interface SyncPendingRow {
  readonly caseId: string;
  readonly operations: unknown;
}

export interface SyncPartnerRow {
  readonly caseId: string;
  readonly partner: string;
  readonly hlc: unknown;
}

/** The vault's one row (schema v4): wrapped keys and counters only, readable while locked. */
export interface KeyringRow {
  readonly id: string;
  readonly [field: string]: unknown;
}

/**
 * One chart node's position and style stored on its own (schema v5, see chartNodes.ts): laid over
 * the chart record's `nodes` entry of the same entity until the chart is next written whole.
 */
export interface ChartNodeRow {
  readonly chartId: string;
  readonly entityId: string;
  readonly caseId: string;
  /** HLC of the move that wrote it; the chart's version is the newest of its own and its rows'. */
  readonly updatedAt: string;
  readonly node: ChartNodeView;
}

/**
 * A block (schema v7, see blocks.ts): a sealed pack of entity records of one case, stored beside
 * their own rows so a cold open opens one envelope per block instead of one per record.
 */
export interface StoredBlock {
  readonly id: string;
  readonly caseId: string;
  /** 'node' or 'edge' (relationships): a case opens with its nodes. */
  readonly part: string;
  /** The table the records are rows of. */
  readonly table: string;
  readonly records: readonly StoredEntity[];
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
  declare chartNodes: Table<ChartNodeRow, [string, string]>;
  declare audit: Table<AuditEntry, string>;
  declare meta: Table<MetaEntry, string>;
  declare syncClocks: Table<SyncClockRow, string>;
  declare syncReceived: Table<SyncReceivedRow, string>;
  declare syncPending: Table<SyncPendingRow, string>;
  declare syncPartners: Table<SyncPartnerRow, [string, string]>;
  declare keyring: Table<KeyringRow, string>;
  declare blocks: Table<StoredBlock, string>;

  /**
   * Imports whose records no read returns: being written in slices, or being removed after a
   * cancel, a crash or an undo (renderer/db/pendingImports.ts, importWriter.ts).
   */
  readonly pendingImports = new Set<string>();

  /**
   * Where the encrypting middleware gets its keys (undefined: a plaintext store). The import
   * worker opens the same store with them (renderer/import/importStore.ts) and drops them on lock.
   */
  readonly keySource: KeySource | undefined;

  /**
   * `encryption`: where the encrypting middleware gets its keys (renderer/db/encryption.ts). The
   * app always passes it (renderer/db/vault.ts builds the database); without it the tables are
   * plaintext, which only tests, the legacy migration and the e2e control run use.
   */
  constructor(
    name: string,
    migrations?: readonly Migration[],
    options: { readonly encryption?: KeySource } = {},
  ) {
    super(name);
    this.keySource = options.encryption;
    applyMigrations(this, migrations);
    this.use(pendingImportFilter(this.pendingImports));
    if (options.encryption) this.use(encryptionMiddleware(options.encryption));
  }
}

/**
 * A plaintext database. Dexie opens it (creating or upgrading as needed) on the first query, so
 * this returns at once; call `await db.open()` to surface open errors early. The app opens the
 * store through the vault (createVault(...).database()); this stays for tests and the e2e control.
 */
export function openDatabase(name = 'tessera'): TesseraDatabase {
  return new TesseraDatabase(name);
}
