/**
 * The page's one repository, for the live-read hooks of queries.ts. It is declared here, in the
 * store, rather than in the app's context so that the store depends on nothing above it: the core
 * (renderer/core) and the features import db, never the reverse (convention 13, checked by
 * scripts/folderCycles.test.ts). The shell provides it together with the other services
 * (`AppServicesProvider` in renderer/core/context.ts), so both always hold the same repository.
 */
import { createContext, useContext } from 'react';
import type { CaseRepository } from './repository.types.ts';

export const RepositoryContext = createContext<CaseRepository | null>(null);

export function useRepository(): CaseRepository {
  const value = useContext(RepositoryContext);
  if (!value) throw new Error('useRepository outside <AppServicesProvider>');
  return value;
}
