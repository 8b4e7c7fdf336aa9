/**
 * Start-up, in two stages (issue 10). `bootShell` once per page: reach the Node services over
 * whichever carrier exists, read the settings and build the vault (the encrypted case store's
 * keys). `openCaseStore` at every unlock: the repository and unit of work on the vault's unlocked
 * database; a lock drops them with the workbench. On the very first unlock the demo case is loaded,
 * so a newcomer sees a working investigation at once ("Start empty" removes it).
 */
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import type { ServiceApi, Settings } from '../../shared/contract/index.ts';
import { HybridLogicalClock, newId } from '../../shared/model/index.ts';
import { purgeExpired } from '../db/exchangeApply.ts';
import { createRepository } from '../db/repository.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import { hidePendingImports, removeStaleImports } from '../db/importWriter.ts';
import { createUnitOfWork } from '../db/unitOfWork.ts';
import { createVault } from '../db/vault.ts';
import type { KeystorePort, Vault } from '../db/vault.ts';
import { createKeystorePort } from '../lock/keystorePort.ts';
import { createUnencryptedStoreForTests } from '../lock/unencryptedStore.ts';
import type { StorageDeps } from '../core/context.ts';
import { DEMO_CASE_KEY } from '../core/storageKeys.ts';
import { connectServices } from '../platform/serviceClient.ts';
import { errorMessage } from '../../shared/base/errors.ts';

const INSTALLATION_KEY = 'tessera.installationId';
/**
 * Kept beside the cases (per browser profile), not in the Node-side settings: a second browser
 * profile on the same web host has its own, empty database and should get its own demo.
 */
const ONBOARDED_KEY = 'tessera.onboarded';

/** What exists while the store is locked: no case data, only the way to the keys. */
export interface ShellBoot {
  readonly services: ServiceApi;
  readonly settings: Settings;
  readonly vault: Vault;
  readonly keystore: KeystorePort;
}

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

/**
 * Argon2id for the e2e harness only (app.info `testing.fastKdf`, which only a web host started by
 * the test runner reports): a browser context per test would otherwise spend seconds on every
 * set-up. The product's cost is DEFAULT_ARGON2 (shared/crypto/passphraseKey.ts).
 */
const TEST_ARGON2 = { memoryKiB: 1024, iterations: 1, parallelism: 1 } as const;

let started: Promise<ShellBoot> | null = null;

/** Boots once per page, even when React runs effects twice (StrictMode). */
export function bootShell(settingsRef: { current: Settings | null }): Promise<ShellBoot> {
  started ??= bootShellNow(settingsRef);
  return started;
}

async function bootShellNow(settingsRef: { current: Settings | null }): Promise<ShellBoot> {
  const services = await connectServices();
  const [settings, info] = await Promise.all([
    services['settings.get']({}),
    services['app.info']({}),
  ]);
  settingsRef.current = settings;
  // The web host answers the keystore methods with "unavailable"; Electron with its safeStorage.
  const keystore = createKeystorePort(services);
  const testing = info.testing;
  const vault = testing?.unencryptedStore
    ? createUnencryptedStoreForTests()
    : createVault({ keystore, ...(testing?.fastKdf ? { argon2: TEST_ARGON2 } : {}) });
  return { services, settings, vault, keystore };
}

let opened: Promise<BootResult> | null = null;

/**
 * Builds the repository on the unlocked store; call after each unlock (the vault throws
 * 'vault-locked' otherwise). One unit of work per unlock: the repository and every other writer
 * share its undo stack, and `forgetCaseStore` at the lock discards it with the decrypted records
 * its undo entries hold. Built once per unlock, even when React runs effects twice.
 */
export function openCaseStore(
  shell: ShellBoot,
  settingsRef: { current: Settings | null },
): Promise<BootResult> {
  opened ??= openCaseStoreNow(shell, settingsRef);
  return opened;
}

/** Called on lock: the next unlock builds a fresh repository and undo stack. */
export function forgetCaseStore(): void {
  // The decrypted records of open cases go now, not when React gets round to unmounting.
  void opened?.then(
    ({ repository }) => repository.caseStores.dispose(),
    () => undefined,
  );
  opened = null;
}

async function openCaseStoreNow(
  shell: ShellBoot,
  settingsRef: { current: Settings | null },
): Promise<BootResult> {
  const { services, settings, vault } = shell;
  const db = vault.database();
  const clock = new HybridLogicalClock(`${settings.agencyId}.${installationId()}`);
  const actor = () => {
    const current = settingsRef.current ?? settings;
    return { userName: current.userName, agencyId: current.agencyId };
  };
  // An import killed halfway (the page closed, the app quit) left records that must stay hidden:
  // before anything reads the case (renderer/db/importWriter.ts).
  await hidePendingImports(db);
  const work = createUnitOfWork(db, { actor, clock });
  const repository = createRepository(work);
  void repository.requestPersistence();
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
  // Received material past its retention is purged at every unlock, not only when someone opens
  // the exchange screens: the legal limit does not wait for a click. In the background, beside the
  // screens' first reads and any change the officer starts (the encrypting store keeps each
  // transaction whole under overlap: e2e/encryption-concurrency.e2e.ts).
  void purgeExpired({ db, clock, actor, work }, new Date()).catch((error: unknown) =>
    console.error(
      `purging expired received material failed: ${errorMessage(error)}`,
      (error as { code?: unknown } | null)?.code ?? (error as Error | null)?.name,
    ),
  );
  // Those imports' records are removed slice by slice, in the background (hidden meanwhile).
  void removeStaleImports(work).catch((error: unknown) =>
    console.error(`removing unfinished imports failed: ${errorMessage(error)}`),
  );
  return {
    services,
    settings: settingsRef.current ?? settings,
    repository,
    storage: { db, clock, actor, work },
  };
}
