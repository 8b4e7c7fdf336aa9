import { useMemo } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import { useNotices } from '../db/queries.ts';
import { timelineIndexOf, visibleInRangeOf } from './timelineIndex.ts';
import type { TimeRange } from './timeRange.ts';

const NO_NOTICES: readonly never[] = [];

/**
 * The ids a chart (or the map) should show for the active time range, or undefined when no range
 * is set (show everything). Undated relationships stay when both their ends are shown. Answered
 * from the timeline's index (the same one the timeline draws from), so a range over a million
 * calls makes no item objects (issue 13).
 */
export function useTimeFilter(
  caseId: string,
  entities: readonly EntityRecord[] | undefined,
  range: TimeRange | null,
): ReadonlySet<string> | undefined {
  const notices = useNotices(caseId) ?? NO_NOTICES;
  return useMemo(() => {
    if (!range || !entities) return undefined;
    return visibleInRangeOf(timelineIndexOf(entities, notices), range.from, range.to);
  }, [entities, notices, range]);
}
