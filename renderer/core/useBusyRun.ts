import { useCallback, useState } from 'react';
import { errorMessage } from '../../shared/base/errors.ts';

/**
 * One user action at a time: `run` marks the view busy (its buttons disable on `busy`), clears
 * the last error, and shows the action's failure as `error` instead of letting it escape into an
 * unhandled rejection. `run` itself never rejects, so callers may chain follow-up work after it.
 */
export function useBusyRun(): {
  busy: boolean;
  error: string | null;
  setError: (error: string | null) => void;
  run: (action: () => Promise<void>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
