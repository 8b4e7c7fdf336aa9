import { useEffect, useState } from 'react';
import type { CaseRepository, UndoState } from '../db/repository.types.ts';

export function useUndoState(repository: CaseRepository | undefined): UndoState {
  const [state, setState] = useState<UndoState>({});
  useEffect(() => {
    if (!repository) return undefined;
    setState(repository.undoState());
    return repository.subscribeUndo(setState);
  }, [repository]);
  return state;
}
