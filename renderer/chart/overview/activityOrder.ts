/**
 * The order in which "Add all" places a crowd of new nodes (issue 13: a million-record call case,
 * 20,000 phones at once). The chart places new nodes on a square spiral around the centre of the
 * view, in the order given (placeNewNodes); in caption order the busy phones land anywhere and the
 * overview is an even haze of lines. Busiest first puts the phones with the most calls in the
 * middle and the ones with a single call at the rim, so at first sight the heavy pairs, which run
 * between busy phones, form a core that reads, without waiting for a layout.
 *
 * Activity is the number of live relationships an entity is an end of (calls made and received),
 * counted in one pass over the records; ties keep the given order.
 */
import type { EntityRecord } from '../../../shared/model/index.ts';
import { caseLinks } from './caseLinks.ts';

/**
 * Adds of fewer nodes keep their order: a pass over every record of a big case is not worth it
 * for a handful of nodes placed next to each other anyway.
 */
export const ACTIVITY_ORDER_MIN = 50;

/** The order to place `ids` in: busiest first for a crowd, as given for a few. */
export function placementOrder(
  entities: readonly EntityRecord[],
  ids: readonly string[],
): readonly string[] {
  return ids.length < ACTIVITY_ORDER_MIN ? ids : byActivity(entities, ids);
}

/** `ids` sorted by how many live relationships each is an end of, most first (stable). */
export function byActivity(entities: readonly EntityRecord[], ids: readonly string[]): string[] {
  if (ids.length < 2) return [...ids];
  // Counted over the case's relationship columns (caseLinks.ts: read once per entity list, and
  // read again by the chart's view model right after "Add all" places the crowd).
  const links = caseLinks(entities);
  const perEnd = new Float64Array(links.nodes.length + links.otherEnds.size);
  const { source, target } = links;
  for (let k = 0; k < links.size; k++) {
    const a = source[k]!;
    const b = target[k]!;
    perEnd[a]!++;
    // A call to itself counts once (equal numbers are equal ids).
    if (b !== a) perEnd[b]!++;
  }
  const activity = new Float64Array(ids.length);
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    // A repeated id counts at its first place only.
    if (seen.has(id)) continue;
    seen.add(id);
    const n = links.nodeNumber.get(id) ?? links.otherEnds.get(id);
    if (n !== undefined) activity[i] = perEnd[n]!;
  }
  const order = Array.from(ids, (_, i) => i);
  order.sort((a, b) => activity[b]! - activity[a]! || a - b);
  return order.map((i) => ids[i]!);
}
