import { useMemo } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import { extractTimeItems, visibleInRange } from '../../shared/time/index.ts';
import { useNotices } from '../db/queries.ts';
import type { TimeRange } from './timeRange.ts';

/**
 * The ids a chart (or the map) should show for the active time range, or undefined when no range
 * is set (show everything). Undated relationships stay when both their ends are shown.
 */
export function useTimeFilter(
  caseId: string,
  entities: readonly EntityRecord[] | undefined,
  range: TimeRange | null,
): ReadonlySet<string> | undefined {
  const notices = useNotices(caseId);
  return useMemo(() => {
    if (!range || !entities) return undefined;
    const items = extractTimeItems(entities, notices ?? []);
    return visibleInRange(entities, items, range.from, range.to);
  }, [entities, notices, range]);
}
