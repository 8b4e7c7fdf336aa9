/**
 * End-to-end tests and benchmarks need to load large generated cases without clicking through
 * thousands of forms. With `window.__TESSERA_TEST__ = true` (set by the harness in an init script)
 * the app exposes its repository as `window.__tesseraApp`; nothing is exposed otherwise.
 */
import type { CaseRepository } from '../db/repository.types.ts';

export interface AppTestHook {
  readonly repository: CaseRepository;
}

declare global {
  interface Window {
    __tesseraApp?: AppTestHook;
  }
}

export function installAppTestHook(repository: CaseRepository): void {
  if ((window as { __TESSERA_TEST__?: boolean }).__TESSERA_TEST__ === true) {
    window.__tesseraApp = { repository };
  }
}
