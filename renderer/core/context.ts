/**
 * React contexts through which every feature reaches the app's services. Components never build
 * their own repository or service client; the App shell provides them with
 * `AppServicesProvider`. This module is part of the renderer's core: features and the shell import
 * it, and it imports only the store (renderer/db) and shared/ — never a feature or the shell.
 */
import { createContext, createElement, useContext } from 'react';
import type { ReactNode } from 'react';
import type { ServiceApi, Settings } from '../../shared/contract/index.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { Actor, CaseRepository } from '../db/repository.types.ts';
import { RepositoryContext, useRepository } from '../db/repositoryContext.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';
import type { HybridLogicalClock } from '../../shared/model/index.ts';

/**
 * The one database handle, clock, actor and unit of work of this page. Writers outside the
 * repository (merges, exchange imports, bulk marking) commit through `work`, so every change is
 * ordered by the same clock and lands on the same undo stack; `db` is for reads.
 */
export interface StorageDeps {
  readonly db: TesseraDatabase;
  readonly clock: HybridLogicalClock;
  readonly actor: () => Actor;
  readonly work: UnitOfWork;
}

export interface AppServices {
  readonly repository: CaseRepository;
  readonly storage: StorageDeps;
  readonly services: ServiceApi;
  readonly settings: Settings;
  /** Shows a transient message in the status area (errors stay until dismissed). */
  readonly notify: (message: string, kind?: 'info' | 'error') => void;
}

const AppServicesContext = createContext<AppServices | null>(null);

export function useAppServices(): AppServices {
  const value = useContext(AppServicesContext);
  if (!value) throw new Error('useAppServices outside <AppServicesProvider>');
  return value;
}

/** The page's repository (the store's own context, which this provider fills). */
export { useRepository };

/** Provides the services and, for the store's live-read hooks, the same repository. */
export function AppServicesProvider({
  value,
  children,
}: {
  readonly value: AppServices;
  readonly children?: ReactNode;
}) {
  return createElement(
    AppServicesContext.Provider,
    { value },
    createElement(RepositoryContext.Provider, { value: value.repository }, children),
  );
}
