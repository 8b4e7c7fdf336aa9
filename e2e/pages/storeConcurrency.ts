/**
 * In-page half of e2e/encryption-concurrency.e2e.ts (bundled with esbuild, run in Chromium's real
 * IndexedDB): overlapping read-write changes on the encrypting store.
 */
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { purgeExpired } from '../../renderer/db/exchangeApply.ts';
import { createRepository } from '../../renderer/db/repository.ts';
import {
  encryptedTestDatabase,
  testStoreKeys,
} from '../../renderer/db/testing/encryptedDatabase.ts';
import { createUnitOfWork } from '../../renderer/db/unitOfWork.ts';
import { TesseraDatabase } from '../../renderer/db/database.ts';
import { liveQuery } from 'dexie';

export interface OverlapResult {
  readonly failures: readonly string[];
  readonly entities: number;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function overlappingWrites(rounds: number, encrypted: boolean): Promise<OverlapResult> {
  const name = `overlap-${encrypted ? 'enc' : 'plain'}-${Date.now()}`;
  const db = encrypted ? (await encryptedTestDatabase(name)).db : new TesseraDatabase(name);
  const clock = new HybridLogicalClock('test.page');
  const actor = () => ({ userName: 'tester', agencyId: 'test' });
  const work = createUnitOfWork(db, { actor, clock });
  const repository = createRepository(work);
  const failures: string[] = [];
  const caught = (what: string) => (error: unknown) => {
    failures.push(`${what}: ${describe(error)}`);
  };
  const caseId = await repository.importCase(createDemoCase({ agencyId: 'test', now: new Date() }));
  const entities = await repository.listEntities(caseId);
  // What the screens do at unlock: live queries of the case list and the open case.
  const watch = <T>(query: () => Promise<T>) =>
    liveQuery(query).subscribe({ error: caught('live query') });
  const subscriptions = [
    watch(() => db.cases.toArray()),
    watch(() => db.entities.where('caseId').equals(caseId).toArray()),
    watch(() => db.notes.where('caseId').equals(caseId).toArray()),
    watch(() => db.charts.where('caseId').equals(caseId).toArray()),
  ];
  for (let round = 0; round < rounds; round += 1) {
    const jobs: Promise<unknown>[] = [
      repository
        .importCase(createDemoCase({ agencyId: 'test', now: new Date() }))
        .catch(caught('import')),
      purgeExpired({ db, clock, actor, work }, new Date()).catch(caught('purge')),
    ];
    for (const entity of entities.slice(0, 8)) {
      jobs.push(
        repository.updateEntity(entity.id, { source: `round ${round}` }).catch(caught('update')),
      );
    }
    await Promise.all(jobs);
  }
  for (const subscription of subscriptions) subscription.unsubscribe();
  const count = await db.entities.count();
  db.close();
  await TesseraDatabase.delete(name);
  return { failures, entities: count };
}

/**
 * What start-up did (issue 10): the case list's live query starts, and the retention purge commits
 * beside it; `rounds` times on one database.
 */
async function purgeBesideLiveQuery(rounds: number, encrypted: boolean): Promise<OverlapResult> {
  const name = `purge-${encrypted ? 'enc' : 'plain'}-${Date.now()}`;
  const keys = encrypted ? await testStoreKeys() : undefined;
  // A fresh connection per round, as at each unlock: both wait for it to open, then start together.
  const connect = () =>
    new TesseraDatabase(name, undefined, keys ? { encryption: () => keys } : {});
  const clock = new HybridLogicalClock('test.page');
  const actor = () => ({ userName: 'tester', agencyId: 'test' });
  const failures: string[] = [];
  const caught = (what: string) => (error: unknown) => {
    failures.push(`${what}: ${describe(error)}`);
  };
  const seeded = connect();
  await createRepository(createUnitOfWork(seeded, { actor, clock })).importCase(
    createDemoCase({ agencyId: 'test', now: new Date() }),
  );
  seeded.close();
  for (let round = 0; round < rounds; round += 1) {
    const db = connect();
    const work = createUnitOfWork(db, { actor, clock });
    let seen: () => void = () => undefined;
    const listed = new Promise<void>((resolve) => (seen = resolve));
    const subscription = liveQuery(() => db.cases.toArray()).subscribe({
      next: () => seen(),
      error: caught('live query'),
    });
    await purgeExpired({ db, clock, actor, work }, new Date()).catch(caught('purge'));
    await listed;
    subscription.unsubscribe();
    db.close();
  }
  const db = connect();
  const count = await db.entities.count();
  db.close();
  await TesseraDatabase.delete(name);
  return { failures, entities: count };
}

const api = { overlappingWrites, purgeBesideLiveQuery };
export type StoreConcurrencyApi = typeof api;
(globalThis as unknown as { storeConcurrency: StoreConcurrencyApi }).storeConcurrency = api;
