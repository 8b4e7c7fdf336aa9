/**
 * Where merges write: the app database and the repository's clock and actor. The shell registers
 * them at boot (`registerMergeBackend`), so merge versions are ordered by the same clock as every
 * other change. Until it does, a fallback opens the same IndexedDB database (Dexie tells live
 * queries about writes from any instance in the page) with a clock of its own, on a node id
 * distinct from the repository's; mergeEntitiesInCase folds the records' clocks into it first.
 */
import type { Settings } from '../../shared/contract/index.ts';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { openDatabase } from '../db/database.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { MergeDeps } from '../db/mergeRepository.ts';

export interface MergeBackend {
  readonly db: TesseraDatabase;
  readonly deps: MergeDeps;
}

let registered: MergeBackend | null = null;
let fallback: MergeBackend | null = null;

export function registerMergeBackend(db: TesseraDatabase, deps: MergeDeps): void {
  registered = { db, deps };
}

export function mergeBackend(settings: Pick<Settings, 'agencyId' | 'userName'>): MergeBackend {
  if (registered) return registered;
  if (!fallback) {
    const installation = localStorage.getItem('tessera.installationId') ?? 'local';
    const node = `${settings.agencyId}.${installation}.merge`.replace(/[^A-Za-z0-9_.:-]/g, '_');
    fallback = {
      db: openDatabase(),
      deps: {
        actor: () => ({ userName: settings.userName, agencyId: settings.agencyId }),
        clock: new HybridLogicalClock(node.slice(0, 64)),
      },
    };
  }
  return fallback;
}
