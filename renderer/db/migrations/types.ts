import type { Transaction } from 'dexie';

/**
 * One schema version of the local database. `stores` is Dexie's schema text per table (primary key
 * first, then indexes); `upgrade` rewrites existing data when the version is first opened.
 */
export interface Migration {
  readonly version: number;
  readonly stores: Readonly<Record<string, string | null>>;
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}
