/**
 * Start-up: reach the Node services over whichever carrier exists, read the settings, open the
 * case database and build the repository. On the very first start the demo case is loaded, so a
 * newcomer sees a working investigation at once ("Start empty" removes it).
 */
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import type { ServiceApi, Settings } from '../../shared/contract/index.ts';
import { HybridLogicalClock, newId } from '../../shared/model/index.ts';
import { openDatabase } from '../db/database.ts';
import { purgeExpired } from '../db/exchangeApply.ts';
import { createRepository } from '../db/repository.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import { createUnitOfWork } from '../db/unitOfWork.ts';
import type { StorageDeps } from '../core/context.ts';
import { DEMO_CASE_KEY } from '../core/storageKeys.ts';
import { connectServices } from '../platform/serviceClient.ts';

const INSTALLATION_KEY = 'tessera.installationId';
/**
 * Kept beside the cases (per browser profile), not in the Node-side settings: a second browser
 * profile on the same web host has its own, empty database and should get its own demo.
 */
const ONBOARDED_KEY = 'tessera.onboarded';

export interface BootResult {
  readonly services: ServiceApi;
  readonly settings: Settings;
  readonly repository: CaseRepository;
  readonly storage: StorageDeps;
}

/** A per-browser-profile id, so two installations of one agency never issue equal clock values. */
function installationId(): string {
  let id = localStorage.getItem(INSTALLATION_KEY);
  if (!id) {
    id = newId().slice(-10).toLowerCase();
    localStorage.setItem(INSTALLATION_KEY, id);
  }
  return id;
}

let started: Promise<BootResult> | null = null;

/** Boots once per page, even when React runs effects twice (StrictMode). */
export function boot(settingsRef: { current: Settings | null }): Promise<BootResult> {
  started ??= bootNow(settingsRef);
  return started;
}

async function bootNow(settingsRef: { current: Settings | null }): Promise<BootResult> {
  const services = await connectServices();
  const settings = await services['settings.get']({});
  settingsRef.current = settings;
  const db = openDatabase();
  const clock = new HybridLogicalClock(`${settings.agencyId}.${installationId()}`);
  const actor = () => {
    const current = settingsRef.current ?? settings;
    return { userName: current.userName, agencyId: current.agencyId };
  };
  // One unit of work per page: the repository and every other writer share its undo stack.
  const work = createUnitOfWork(db, { actor, clock });
  const repository = createRepository(work);
  void repository.requestPersistence();
  // Received material past its retention is purged at every start, not only when someone opens
  // the exchange screens: the legal limit does not wait for a click.
  purgeExpired({ db, clock, actor, work }, new Date()).catch((error: unknown) =>
    console.error('purging expired received material failed', error),
  );
  if (!localStorage.getItem(ONBOARDED_KEY)) {
    const existing = await repository.listCases();
    if (existing.length === 0) {
      const demo = createDemoCase({ agencyId: settings.agencyId, now: new Date() });
      // Loaded for the newcomer, not by them: Ctrl+Z must not remove it.
      const caseId = await repository.importCase(demo, { undoable: false });
      localStorage.setItem(DEMO_CASE_KEY, caseId);
    }
    localStorage.setItem(ONBOARDED_KEY, new Date().toISOString());
  }
  return { services, settings, repository, storage: { db, clock, actor, work } };
}
