/**
 * The entity table's remembered view for one case: read once from the encrypted store, then saved
 * (debounced, so dragging a column edge writes once) through the unit of work on every change.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAppServices } from '../core/context.ts';
import { readViewState, saveViewState } from '../db/viewState.ts';
import { DEFAULT_VIEW, restoreViewState } from './tableViewState.ts';
import type { TableViewState } from './tableViewState.ts';

const VIEW_NAME = 'entity-table';
const SAVE_DELAY_MS = 300;

export function useTableView(caseId: string): {
  readonly view: TableViewState;
  readonly loaded: boolean;
  readonly update: (change: (view: TableViewState) => TableViewState) => void;
} {
  const { storage, notify } = useAppServices();
  const [state, setState] = useState<{ caseId: string; view: TableViewState } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pending = useRef<(() => void) | undefined>(undefined);

  useEffect(() => {
    let live = true;
    readViewState(storage.db, caseId, VIEW_NAME).then(
      (stored) => {
        if (live) setState({ caseId, view: restoreViewState(stored) });
      },
      () => {
        if (live) setState({ caseId, view: DEFAULT_VIEW });
      },
    );
    return () => {
      live = false;
      // A change still waiting is saved now rather than lost with the table.
      clearTimeout(timer.current);
      pending.current?.();
      pending.current = undefined;
    };
  }, [caseId, storage.db]);

  const current = useRef(state);
  current.current = state;

  const update = useCallback(
    (change: (view: TableViewState) => TableViewState) => {
      const now = current.current;
      if (!now || now.caseId !== caseId) return;
      const next = { caseId, view: change(now.view) };
      current.current = next;
      setState(next);
      clearTimeout(timer.current);
      pending.current = () => {
        saveViewState(storage.work, caseId, VIEW_NAME, next.view).catch(() =>
          notify('The table layout could not be saved', 'error'),
        );
      };
      timer.current = setTimeout(() => {
        pending.current?.();
        pending.current = undefined;
      }, SAVE_DELAY_MS);
    },
    [caseId, storage.work, notify],
  );

  const loaded = state !== null && state.caseId === caseId;
  return { view: loaded ? state.view : DEFAULT_VIEW, loaded, update };
}
