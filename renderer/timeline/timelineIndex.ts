/**
 * The timeline's index of a case's dated items, so that a frame costs the same for a million items
 * as for a hundred (issue 13: pan and zoom frames within 50 ms at 1M dated items).
 *
 * 1. Each record's spans (shared/time: timeSpansOf) are computed once per record object and kept
 *    in a WeakMap: the case store hands back the same object for a record that did not change, so
 *    after an edit only the changed records are read again.
 * 2. Per lane, the items' starts and, separately, their ends are sorted into Float64Arrays. The
 *    number of items that overlap [t0, t1] is then #(start ≤ t1) − #(end < t0) (an item that ends
 *    before t0 also starts before t1), two binary searches.
 * 3. A frame draws, per lane, one bar per pixel bin with that count (O(width · log n), never per
 *    item). Only when the view holds few items (DETAIL_LIMIT) are those items made into full
 *    TimeItems (labels, details) and drawn one by one as before; a small case is always drawn so.
 */
import type { EntityRecord, NoticeRecord } from '../../shared/model/index.ts';
import { edgeEnds, isEdgeSchema } from '../../shared/model/index.ts';
import type { RecordSpan, TimeItem, TimeLane } from '../../shared/time/index.ts';
import {
  entityRefs,
  extractTimeItems,
  intervalOf,
  TIME_LANES,
  timeSpansOf,
} from '../../shared/time/index.ts';
import type { Domain, Scale } from './timelineModel.ts';
import { fromX } from './timelineModel.ts';

/** At most this many items in view are drawn one by one; more are drawn as counts per bin. */
export const DETAIL_LIMIT = 400;

const ACTIVITY_LANES: ReadonlySet<TimeLane> = new Set(['event', 'trip', 'call', 'payment']);

interface CachedSpans {
  readonly spans: readonly RecordSpan[];
  readonly isEdge: boolean;
}

const spanCache = new WeakMap<EntityRecord, CachedSpans>();

function spansOf(entity: EntityRecord): CachedSpans {
  let cached = spanCache.get(entity);
  if (!cached) {
    cached = {
      spans: entity.deleted ? [] : timeSpansOf(entity),
      isEdge: isEdgeSchema(entity.schema),
    };
    spanCache.set(entity, cached);
  }
  return cached;
}

export interface LaneIndex {
  readonly lane: TimeLane;
  readonly label: string;
  readonly count: number;
  /** The lane's item starts, ascending. */
  readonly starts: Float64Array;
  /** The lane's item ends, ascending (sorted on their own, not paired with `starts`). */
  readonly ends: Float64Array;
}

export interface TimelineIndex {
  readonly entities: readonly EntityRecord[];
  readonly notices: readonly NoticeRecord[];
  /** Items in all. */
  readonly size: number;
  /** Lanes that have items, in display order. */
  readonly lanes: readonly LaneIndex[];
  /** Per item: its span and its record (an index into `entities`, or -1 for a notice). */
  readonly itemStart: Float64Array;
  readonly itemEnd: Float64Array;
  readonly itemRecord: Int32Array;
  /** Finite extent of every item; undefined when none has a finite date. */
  readonly extent: Domain | undefined;
  /** Finite extent of events, trips, calls and payments (else of every item): the first view. */
  readonly focus: Domain | undefined;
  /** Live entities that are not relationships, by id: the names of the ends of relationships. */
  readonly nodes: ReadonlyMap<string, EntityRecord>;
}

class Extent {
  start = Number.POSITIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (value < this.start) this.start = value;
    if (value > this.end) this.end = value;
  }
  domain(): Domain | undefined {
    return this.start <= this.end ? { start: this.start, end: this.end } : undefined;
  }
}

/** The index of a case's dated items (entities and relationships by record, notices whole). */
export function buildTimelineIndex(
  entities: readonly EntityRecord[],
  notices: readonly NoticeRecord[] = [],
): TimelineIndex {
  const laneOrder = new Map(TIME_LANES.map((lane, k) => [lane.id, k]));
  // Notices are few; their spans come from the items themselves (subject names are not needed).
  const noticeItems = notices.length > 0 ? extractTimeItems([], notices) : [];
  const perLane = new Uint32Array(TIME_LANES.length);
  const nodes = new Map<string, EntityRecord>();
  let size = noticeItems.length;
  for (const entity of entities) {
    const { spans, isEdge } = spansOf(entity);
    if (!isEdge && !entity.deleted) nodes.set(entity.id, entity);
    size += spans.length;
    for (const span of spans) perLane[laneOrder.get(span.lane)!]! += 1;
  }
  for (const item of noticeItems) perLane[laneOrder.get(item.lane)!]! += 1;

  const starts = TIME_LANES.map((_, k) => new Float64Array(perLane[k]!));
  const ends = TIME_LANES.map((_, k) => new Float64Array(perLane[k]!));
  const filled = new Uint32Array(TIME_LANES.length);
  const itemStart = new Float64Array(size);
  const itemEnd = new Float64Array(size);
  const itemRecord = new Int32Array(size);
  const all = new Extent();
  const activity = new Extent();
  let k = 0;
  const add = (lane: TimeLane, start: number, end: number, record: number) => {
    const l = laneOrder.get(lane)!;
    starts[l]![filled[l]!] = start;
    ends[l]![filled[l]!] = end;
    filled[l]! += 1;
    itemStart[k] = start;
    itemEnd[k] = end;
    itemRecord[k] = record;
    k += 1;
    all.add(start);
    all.add(end);
    if (ACTIVITY_LANES.has(lane)) {
      activity.add(start);
      activity.add(end);
    }
  };
  for (let r = 0; r < entities.length; r++) {
    for (const span of spansOf(entities[r]!).spans) add(span.lane, span.start, span.end, r);
  }
  for (const item of noticeItems) add(item.lane, item.start, item.end, -1);

  const lanes: LaneIndex[] = [];
  TIME_LANES.forEach((lane, l) => {
    if (perLane[l] === 0) return;
    lanes.push({
      lane: lane.id,
      label: lane.label,
      count: perLane[l]!,
      starts: starts[l]!.sort(),
      ends: ends[l]!.sort(),
    });
  });
  const extent = all.domain();
  return {
    entities,
    notices,
    size,
    lanes,
    itemStart,
    itemEnd,
    itemRecord,
    extent,
    focus: activity.domain() ?? extent,
    nodes,
  };
}

/** Index of the first value in `sorted` that is greater than `value` (or, strict, ≥ it). */
function firstAbove(sorted: Float64Array, value: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? sorted[mid]! < value : sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Items of the lane that overlap [from, to] (closed). */
export function laneCount(lane: LaneIndex, from: number, to: number): number {
  return firstAbove(lane.starts, to, false) - firstAbove(lane.ends, from, true);
}

/** Items of every lane that overlap [from, to]. */
export function countInRange(index: TimelineIndex, from: number, to: number): number {
  let count = 0;
  for (const lane of index.lanes) count += laneCount(lane, from, to);
  return count;
}

/**
 * Per bin of `binWidth` pixels across the scale, the number of the lane's items that overlap the
 * bin's time span.
 */
export function binCounts(lane: LaneIndex, scale: Scale, binWidth: number): Uint32Array {
  const bins = Math.max(1, Math.ceil(scale.width / binWidth));
  const counts = new Uint32Array(bins);
  for (let b = 0; b < bins; b++) {
    const t0 = fromX(scale, b * binWidth);
    const t1 = fromX(scale, (b + 1) * binWidth);
    counts[b] = laneCount(lane, t0, t1);
  }
  return counts;
}

const fullItems = new WeakMap<TimelineIndex, TimeItem[]>();

/**
 * The items in `domain` as full TimeItems (labels, details), or null when there are more than
 * `limit`. A case with at most `limit` items in all gets every item, as the timeline always drew
 * them; a bigger one gets the items of the records in view, named with the ends of relationships.
 */
export function detailItems(
  index: TimelineIndex,
  domain: Domain,
  limit = DETAIL_LIMIT,
): readonly TimeItem[] | null {
  if (index.size <= limit) {
    let items = fullItems.get(index);
    if (!items) {
      items = extractTimeItems(index.entities, index.notices);
      fullItems.set(index, items);
    }
    return items;
  }
  if (countInRange(index, domain.start, domain.end) > limit) return null;
  const records = new Set<number>();
  for (let k = 0; k < index.size; k++) {
    if (index.itemStart[k]! <= domain.end && index.itemEnd[k]! >= domain.start) {
      records.add(index.itemRecord[k]!);
    }
  }
  const inView: EntityRecord[] = [];
  const subset = new Map<string, EntityRecord>();
  for (const r of records) {
    if (r < 0) continue;
    const entity = index.entities[r]!;
    inView.push(entity);
    subset.set(entity.id, entity);
    const ends = edgeEnds(entity.schema, entity.properties);
    for (const end of ends ? [ends.source, ends.target] : []) {
      const node = index.nodes.get(end);
      if (node) subset.set(end, node);
    }
  }
  const wanted = new Set(inView.map((entity) => entity.id));
  const notices = records.has(-1) ? index.notices : [];
  for (const notice of notices) {
    const subject = notice.subjectId ? index.nodes.get(notice.subjectId) : undefined;
    if (subject) subset.set(subject.id, subject);
  }
  return extractTimeItems([...subset.values()], notices).filter(
    (item) =>
      (wanted.has(item.recordId) || item.lane === 'notice') &&
      item.start <= domain.end &&
      item.end >= domain.start,
  );
}

const indexes = new WeakMap<
  readonly EntityRecord[],
  { readonly notices: readonly NoticeRecord[]; readonly index: TimelineIndex }
>();

/** Each reader loads the notices itself (a new array each): the same records count as same. */
function sameNotices(a: readonly NoticeRecord[], b: readonly NoticeRecord[]): boolean {
  return (
    a === b ||
    (a.length === b.length &&
      a.every(
        (notice, k) =>
          notice.id === b[k]!.id &&
          notice.updatedAt === b[k]!.updatedAt &&
          notice.deleted === b[k]!.deleted,
      ))
  );
}

/**
 * The index of these entities and notices, built once for both the timeline and the time filter
 * (the same arrays give the same index).
 */
export function timelineIndexOf(
  entities: readonly EntityRecord[],
  notices: readonly NoticeRecord[],
): TimelineIndex {
  const cached = indexes.get(entities);
  if (cached && sameNotices(cached.notices, notices)) return cached.index;
  const index = buildTimelineIndex(entities, notices);
  indexes.set(entities, { notices, index });
  return index;
}

/** What the time filter needs beyond the index, made on the first filter and kept with it. */
interface FilterLinks {
  /** Live records by id. */
  readonly live: ReadonlyMap<string, number>;
  /** Live relationships without a dated item (undated links), as record indices. */
  readonly undated: readonly number[];
  /** The undated links by each of their ends (the participants of events and trips). */
  readonly undatedByEnd: ReadonlyMap<string, readonly number[]>;
}

const filterLinks = new WeakMap<TimelineIndex, FilterLinks>();

/** A record's references, read through the FtM model once per record object (see spanCache). */
const refsCache = new WeakMap<EntityRecord, readonly string[]>();

function refsOf(entity: EntityRecord): readonly string[] {
  let refs = refsCache.get(entity);
  if (!refs) {
    refs = entityRefs(entity);
    refsCache.set(entity, refs);
  }
  return refs;
}

function filterLinksOf(index: TimelineIndex): FilterLinks {
  let links = filterLinks.get(index);
  if (links) return links;
  const live = new Map<string, number>();
  const undated: number[] = [];
  const undatedByEnd = new Map<string, number[]>();
  index.entities.forEach((entity, r) => {
    if (entity.deleted) return;
    live.set(entity.id, r);
    const { spans, isEdge } = spansOf(entity);
    if (!isEdge || spans.length > 0) return;
    undated.push(r);
    // extractTimeItems counts a link as a participant when it has no interval at all (an edge
    // that is no Interval has no items even with a date, yet is not a participant then).
    if (intervalOf(entity)) return;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (!ends) return;
    for (const end of [ends.source, ends.target]) {
      const list = undatedByEnd.get(end);
      if (list) list.push(r);
      else undatedByEnd.set(end, [r]);
    }
  });
  links = { live, undated, undatedByEnd };
  filterLinks.set(index, links);
  return links;
}

/**
 * What a chart filtered to [from, to] shows: the same ids as shared/time's visibleInRange over
 * every item of the case, found through the index (the items in range by their spans, then only
 * their records read), so a range over a million calls builds no item objects.
 */
export function visibleInRangeOf(index: TimelineIndex, from: number, to: number): Set<string> {
  const links = filterLinksOf(index);
  const visible = new Set<string>();
  const add = (id: string) => {
    if (links.live.has(id)) visible.add(id);
  };
  const hit = new Uint8Array(index.entities.length);
  let noticeHit = false;
  for (let k = 0; k < index.size; k++) {
    if (!(index.itemStart[k]! <= to && index.itemEnd[k]! >= from)) continue;
    const r = index.itemRecord[k]!;
    if (r < 0) noticeHit = true;
    else hit[r] = 1;
  }
  for (let r = 0; r < hit.length; r++) {
    if (!hit[r]) continue;
    const entity = index.entities[r]!;
    const { spans, isEdge } = spansOf(entity);
    for (const span of spans) {
      if (!(span.start <= to && span.end >= from)) continue;
      // A record with an item is live (deleted records have none).
      visible.add(entity.id);
      if (span.property !== undefined) continue;
      const activity = span.lane === 'event' || span.lane === 'trip';
      // A relationship or an event activates what it references; a document only itself.
      if (isEdge || activity) for (const id of refsOf(entity)) add(id);
      if (!activity) continue;
      for (const link of links.undatedByEnd.get(entity.id) ?? []) {
        const linked = index.entities[link]!;
        add(linked.id);
        const ends = edgeEnds(linked.schema, linked.properties)!;
        add(ends.source === entity.id ? ends.target : ends.source);
      }
    }
  }
  if (noticeHit) {
    // Notices are few: their items (with their subjects) are made whole.
    const subjects = index.notices.flatMap((notice) => {
      const r = notice.subjectId ? links.live.get(notice.subjectId) : undefined;
      return r === undefined ? [] : [index.entities[r]!];
    });
    for (const item of extractTimeItems(subjects, index.notices)) {
      if (item.lane === 'notice' && item.start <= to && item.end >= from) {
        for (const id of item.entityIds) add(id);
      }
    }
  }
  for (const r of links.undated) {
    const entity = index.entities[r]!;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (ends && visible.has(ends.source) && visible.has(ends.target)) visible.add(entity.id);
  }
  return visible;
}
