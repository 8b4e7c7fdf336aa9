/**
 * A chart's conditional-formatting rules. They name property values an analyst looks for (a
 * surname, an account number), so they are case content: kept in the encrypted store as the
 * chart's view state (renderer/db/viewState.ts), not in localStorage, which is plaintext on disk.
 * A value an older build left in localStorage is moved into the store on first read.
 */
import { useCallback, useEffect, useState } from 'react';
import { useAppServices } from '../core/context.ts';
import { readViewStateAdopting, saveViewState } from '../db/viewState.ts';
import { chartRulesView, legacyChartRulesKey, restoreRules } from './chartOverlay.ts';
import type { FormatRule } from './chartOverlay.ts';

/** One empty list, so the chart's overlay memo does not recompute while the rules load. */
const NO_RULES: FormatRule[] = [];

type Loaded = { readonly chartId: string; readonly rules: FormatRule[] };

export function useChartRules(
  caseId: string,
  chartId: string | undefined,
): { readonly rules: FormatRule[]; readonly setRules: (next: FormatRule[]) => void } {
  const { storage, notify } = useAppServices();
  const [state, setState] = useState<Loaded>();

  useEffect(() => {
    if (!chartId) return;
    let live = true;
    const keep = (rules: FormatRule[]) => {
      // A rule added before the read finished is the newer state; keep it.
      if (live)
        setState((previous) => (previous?.chartId === chartId ? previous : { chartId, rules }));
    };
    readViewStateAdopting(storage.db, storage.work, caseId, chartRulesView(chartId), {
      storage: localStorage,
      key: legacyChartRulesKey(chartId),
    }).then(
      (value) => keep(restoreRules(value)),
      () => keep([]),
    );
    return () => {
      live = false;
    };
  }, [caseId, chartId, storage]);

  const setRules = useCallback(
    (next: FormatRule[]) => {
      if (!chartId) return;
      setState({ chartId, rules: next });
      saveViewState(storage.work, caseId, chartRulesView(chartId), next).catch(() =>
        notify('The formatting rules could not be saved', 'error'),
      );
    },
    [caseId, chartId, storage, notify],
  );

  const rules = state && state.chartId === chartId ? state.rules : NO_RULES;
  return { rules, setRules };
}
