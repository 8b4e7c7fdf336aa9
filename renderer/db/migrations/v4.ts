/**
 * Version 4: the schema of the encrypted store (issue 10). Every index that would show case content
 * goes: `cases.updatedAt`, `entities.updatedAt`, the name/prefix index `entities.searchText` of
 * version 2 (search now runs on the in-memory index built after unlock) and `audit.hlc`. What stays
 * is ids in the clear and `[caseId+schema]`, whose schema part the encrypting middleware
 * (renderer/db/encryption.ts) stores as a keyed blind index. A new `keyring` table holds the
 * wrapped keys, the wrong-passphrase counter and the progress of encrypting or re-keying.
 *
 * No upgrade function: Dexie's upgrade runs in one version-change transaction without keys, so the
 * data is encrypted afterwards by the vault, in batches that survive being killed halfway
 * (renderer/db/vaultMigration.ts). Until then rows stay as they were; dropping an index changes no row.
 * Self-contained on purpose: a shipped migration must not change when the live code does.
 */
import type { Migration } from './types.ts';

export const v4: Migration = {
  version: 4,
  stores: {
    cases: 'id',
    entities: 'id, caseId, [caseId+schema]',
    audit: 'id, recordId, caseId, changeId',
    keyring: 'id',
  },
};
