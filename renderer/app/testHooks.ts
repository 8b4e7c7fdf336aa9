/**
 * End-to-end tests and benchmarks need to load large generated cases without clicking through
 * thousands of forms. With `window.__TESSERA_TEST__ = true` (set by the harness in an init script)
 * the app exposes its repository as `window.__tesseraApp`; nothing is exposed otherwise.
 * `storage()` gives the page's one database handle, clock and actor (the same ones the repository
 * uses), so a benchmark can write pre-validated records with raw bulkPut instead of importCase.
 * It is test support that stays in the production build, unlike the `fixtures/` folders, because
 * the e2e tests and benchmarks drive the built app; it is inert without the harness's flag.
 */
import type { CaseRepository } from '../db/repository.types.ts';
import type { StorageDeps } from '../core/context.ts';

export interface AppTestHook {
  readonly repository: CaseRepository;
  /** The unlocked store's handles (rebuilt at each unlock, so this is the app's own handle). */
  storage(): Promise<StorageDeps>;
}

declare global {
  interface Window {
    __tesseraApp?: AppTestHook;
  }
}

export function installAppTestHook(repository: CaseRepository, storage: StorageDeps): void {
  if ((window as { __TESSERA_TEST__?: boolean }).__TESSERA_TEST__ === true) {
    window.__tesseraApp = { repository, storage: () => Promise.resolve(storage) };
  }
}

/** A locked page exposes nothing: the handles would only throw 'vault-locked' anyway. */
export function removeAppTestHook(): void {
  delete window.__tesseraApp;
}
