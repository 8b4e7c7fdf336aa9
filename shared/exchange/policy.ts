/**
 * The release policy: what of a case may go to one partner agency. Pure, versioned
 * (POLICY_VERSION travels in every bundle manifest) and DENY BY DEFAULT: an item goes only when
 * every rule below lets it; whatever no rule allows stays home, with the reasons listed per item.
 *
 * Whole case (a failure withholds everything):
 *   C1 the agreement is for this partner and in force today;
 *   C2 the agreement's highest classification is a rung of our ladder;
 *   C3 the case has crime areas and every one of them is covered by the agreement;
 *   C4 the case record itself passes the marking rules M1–M6.
 * Markings of an item (its effective markings; see markings.ts):
 *   M1 TLP:RED never leaves the agency;
 *   M2 the partner is listed in releasable-to. Our own material marked TLP:CLEAR at the lowest
 *      classification is public and needs no listing; TLP:AMBER+STRICT always needs the listing
 *      (it restricts material to the named organisation);
 *   M3 the classification is on our ladder and not above the agreement's highest;
 *   M4 third-agency material (originAgency neither us nor the partner) needs the partner listed in
 *      its own markings, with no exception for TLP:CLEAR;
 *   M5 "refer to originator" on third-agency material blocks onward release (consent first);
 *   M6 material the partner itself originated may always go back to it (returning it is not onward
 *      release), subject only to C1–C4.
 * Items:
 *   I1 the item has a data category (agreement.ts) and the agreement allows it;
 *   I2 a relationship goes only if both its ends go (and the properties that hold them);
 *   I3 notes and attachments about an entity, and notices about a subject, go only with it; a chart
 *      goes without the nodes of withheld entities;
 *   I4 a property with its own markings is judged by M1–M6 on the record's markings combined with
 *      its own; one that fails is stripped and the record goes without it; references to withheld
 *      entities are stripped too (the preview lists each stripped property);
 *   I5 markings are never changed on the way out, so never lowered.
 * `assertReleasable` is the second, independent check the Node service runs on the exact serialized
 * content right before sealing; it throws naming the first offending item.
 */
import { isEdgeSchema, edgeEnds, captionOf, model } from '../model/schema.ts';
import type { Markings } from '../model/markings.ts';
import { DEFAULT_CLASSIFICATIONS } from '../model/markings.ts';
import type {
  AnyRecord,
  AttachmentRecord,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
  RecordKind,
} from '../model/records.ts';
import type { SharingAgreement } from './agreement.ts';
import { categoryOf, isAgreementInForce, normaliseCrimeArea } from './agreement.ts';
import type { ClassificationLadder } from './markings.ts';
import {
  classificationRank,
  effectiveMarkings,
  isKnownClassification,
  loweringReasons,
  mostRestrictive,
} from './markings.ts';
import type { Operation } from './operations.ts';
import { canonicalJson, operationSchema, splitField } from './operations.ts';

export const POLICY_VERSION = 'tessera-release-policy/1';

/** A case and its items, as in the case file (attachments may carry their content along). */
export interface ReleaseInput<A extends AttachmentRecord = AttachmentRecord> {
  readonly case: CaseRecord;
  readonly entities: readonly EntityRecord[];
  readonly notes: readonly NoteRecord[];
  readonly attachments: readonly A[];
  readonly notices: readonly NoticeRecord[];
  readonly charts: readonly ChartRecord[];
}

export interface ReleaseOptions {
  /** ISO time the decision is taken at (agreement validity); default: now. */
  readonly now?: string;
  /** The agency's classification ladder, lowest first. */
  readonly classifications?: ClassificationLadder;
}

export interface WithheldItem {
  readonly id: string;
  readonly kind: RecordKind;
  readonly caption: string;
  readonly reasons: readonly string[];
}

export interface StrippedProperty {
  readonly id: string;
  readonly kind: RecordKind;
  readonly caption: string;
  /** Property name (entities) or `nodes` (charts). */
  readonly property: string;
  readonly reasons: readonly string[];
}

export interface ReleasedSet<A extends AttachmentRecord = AttachmentRecord> {
  /** Undefined when the case itself may not go (then nothing goes). */
  readonly case: CaseRecord | undefined;
  readonly entities: readonly EntityRecord[];
  readonly notes: readonly NoteRecord[];
  readonly attachments: readonly A[];
  readonly notices: readonly NoticeRecord[];
  readonly charts: readonly ChartRecord[];
}

export interface ReleaseDecision<A extends AttachmentRecord = AttachmentRecord> {
  readonly policyVersion: string;
  readonly partnerId: string;
  readonly released: ReleasedSet<A>;
  readonly withheld: readonly WithheldItem[];
  readonly stripped: readonly StrippedProperty[];
}

interface Context {
  readonly partnerId: string;
  readonly ownAgencyId: string;
  readonly agreement: SharingAgreement;
  readonly ladder: ClassificationLadder;
}

/** M1–M6 on one set of effective markings of material from `originAgency`. */
export function markingReasons(
  markings: Markings,
  originAgency: string,
  context: Context,
): string[] {
  const { partnerId, ownAgencyId, agreement, ladder } = context;
  if (originAgency === partnerId) return [];
  const reasons: string[] = [];
  if (markings.tlp === 'RED') reasons.push('TLP:RED never leaves the agency');
  const listed = markings.releasableTo.includes(partnerId);
  if (originAgency !== ownAgencyId) {
    if (markings.referToOriginator) {
      reasons.push(`refer to originator: onward release needs ${originAgency}'s consent`);
    }
    if (!listed) {
      reasons.push(
        `third-agency material from ${originAgency} is not marked releasable to ${partnerId}`,
      );
    }
  } else if (!listed) {
    const isPublic =
      markings.tlp === 'CLEAR' && classificationRank(markings.classification, ladder) === 0;
    if (markings.tlp === 'AMBER+STRICT') {
      reasons.push(`TLP:AMBER+STRICT and ${partnerId} is not named in releasable-to`);
    } else if (!isPublic) {
      reasons.push(`not marked releasable to ${partnerId}`);
    }
  }
  if (!isKnownClassification(markings.classification, ladder)) {
    reasons.push(`classification ${markings.classification} is not on the ladder`);
  } else if (
    classificationRank(markings.classification, ladder) >
    classificationRank(agreement.highestClassification, ladder)
  ) {
    reasons.push(
      `classification ${markings.classification} is above the agreement's ${agreement.highestClassification}`,
    );
  }
  return reasons;
}

function caseReasons(
  record: CaseRecord,
  partnerId: string,
  context: Context,
  now: string,
): string[] {
  const { agreement, ladder } = context;
  const reasons: string[] = [];
  if (agreement.partnerAgencyId !== partnerId) {
    reasons.push(`the agreement is with ${agreement.partnerAgencyId}, not ${partnerId}`);
  }
  if (partnerId === context.ownAgencyId) reasons.push('the partner is this agency itself');
  if (!isAgreementInForce(agreement, now)) {
    reasons.push(
      `the agreement with ${agreement.partnerAgencyId} is not in force on ${now.slice(0, 10)}`,
    );
  }
  if (!isKnownClassification(agreement.highestClassification, ladder)) {
    reasons.push(
      `the agreement's highest classification ${agreement.highestClassification} is not on the ladder`,
    );
  }
  const covered = new Set(agreement.crimeAreas.map(normaliseCrimeArea));
  if (record.crimeAreas.length === 0) reasons.push('the case has no crime area');
  const outside = record.crimeAreas.filter((area) => !covered.has(normaliseCrimeArea(area)));
  if (outside.length > 0) {
    reasons.push(`crime area not covered by the agreement: ${outside.join(', ')}`);
  }
  const own = markingReasons(record.markings, record.originAgency, context);
  reasons.push(...own.map((reason) => `case: ${reason}`));
  return reasons;
}

/** A label for people: type and caption of an entity, the title or name of anything else. */
export function captionOfRecord(record: AnyRecord): string {
  switch (record.kind) {
    case 'entity':
      return `${model.schemata[record.schema]?.label ?? record.schema} “${captionOf(record.schema, record.properties)}”`;
    case 'case':
      return `case “${record.title}”`;
    case 'note':
      return `note “${record.title}”`;
    case 'attachment':
      return `attachment “${record.fileName}”`;
    case 'notice':
      return `notice ${record.reference}`;
    case 'chart':
      return `chart “${record.name}”`;
  }
}

const referenceCache = new Map<string, boolean>();

/** Whether an FtM property holds entity ids (cached: FtM recomputes inherited properties). */
function isEntityReference(schemaName: string, property: string): boolean {
  const key = `${schemaName}\u0000${property}`;
  let known = referenceCache.get(key);
  if (known === undefined) {
    const schema = model.schemata[schemaName];
    known =
      schema?.hasProperty(property) === true && schema.getProperty(property).type.name === 'entity';
    referenceCache.set(key, known);
  }
  return known;
}

function categoryReasons(record: AnyRecord, agreement: SharingAgreement): string[] {
  const category = categoryOf(record);
  if (category === undefined) {
    return [`${record.kind === 'entity' ? record.schema : record.kind} has no data category`];
  }
  return agreement.categories.includes(category)
    ? []
    : [`data category “${category}” is not in the agreement`];
}

/** Decides what of `input` goes to `partnerId` under `agreement`. Pure. */
export function decideRelease<A extends AttachmentRecord>(
  input: ReleaseInput<A>,
  agreement: SharingAgreement,
  partnerId: string,
  ownAgencyId: string,
  options: ReleaseOptions = {},
): ReleaseDecision<A> {
  const context: Context = {
    partnerId,
    ownAgencyId,
    agreement,
    ladder: options.classifications ?? DEFAULT_CLASSIFICATIONS,
  };
  const now = options.now ?? new Date().toISOString();
  const withheld: WithheldItem[] = [];
  const stripped: StrippedProperty[] = [];
  const caseId = input.case.id;
  const global = caseReasons(input.case, partnerId, context, now);
  const withhold = (record: AnyRecord, reasons: readonly string[]): void => {
    withheld.push({ id: record.id, kind: record.kind, caption: captionOfRecord(record), reasons });
  };

  const all: AnyRecord[] = [
    ...input.entities,
    ...input.notes,
    ...input.attachments,
    ...input.notices,
    ...input.charts,
  ];
  if (global.length > 0) {
    withhold(input.case, global);
    for (const record of all) withhold(record, global);
    return {
      policyVersion: POLICY_VERSION,
      partnerId,
      released: {
        case: undefined,
        entities: [],
        notes: [],
        attachments: [],
        notices: [],
        charts: [],
      },
      withheld,
      stripped,
    };
  }

  const ownReasons = (record: AnyRecord): string[] => {
    const reasons: string[] = [];
    if (record.kind !== 'case' && record.caseId !== caseId) reasons.push('belongs to another case');
    if (record.originAgency !== partnerId) reasons.push(...categoryReasons(record, agreement));
    reasons.push(...markingReasons(record.markings, record.originAgency, context));
    return reasons;
  };

  // Entities: their own rules first, then relationships whose ends did not make it, until stable.
  const entityById = new Map(input.entities.map((entity) => [entity.id, entity]));
  const reasonsById = new Map<string, string[]>();
  const strippedProps = new Map<string, Map<string, string[]>>();
  for (const entity of input.entities) {
    reasonsById.set(entity.id, ownReasons(entity));
    if (entity.originAgency === partnerId) continue;
    for (const [property, own] of Object.entries(entity.propertyMarkings ?? {})) {
      if (own === undefined || !(property in entity.properties)) continue;
      const markings = effectiveMarkings(entity, property, context.ladder);
      const reasons = markingReasons(markings, entity.originAgency, context);
      if (reasons.length === 0) continue;
      const map = strippedProps.get(entity.id) ?? new Map<string, string[]>();
      map.set(property, reasons);
      strippedProps.set(entity.id, map);
    }
  }
  const goes = (id: string): boolean => reasonsById.get(id)?.length === 0;
  for (let changed = true; changed;) {
    changed = false;
    for (const entity of input.entities) {
      const reasons = reasonsById.get(entity.id)!;
      if (reasons.length > 0 || !isEdgeSchema(entity.schema)) continue;
      const edge = model.schemata[entity.schema]!.edge!;
      const ends = edgeEnds(entity.schema, entity.properties);
      if (!ends) reasons.push('the relationship lacks an end');
      else {
        for (const [end, property] of [
          [ends.source, edge.source],
          [ends.target, edge.target],
        ] as const) {
          const target = entityById.get(end);
          if (!target) reasons.push(`its end ${end} is not in the case`);
          else if (!goes(end)) reasons.push(`its end ${captionOfRecord(target)} is withheld`);
          else if (strippedProps.get(entity.id)?.has(property)) {
            reasons.push(`its end property ${property} is withheld`);
          }
        }
      }
      if (reasons.length > 0) changed = true;
    }
  }

  const entities: EntityRecord[] = [];
  for (const entity of input.entities) {
    const reasons = reasonsById.get(entity.id)!;
    if (reasons.length > 0) {
      withhold(entity, reasons);
      continue;
    }
    const drop = new Map(strippedProps.get(entity.id) ?? []);
    const properties: Record<string, readonly string[]> = {};
    for (const [property, values] of Object.entries(entity.properties)) {
      if (drop.has(property)) continue;
      if (!isEntityReference(entity.schema, property)) {
        properties[property] = values;
        continue;
      }
      const kept = values.filter((value) => goes(value));
      if (kept.length < values.length) {
        const gone = values.filter((value) => !goes(value));
        drop.set(property, [
          `refers to withheld or unknown ${gone.length === 1 ? 'entity' : 'entities'} ${gone.join(', ')}`,
        ]);
      }
      if (kept.length > 0) properties[property] = kept;
    }
    if (drop.size === 0) {
      entities.push(entity);
      continue;
    }
    for (const [property, reasons] of drop) {
      stripped.push({
        id: entity.id,
        kind: 'entity',
        caption: captionOfRecord(entity),
        property,
        reasons,
      });
    }
    const propertyMarkings = Object.fromEntries(
      Object.entries(entity.propertyMarkings ?? {}).filter(([property]) => property in properties),
    );
    const { propertyMarkings: _dropped, ...rest } = entity;
    entities.push({
      ...rest,
      properties,
      ...(Object.keys(propertyMarkings).length > 0 ? { propertyMarkings } : {}),
    });
  }

  const about = (record: AnyRecord, entityId: string | undefined, what: string): string[] => {
    const reasons = ownReasons(record);
    if (entityId !== undefined && !goes(entityId)) {
      const target = entityById.get(entityId);
      reasons.push(
        target
          ? `its ${what} ${captionOfRecord(target)} is withheld`
          : `its ${what} ${entityId} is not in the case`,
      );
    }
    return reasons;
  };
  const filterItems = <T extends NoteRecord | A | NoticeRecord>(
    items: readonly T[],
    reference: (item: T) => string | undefined,
    what: string,
  ): T[] =>
    items.filter((item) => {
      const reasons = about(item, reference(item), what);
      if (reasons.length > 0) withhold(item, reasons);
      return reasons.length === 0;
    });
  const notes = filterItems(input.notes, (note) => note.entityId, 'entity');
  const attachments = filterItems(input.attachments, (file) => file.entityId, 'entity');
  const notices = filterItems(input.notices, (notice) => notice.subjectId, 'subject');

  const charts: ChartRecord[] = [];
  for (const chart of input.charts) {
    const reasons = ownReasons(chart);
    if (reasons.length > 0) {
      withhold(chart, reasons);
      continue;
    }
    const nodes = Object.fromEntries(Object.entries(chart.nodes).filter(([id]) => goes(id)));
    const removed = Object.keys(chart.nodes).length - Object.keys(nodes).length;
    if (removed === 0) charts.push(chart);
    else {
      stripped.push({
        id: chart.id,
        kind: 'chart',
        caption: captionOfRecord(chart),
        property: 'nodes',
        reasons: [
          `${removed} withheld ${removed === 1 ? 'entity' : 'entities'} left out of the chart`,
        ],
      });
      charts.push({ ...chart, nodes });
    }
  }

  return {
    policyVersion: POLICY_VERSION,
    partnerId,
    released: { case: input.case, entities, notes, attachments, notices, charts },
    withheld,
    stripped,
  };
}

// ---------------------------------------------------------------------------------------------
// The second check

export class ReleaseViolationError extends Error {
  constructor(
    readonly itemId: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReleaseViolationError';
  }
}

export interface ReleaseCheck<A extends AttachmentRecord = AttachmentRecord> {
  /** The local case the content was produced from. */
  readonly input: ReleaseInput<A>;
  readonly agreement: SharingAgreement;
  readonly partnerId: string;
  readonly ownAgencyId: string;
  readonly options?: ReleaseOptions;
}

type Json = Readonly<Record<string, unknown>>;

function asRecords(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as Json[]) : [];
}

/**
 * Re-checks serialized content (a case file, an operations document or a bare operations array)
 * against the policy right before sealing: every record and operation in it must concern an item
 * the policy releases, carry no withheld property, entity reference or chart node, pass the marking
 * rules on its own markings, and never lower the local markings. Throws ReleaseViolationError
 * naming the first offending item.
 */
export function assertReleasable<A extends AttachmentRecord>(
  serialized: string,
  check: ReleaseCheck<A>,
): void {
  const { input, agreement, partnerId, ownAgencyId } = check;
  const ladder = check.options?.classifications ?? DEFAULT_CLASSIFICATIONS;
  const context: Context = { partnerId, ownAgencyId, agreement, ladder };
  const decision = decideRelease(input, agreement, partnerId, ownAgencyId, check.options);
  const local = new Map<string, AnyRecord>();
  for (const record of [
    input.case,
    ...input.entities,
    ...input.notes,
    ...input.attachments,
    ...input.notices,
    ...input.charts,
  ]) {
    local.set(record.id, record);
  }
  const released = new Map<string, AnyRecord>();
  const { released: set } = decision;
  if (set.case) released.set(set.case.id, set.case);
  for (const record of [
    ...set.entities,
    ...set.notes,
    ...set.attachments,
    ...set.notices,
    ...set.charts,
  ]) {
    released.set(record.id, record);
  }
  const withheldReasons = new Map(decision.withheld.map((item) => [item.id, item.reasons]));

  const fail = (id: string, message: string): never => {
    const record = local.get(id);
    const label = record ? `${captionOfRecord(record)} (${id})` : `record ${id}`;
    throw new ReleaseViolationError(id, `${label} may not go to ${partnerId}: ${message}`);
  };
  const releasedRecord = (id: unknown): AnyRecord => {
    if (typeof id !== 'string') return fail(String(id), 'it has no valid id');
    const record = released.get(id);
    if (!record) {
      return fail(id, withheldReasons.get(id)?.join('; ') ?? 'it is not part of the released case');
    }
    return record;
  };
  const ownMarkings = (record: AnyRecord, markings: unknown, property?: string): void => {
    const localRecord = local.get(record.id)!;
    const after = markings as Markings | undefined;
    if (!after || typeof after !== 'object' || !Array.isArray(after.releasableTo)) {
      fail(record.id, 'its markings are missing');
      return;
    }
    // A property's own markings are compared with its own local ones, and judged combined with
    // the record's, as the policy does.
    const before =
      property === undefined
        ? localRecord.markings
        : localRecord.kind === 'entity'
          ? localRecord.propertyMarkings?.[property]
          : undefined;
    if (!before)
      return fail(record.id, `markings of ${property ?? 'the record'} are not known here`);
    const lowered = loweringReasons(before, after, ladder);
    if (lowered.length > 0) fail(record.id, `markings lowered: ${lowered.join('; ')}`);
    const effective =
      property === undefined ? after : mostRestrictive(localRecord.markings, after, ladder);
    const reasons = markingReasons(effective, localRecord.originAgency, context);
    if (reasons.length > 0) fail(record.id, reasons.join('; '));
  };
  const subset = (allowed: unknown, given: unknown): boolean => {
    if (!Array.isArray(given)) return canonicalJson(allowed) === canonicalJson(given);
    if (!Array.isArray(allowed)) return false;
    const ok = new Set(allowed.map(canonicalJson));
    return given.every((value) => ok.has(canonicalJson(value)));
  };
  const checkField = (record: AnyRecord, field: string, value: unknown): void => {
    const { top, key } = splitField(field);
    const allowed = record as unknown as Json;
    if (value === null || value === undefined) return;
    if (top === 'markings') ownMarkings(record, value);
    else if (key !== undefined) {
      const map = allowed[top] as Json | undefined;
      if (!map || !Object.hasOwn(map, key)) fail(record.id, `${field} is withheld`);
      else if (top === 'propertyMarkings') ownMarkings(record, value, key);
      else if (!subset(map[key], value)) fail(record.id, `${field} holds withheld values`);
    } else if (top === 'entityId' || top === 'subjectId') {
      if (canonicalJson(allowed[top]) !== canonicalJson(value))
        fail(record.id, `${top} is withheld`);
    } else if (top === 'properties' || top === 'nodes' || top === 'propertyMarkings') {
      for (const [name, entry] of Object.entries(value as Json))
        checkField(record, `${top}.${name}`, entry);
    }
  };
  const checkRecord = (value: Json): void => {
    const record = releasedRecord(value.id);
    if (value.kind !== record.kind)
      fail(record.id, `it is a ${record.kind}, not a ${String(value.kind)}`);
    ownMarkings(record, value.markings);
    for (const [field, entry] of Object.entries(value)) {
      if (field === 'markings' || field === 'id' || field === 'kind') continue;
      checkField(record, field, entry);
    }
  };
  const checkOperation = (value: unknown): void => {
    const parsed = operationSchema.safeParse(value);
    if (!parsed.success)
      throw new ReleaseViolationError('', 'the content holds an invalid operation');
    const op = parsed.data as Operation;
    if (op.op === 'create') {
      checkRecord(op.record as unknown as Json);
      return;
    }
    const record = releasedRecord(op.recordId);
    if (op.op === 'set') checkField(record, op.field, op.value);
  };

  let json: unknown;
  try {
    json = JSON.parse(serialized);
  } catch {
    throw new ReleaseViolationError('', 'the content to seal is not valid JSON');
  }
  if (Array.isArray(json)) {
    json.forEach(checkOperation);
    return;
  }
  if (!json || typeof json !== 'object') {
    throw new ReleaseViolationError('', 'the content to seal is neither a case nor operations');
  }
  const doc = json as Json;
  if (Array.isArray(doc.operations)) {
    if (doc.caseId !== input.case.id)
      fail(String(doc.caseId), 'the operations are for another case');
    doc.operations.forEach(checkOperation);
    return;
  }
  if (!doc.case || typeof doc.case !== 'object') {
    throw new ReleaseViolationError('', 'the content to seal is neither a case nor operations');
  }
  checkRecord(doc.case as Json);
  for (const list of ['entities', 'notes', 'attachments', 'notices', 'charts']) {
    asRecords(doc[list]).forEach(checkRecord);
  }
}
