import { afterEach } from 'vitest';
import { DEFAULT_MARKINGS, HybridLogicalClock, UNGRADED } from '../../../shared/model/index.ts';
import type { EntityProperties, EntityRecord } from '../../../shared/model/index.ts';
import { createCaseStoreRegistry } from '../caseStore.ts';
import type {
  CaseEntities,
  CaseEntityStore,
  CaseStoreOptions,
  CaseStoreRegistry,
} from '../caseStore.ts';
import { TesseraDatabase } from '../database.ts';
import { createRepository } from '../repository.ts';
import type { CaseRepository } from '../repository.types.ts';
import { createUnitOfWork } from '../unitOfWork.ts';
import type { UnitOfWork } from '../unitOfWork.ts';

/** The officer every repository test writes as. */
export const testActor = () => ({ userName: 'Insp. Test', agencyId: 'test-agency' });

/** A unit of work over `db` as the repository tests use one: the test officer, a fresh clock. */
export function testUnitOfWork(db: TesseraDatabase, node = 'test.node'): UnitOfWork {
  return createUnitOfWork(db, { actor: testActor, clock: new HybridLogicalClock(node) });
}

export interface TestRepository {
  readonly db: TesseraDatabase;
  readonly work: UnitOfWork;
  readonly repo: CaseRepository;
}

let opened = 0;

/**
 * A new, empty database under a name no other test uses (fake-indexeddb keeps databases for the
 * whole file), with its unit of work and repository. Close it with `dropTestDatabase`.
 */
export async function openTestRepository(prefix: string): Promise<TestRepository> {
  opened += 1;
  const db = new TesseraDatabase(`${prefix}-${opened}`);
  await db.open();
  const work = testUnitOfWork(db);
  return { db, work, repo: createRepository(work) };
}

export async function dropTestDatabase(db: TesseraDatabase): Promise<void> {
  db.close();
  await db.delete();
}

/** A list the test pushes each database it opens to; after each test they are closed and deleted. */
export function dropDatabasesAfterEach(): TesseraDatabase[] {
  const opened: TesseraDatabase[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await dropTestDatabase(db);
  });
  return opened;
}

/** A case store registry over `db` as the store tests use one (no broadcast channel). */
export function testCaseStores(
  db: TesseraDatabase,
  options: CaseStoreOptions = {},
): CaseStoreRegistry {
  return createCaseStoreRegistry(testUnitOfWork(db, 'test.store'), { channel: null, ...options });
}

/** Resolves with the store's state once `done` holds for it; rejects if its load fails. */
export function storeUntil(
  store: CaseEntityStore,
  done: (state: CaseEntities) => boolean,
): Promise<CaseEntities> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = store.snapshot();
      if (state.phase === 'failed') {
        stop();
        reject(state.error as Error);
      } else if (done(state)) {
        stop();
        resolve(state);
      }
    };
    const stop = store.subscribe(check);
    check();
  });
}

export const storeReady = (store: CaseEntityStore) =>
  storeUntil(store, (state) => state.phase === 'ready');

/** The clock every fixture record carries unless a test gives another. */
export const FIXTURE_HLC = '0018f00000000-0000-fixture';

/** A stored entity as a fixture: no import provenance, the default markings, ungraded. */
export function fixtureEntity(
  id: string,
  caseId: string,
  schema: string,
  properties: EntityProperties,
  at: { createdAt?: string; updatedAt?: string } = {},
): EntityRecord {
  return {
    kind: 'entity',
    id,
    caseId,
    schema,
    properties,
    createdAt: at.createdAt ?? FIXTURE_HLC,
    updatedAt: at.updatedAt ?? at.createdAt ?? FIXTURE_HLC,
    deleted: false,
    originAgency: 'fixture',
    markings: DEFAULT_MARKINGS,
    grading: UNGRADED,
    provenance: {
      source: 'fixture',
      originAgency: 'fixture',
      recordedBy: 'x',
      recordedAt: '2024-01-01',
    },
  };
}
