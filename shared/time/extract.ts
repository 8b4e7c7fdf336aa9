/**
 * Dated items of a case for the timeline and the time filter. Every entity, relationship and
 * notice with a date becomes one or more items: a span in time, a lane (what kind of thing it is)
 * and the set of records that are "active" while it lasts. Rules:
 * - Intervals (FtM `Interval`: events, trips, calls, payments, ownership, directorship, employment,
 *   identification documents…) use date, or startDate…endDate; a missing end means ongoing, a
 *   missing start means "since before anything we know".
 * - Calls last `duration` seconds from their timestamp.
 * - People: birthDate and deathDate are point items. Other date properties of things (stolenDate,
 *   incorporationDate…) are point items in the "other" lane; bookkeeping dates (createdAt…) are not.
 * - Notices run from issuedOn to expiresOn (or are a point at issuedOn) and activate their subject.
 * - A relationship activates itself and every entity it references (its ends, payment accounts).
 *   A document (passport, identification) activates only itself while valid.
 *   An event or trip activates itself, the entities it references, and the undated relationships
 *   that tie entities to it (participants recorded as links) with their other ends.
 */
import type { EntityRecord, NoticeRecord } from '../model/index.ts';
import { captionOf, edgeEnds, isEdgeSchema, model } from '../model/index.ts';
import type { DatePrecision, TimeSpan } from './dates.ts';
import { overlaps, parseDate } from './dates.ts';

export type TimeLane =
  'event' | 'trip' | 'call' | 'payment' | 'relationship' | 'life' | 'notice' | 'other';

/** Lanes in display order, with their labels. */
export const TIME_LANES: readonly { readonly id: TimeLane; readonly label: string }[] = [
  { id: 'event', label: 'Events' },
  { id: 'trip', label: 'Trips' },
  { id: 'call', label: 'Calls' },
  { id: 'payment', label: 'Payments' },
  { id: 'relationship', label: 'Relationships' },
  { id: 'notice', label: 'Notices' },
  { id: 'life', label: 'Births and deaths' },
  { id: 'other', label: 'Other dates' },
];

export interface TimeItem extends TimeSpan {
  /** Unique among the items of a case. */
  readonly key: string;
  /** The entity, relationship or notice the item comes from. */
  readonly recordId: string;
  /** The entity or relationship to select when the item is clicked. */
  readonly selectId?: string;
  readonly lane: TimeLane;
  /** FtM schema name, or 'Notice'. */
  readonly schema: string;
  readonly label: string;
  /** Extra facts for a tooltip: amount, duration, role. */
  readonly detail?: string;
  /** Precision of the start date, so labels do not claim more than is known. */
  readonly precision: DatePrecision;
  /** Entities and relationships active while the item lasts. */
  readonly entityIds: readonly string[];
}

const BOOKKEEPING_DATES = new Set(['createdAt', 'modifiedAt', 'retrievedAt', 'processedAt']);
const INTERVAL_PROPS = new Set(['date', 'startDate', 'endDate']);

function laneOf(schemaName: string): TimeLane {
  const schema = model.schemata[schemaName];
  if (!schema) return 'other';
  if (schema.isA('Call')) return 'call';
  if (schema.isA('Payment')) return 'payment';
  if (schema.isA('Trip')) return 'trip';
  if (schema.isA('Event')) return 'event';
  if (schema.isEdge) return 'relationship';
  return 'other';
}

function firstParsed(values: readonly string[] | undefined) {
  for (const value of values ?? []) {
    const parsed = parseDate(value);
    if (parsed) return parsed;
  }
  return undefined;
}

/** Per schema and property name: whether it is entity-typed (the model's lookups are slow). */
const entityTyped = new Map<string, Map<string, boolean>>();

/** The ids an entity references through its entity-typed properties (ends, accounts, holders). */
export function entityRefs(entity: EntityRecord): string[] {
  const schema = model.schemata[entity.schema];
  if (!schema) return [];
  let typed = entityTyped.get(entity.schema);
  if (!typed) entityTyped.set(entity.schema, (typed = new Map<string, boolean>()));
  const refs: string[] = [];
  for (const [name, values] of Object.entries(entity.properties)) {
    let isEntity = typed.get(name);
    if (isEntity === undefined) {
      isEntity = schema.hasProperty(name) && schema.getProperty(name).type.name === 'entity';
      typed.set(name, isEntity);
    }
    if (isEntity) refs.push(...values);
  }
  return refs;
}

function dateType(schemaName: string, property: string): boolean {
  const schema = model.schemata[schemaName];
  return (
    schema !== undefined &&
    schema.hasProperty(property) &&
    schema.getProperty(property).type.name === 'date'
  );
}

function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return minutes > 0 ? `${minutes} min ${rest} s` : `${rest} s`;
}

function intervalDetail(entity: EntityRecord, lane: TimeLane): string | undefined {
  const p = entity.properties;
  if (lane === 'payment' && p.amount?.[0]) {
    return `${p.amount[0]} ${p.currency?.[0] ?? ''}`.trim();
  }
  if (lane === 'call' && p.duration?.[0] && Number.isFinite(Number(p.duration[0]))) {
    return formatDuration(Number(p.duration[0]));
  }
  return p.role?.[0] ?? p.relationship?.[0] ?? p.purpose?.[0];
}

/** The interval an Interval-type record covers, or undefined when it has no usable date. */
export function intervalOf(
  entity: EntityRecord,
): (TimeSpan & { precision: DatePrecision }) | undefined {
  const p = entity.properties;
  const date = firstParsed(p.date);
  const startDate = firstParsed(p.startDate);
  const endDate = firstParsed(p.endDate);
  const begin = startDate ?? date;
  if (!begin && !endDate) return undefined;
  let end: number;
  if (endDate) end = endDate.end;
  else if (startDate && !date) end = Number.POSITIVE_INFINITY;
  else end = begin!.end;
  let start = begin ? begin.start : Number.NEGATIVE_INFINITY;
  if (laneOf(entity.schema) === 'call' && begin && !endDate) {
    // A call has ended: it lasts its duration from its start (call records give startDate, not
    // date, and 0 s for a missed call), or the precision of its start when no duration is known;
    // it is never "ongoing", which made every imported call last forever.
    const seconds = Number(p.duration?.[0]);
    const lasted = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
    end = Math.max(begin.end, begin.start + lasted);
  }
  if (end < start) [start, end] = [end, start];
  return { start, end, precision: (begin ?? endDate)!.precision };
}

/**
 * One dated span of a record, before it becomes an item: the part that depends on the record
 * alone (an item's label and active set also read other records). `property` names the point
 * date it comes from; undefined for the record's interval.
 */
export interface RecordSpan extends TimeSpan {
  readonly lane: TimeLane;
  readonly precision: DatePrecision;
  readonly property?: string;
}

/**
 * The dated spans of one entity or relationship, in the order extractTimeItems makes its items
 * (the interval first, then point dates in property order). The timeline caches them per record.
 */
export function timeSpansOf(entity: EntityRecord): RecordSpan[] {
  const schema = model.schemata[entity.schema];
  if (!schema) return [];
  const lane = laneOf(entity.schema);
  const interval = schema.isA('Interval') ? intervalOf(entity) : undefined;
  const spans: RecordSpan[] = interval ? [{ lane, ...interval }] : [];
  if (isEdgeSchema(entity.schema)) return spans;
  // Point dates of things: birth, death, theft, incorporation, collection…
  for (const [property, values] of Object.entries(entity.properties)) {
    if (BOOKKEEPING_DATES.has(property)) continue;
    if (interval && INTERVAL_PROPS.has(property)) continue;
    if (!dateType(entity.schema, property)) continue;
    const parsed = firstParsed(values);
    if (!parsed) continue;
    const isLife = property === 'birthDate' || property === 'deathDate';
    spans.push({
      lane: isLife && schema.isA('Person') ? 'life' : 'other',
      start: parsed.start,
      end: parsed.end,
      precision: parsed.precision,
      property,
    });
  }
  return spans;
}

/** The timeline items of a case's entities, relationships and notices. Deleted records are skipped. */
export function extractTimeItems(
  entities: readonly EntityRecord[],
  notices: readonly NoticeRecord[] = [],
): TimeItem[] {
  const live = entities.filter((entity) => !entity.deleted);
  const byId = new Map(live.map((entity) => [entity.id, entity]));
  const label = (entity: EntityRecord): string => {
    if (isEdgeSchema(entity.schema)) {
      const ends = edgeEnds(entity.schema, entity.properties);
      const schemaLabel = model.schemata[entity.schema]?.label ?? entity.schema;
      if (ends) {
        const source = byId.get(ends.source);
        const target = byId.get(ends.target);
        const name = (e: EntityRecord | undefined) => (e ? captionOf(e.schema, e.properties) : '?');
        return `${schemaLabel}: ${name(source)} → ${name(target)}`;
      }
      return schemaLabel;
    }
    return captionOf(entity.schema, entity.properties);
  };

  // Undated relationships hanging off each entity, for the participants of events and trips.
  const undatedLinks = new Map<string, EntityRecord[]>();
  for (const entity of live) {
    if (!isEdgeSchema(entity.schema) || intervalOf(entity)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (!ends) continue;
    for (const end of [ends.source, ends.target]) {
      const list = undatedLinks.get(end) ?? [];
      list.push(entity);
      undatedLinks.set(end, list);
    }
  }

  const items: TimeItem[] = [];
  for (const entity of live) {
    for (const span of timeSpansOf(entity)) {
      const base = {
        key: `${entity.id}:${span.property ?? 'interval'}`,
        recordId: entity.id,
        selectId: entity.id,
        lane: span.lane,
        schema: entity.schema,
        start: span.start,
        end: span.end,
        precision: span.precision,
      };
      if (span.property === undefined) {
        // A document's validity does not make its holder active; a relationship or event does.
        const involves =
          isEdgeSchema(entity.schema) || span.lane === 'event' || span.lane === 'trip';
        const active = new Set<string>([entity.id, ...(involves ? entityRefs(entity) : [])]);
        if (span.lane === 'event' || span.lane === 'trip') {
          for (const link of undatedLinks.get(entity.id) ?? []) {
            active.add(link.id);
            const ends = edgeEnds(link.schema, link.properties)!;
            active.add(ends.source === entity.id ? ends.target : ends.source);
          }
        }
        const detail = intervalDetail(entity, span.lane);
        items.push({
          ...base,
          label: label(entity),
          ...(detail ? { detail } : {}),
          entityIds: [...active].filter((id) => byId.has(id)),
        });
      } else {
        const propertyLabel = model.schemata[entity.schema]!.getProperty(span.property).label;
        items.push({
          ...base,
          label: `${label(entity)} — ${propertyLabel.toLowerCase()}`,
          entityIds: [entity.id],
        });
      }
    }
  }

  for (const notice of notices) {
    if (notice.deleted) continue;
    const issued = notice.issuedOn ? parseDate(notice.issuedOn) : undefined;
    const expires = notice.expiresOn ? parseDate(notice.expiresOn) : undefined;
    const begin = issued ?? expires;
    if (!begin) continue;
    const subject = notice.subjectId && byId.has(notice.subjectId) ? notice.subjectId : undefined;
    const subjectName = subject ? label(byId.get(subject)!) : undefined;
    items.push({
      key: `${notice.id}:notice`,
      recordId: notice.id,
      ...(subject ? { selectId: subject } : {}),
      lane: 'notice',
      schema: 'Notice',
      label: `${notice.noticeType} notice ${notice.reference}${subjectName ? ` — ${subjectName}` : ''}`,
      detail: notice.status,
      start: begin.start,
      end: issued && expires ? Math.max(expires.end, issued.end) : begin.end,
      precision: begin.precision,
      entityIds: subject ? [subject] : [],
    });
  }

  return items.sort((a, b) => a.start - b.start || a.key.localeCompare(b.key));
}

/**
 * Ids of the entities and relationships active at some moment of [from, to] (closed, UTC ms):
 * the records of the items that overlap the range and everything those items activate (a
 * relationship in range makes its ends visible).
 */
export function entitiesInRange(items: readonly TimeItem[], from: number, to: number): Set<string> {
  const ids = new Set<string>();
  for (const item of items) {
    if (!overlaps(item, from, to)) continue;
    for (const id of item.entityIds) ids.add(id);
  }
  return ids;
}

/**
 * What a chart filtered to [from, to] shows: entitiesInRange, plus undated relationships whose two
 * ends are both visible (a family tie does not vanish because it has no date). Dated relationships
 * outside the range stay hidden even when both ends are visible.
 */
export function visibleInRange(
  entities: readonly EntityRecord[],
  items: readonly TimeItem[],
  from: number,
  to: number,
): Set<string> {
  const visible = entitiesInRange(items, from, to);
  const dated = new Set(items.map((item) => item.recordId));
  for (const entity of entities) {
    if (entity.deleted || dated.has(entity.id) || !isEdgeSchema(entity.schema)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    if (ends && visible.has(ends.source) && visible.has(ends.target)) visible.add(entity.id);
  }
  return visible;
}

/** The finite extent of the items, or undefined when none has a finite date. */
export function timeExtent(items: readonly TimeItem[]): TimeSpan | undefined {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    for (const value of [item.start, item.end]) {
      if (!Number.isFinite(value)) continue;
      start = Math.min(start, value);
      end = Math.max(end, value);
    }
  }
  return start <= end ? { start, end } : undefined;
}
