/**
 * The ordered list of schema versions. Add a new file per version (never edit a shipped one) and
 * append it here; Dexie runs the upgrades of every version newer than the stored one, in order.
 */
import type { Dexie } from 'dexie';
import type { Migration } from './types.ts';
import { v1 } from './v1.ts';
import { v2 } from './v2.ts';
import { v3 } from './v3.ts';
import { v4 } from './v4.ts';
import { v5 } from './v5.ts';
import { v6 } from './v6.ts';
import { v7 } from './v7.ts';

export type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [v1, v2, v3, v4, v5, v6, v7];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Declares `migrations` on `db` (before it is opened); tests pass a prefix to build old databases. */
export function applyMigrations(db: Dexie, migrations: readonly Migration[] = MIGRATIONS): void {
  for (const migration of migrations) {
    const version = db.version(migration.version).stores(migration.stores);
    const upgrade = migration.upgrade;
    if (upgrade) version.upgrade((tx) => upgrade(tx));
  }
}
