/**
 * The release policy: what of a case may go to one partner agency. Pure, versioned
 * (POLICY_VERSION travels in every bundle manifest) and DENY BY DEFAULT: an item, and every field
 * of it, goes only when every rule below lets it; whatever no rule allows stays home, with the
 * rule and the reason listed per item and per field. docs/release-policy.md says the same for
 * officers, with the per-field table (fieldRules.ts).
 *
 * Whole case (a failure withholds everything):
 *   C1 the agreement is for this partner and in force today;
 *   C2 the agreement's highest classification is a rung of our ladder;
 *   C3 the case has crime areas and every one of them is covered by the agreement;
 *   C4 the case record itself passes the marking rules M1–M7 and is not deleted.
 * Markings of an item (its effective markings; see markings.ts):
 *   M1 TLP:RED never leaves the agency;
 *   M2 our own material needs the partner listed in releasable-to. Our own material marked
 *      TLP:CLEAR at the lowest classification is public and needs no listing; TLP:AMBER+STRICT
 *      always needs the listing (it restricts material to the named organisation);
 *   M3 the classification is on our ladder and not above the agreement's highest;
 *   M4 third-agency material (originAgency neither us nor the partner) needs the partner listed in
 *      its own markings, with no exception for TLP:CLEAR;
 *   M5 "refer to originator" on material we did not originate blocks its release (consent first);
 *   M6 material the partner itself originated needs no listing in releasable-to (returning it is
 *      not onward release); every other rule still applies to it. Origin never lowers a local
 *      marking: Tessera cannot tell a marking the partner sent from one added here, so TLP:RED, a
 *      classification above the agreement, refer-to-originator and handling codes keep the
 *      partner's own material home as they keep ours;
 *   M7 handling codes (shared/model/markings.ts HANDLING_CODES) are read as codes: an unknown code
 *      keeps the item home; ORCON and H5 need the originator's consent (our own material: the
 *      partner listed); H3 and PROPIN need the partner listed; NOFORN never goes to a partner whose
 *      agreement is not marked domestic; H4 never leaves.
 * Items:
 *   I1 the item has a data category (agreement.ts) and the agreement allows it;
 *   I2 a relationship goes only if both its ends go (and the properties that hold them);
 *   I3 notes and attachments about an entity, and notices about a subject, go only with it; a chart
 *      goes without the nodes of withheld entities;
 *   I4 a property with its own markings is judged by M1–M7 on the record's markings combined with
 *      its own; one that fails is stripped and the record goes without it; references to withheld
 *      entities are stripped too;
 *   I5 markings are never changed on the way out, so never lowered;
 *   I6 an entity that is not a person or organisation (a passport, an account, a phone, a vehicle,
 *      an address, an event…) and is linked to a withheld person or organisation, by a property
 *      either way or by a relationship, identifies it and stays with it; so does one whose own
 *      property points at any other withheld entity;
 *   I7 a deleted record's content never goes: the decision lists it apart (`deleted`), and only a
 *      bare deletion (its id and clock) may travel, to a partner that had received the record.
 * Fields (fieldRules.ts names the rule of every field of every record kind):
 *   F1 a field the table does not name never goes (the record stays);
 *   F2 free text (descriptions, note titles and bodies, notice summaries, FtM text properties such
 *      as notes and summary, and the provenance source) goes only when the record (or property) is
 *      marked releasable to the partner by name, even on the partner's own material (free text is
 *      where we add what we learnt); TLP:CLEAR is not enough, because nobody can check free text
 *      against the markings automatically. Otherwise it
 *      is left out, or the record stays when the text is required;
 *   F3 name parts go with the name: when one name-like property (name, alias, firstName, lastName…)
 *      is stripped, all are;
 *   F4 an attachment's file name, media type, size, hash and description go only with it;
 *   F5 nothing that goes mentions what stays: a value that contains the id of a withheld or deleted
 *      record, or a distinctive value (6 characters or more, or an identifier-like part of 8) of
 *      one or of a stripped field, is stripped, or its record stays when the value is required
 *      (releaseNeedles.ts, mentions.ts).
 * `assertReleasable` (releaseCheck.ts) is the second check the Node service runs on the exact
 * serialized content right before sealing. It re-runs this decision on the local case (it shares
 * the rules, so it is not independent of them) and then checks the bytes on their own: every
 * record and operation must concern a released item and carry exactly its released fields, every
 * marking is judged again, deletions carry nothing but an id and a clock, and every string is
 * scanned again for withheld ids and values. It throws naming the first offending item.
 */
import { isEdgeSchema, edgeEnds, model } from '../model/schema.ts';
import type { Markings } from '../model/markings.ts';
import { DEFAULT_CLASSIFICATIONS, HANDLING_CODES, parseHandlingCodes } from '../model/markings.ts';
import type { ItemLists } from '../model/recordKinds.ts';
import {
  aboutOf,
  captionOfRecord,
  emptyItemLists,
  groupItems,
  itemsOf,
} from '../model/recordKinds.ts';
import type {
  AnyRecord,
  AttachmentRecord,
  CaseItem,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  RecordKind,
} from '../model/records.ts';
import type { SharingAgreement } from './agreement.ts';
import { categoryOf, isAgreementInForce, normaliseCrimeArea } from './agreement.ts';
import { fieldClass, isLegalEntitySchema, OPTIONAL_FIELDS, propertyClass } from './fieldRules.ts';
import type { ClassificationLadder } from './markings.ts';
import { classificationRank, effectiveMarkings, isKnownClassification } from './markings.ts';
import { stringsOf } from './mentions.ts';
import { splitField } from './operations.ts';
import { isScanned, needlesOf } from './releaseNeedles.ts';

// The second check lives in its own module; it is part of the policy's interface, so it is
// exported from here too.
export { assertReleasable, ReleaseViolationError } from './releaseCheck.ts';
export type { ReleaseCheck, ReleaseViolationCode } from './releaseCheck.ts';

export const POLICY_VERSION = 'tessera-release-policy/2';

/** The rules of the opening comment, by code, as a short title for people. */
export const RELEASE_RULES = {
  C1: 'agreement with this partner, in force',
  C2: 'agreement ceiling on the ladder',
  C3: 'crime areas covered',
  C4: 'the case itself may go',
  M1: 'TLP:RED never leaves',
  M2: 'releasable to the partner',
  M3: 'classification within the agreement',
  M4: 'third-agency material',
  M5: 'refer to originator',
  M6: 'the partner’s own material',
  M7: 'handling codes',
  I1: 'data category in the agreement',
  I2: 'relationships need both ends',
  I3: 'goes only with what it is about',
  I4: 'property markings and references',
  I5: 'markings never lowered',
  I6: 'identifying details follow the person',
  I7: 'deleted records',
  F1: 'every field has a rule',
  F2: 'free text needs an explicit release',
  F3: 'name parts go together',
  F4: 'attachment details follow the attachment',
  F5: 'no mention of what stays',
} as const;
export type RuleCode = keyof typeof RELEASE_RULES;

/** One reason an item or field stays: the rule and the sentence for people. */
export interface Reason {
  readonly rule: RuleCode;
  readonly text: string;
}

/**
 * A case and its items, as in the case file: one list per item kind of the registry
 * (model/recordKinds.ts). Attachments may carry their content along.
 */
export type ReleaseInput<A extends AttachmentRecord = AttachmentRecord> = {
  readonly case: CaseRecord;
} & ItemLists<A>;

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
  /** The rule code of each reason, same order and length as `reasons`. */
  readonly rules: readonly RuleCode[];
}

export interface StrippedProperty {
  readonly id: string;
  readonly kind: RecordKind;
  readonly caption: string;
  /** FtM property name (entities), else the field path (`description`, `provenance.source`, `nodes`). */
  readonly property: string;
  /** The field path as in sync operations: `properties.birthDate`, `description`, `nodes`… */
  readonly field: string;
  readonly reasons: readonly string[];
  /** The rule code of each reason, same order and length as `reasons`. */
  readonly rules: readonly RuleCode[];
}

export interface DeletedItem {
  readonly id: string;
  readonly kind: RecordKind;
}

export type ReleasedSet<A extends AttachmentRecord = AttachmentRecord> = {
  /** Undefined when the case itself may not go (then nothing goes). */
  readonly case: CaseRecord | undefined;
} & ItemLists<A>;

export interface ReleaseDecision<A extends AttachmentRecord = AttachmentRecord> {
  readonly policyVersion: string;
  readonly partnerId: string;
  readonly released: ReleasedSet<A>;
  readonly withheld: readonly WithheldItem[];
  readonly stripped: readonly StrippedProperty[];
  /**
   * Deleted records (I7): never in `released`, never in `withheld`. The sync layer may send each a
   * bare tombstone (id and clock), and only to a partner that had received the record.
   */
  readonly deleted: readonly DeletedItem[];
}

/** Who releases to whom under which agreement, for the marking rules. */
export interface ReleaseContext {
  readonly partnerId: string;
  readonly ownAgencyId: string;
  readonly agreement: SharingAgreement;
  readonly ladder: ClassificationLadder;
}

const reason = (rule: RuleCode, text: string): Reason => ({ rule, text });

/** M1–M7 on one set of effective markings of material from `originAgency`. */
export function markingReasons(
  markings: Markings,
  originAgency: string,
  context: ReleaseContext,
): Reason[] {
  const { partnerId, ownAgencyId, agreement, ladder } = context;
  const reasons: Reason[] = [];
  const own = originAgency === ownAgencyId;
  const partners = originAgency === partnerId;
  const listed = markings.releasableTo.includes(partnerId);
  if (markings.tlp === 'RED') reasons.push(reason('M1', 'TLP:RED never leaves the agency'));
  if (own && !listed) {
    const isPublic =
      markings.tlp === 'CLEAR' && classificationRank(markings.classification, ladder) === 0;
    if (markings.tlp === 'AMBER+STRICT') {
      reasons.push(reason('M2', `TLP:AMBER+STRICT and ${partnerId} is not named in releasable-to`));
    } else if (!isPublic) {
      reasons.push(reason('M2', `not marked releasable to ${partnerId}`));
    }
  } else if (!own && !partners && !listed) {
    reasons.push(
      reason(
        'M4',
        `third-agency material from ${originAgency} is not marked releasable to ${partnerId}`,
      ),
    );
  }
  if (!own && markings.referToOriginator) {
    reasons.push(
      partners
        ? reason(
            'M5',
            `refer to originator is set on ${partnerId}'s own material; it may have been set here, and origin never lowers a marking (M6)`,
          )
        : reason('M5', `refer to originator: onward release needs ${originAgency}'s consent`),
    );
  }
  if (!isKnownClassification(markings.classification, ladder)) {
    reasons.push(reason('M3', `classification ${markings.classification} is not on the ladder`));
  } else if (
    classificationRank(markings.classification, ladder) >
    classificationRank(agreement.highestClassification, ladder)
  ) {
    reasons.push(
      reason(
        'M3',
        `classification ${markings.classification} is above the agreement's ${agreement.highestClassification}`,
      ),
    );
  }
  const { codes, unknown } = parseHandlingCodes(markings.handlingCode);
  for (const token of unknown) {
    reasons.push(reason('M7', `handling code ${token} is not one Tessera knows`));
  }
  for (const code of codes) {
    switch (HANDLING_CODES[code].effect) {
      case 'none':
        break;
      case 'listed':
        if (!listed && !partners) {
          reasons.push(reason('M7', `${code}: ${partnerId} is not named in releasable-to`));
        }
        break;
      case 'originator':
        if (!own) {
          reasons.push(
            reason('M7', `${code}: originator controlled, release needs ${originAgency}'s consent`),
          );
        } else if (!listed) {
          reasons.push(
            reason(
              'M7',
              `${code}: originator controlled and ${partnerId} is not named in releasable-to`,
            ),
          );
        }
        break;
      case 'domestic':
        if (agreement.domestic !== true) {
          reasons.push(
            reason(
              'M7',
              `${code}: never to a foreign partner, and ${partnerId}'s agreement is not marked domestic`,
            ),
          );
        }
        break;
      case 'never':
        reasons.push(reason('M7', `${code}: never leaves this agency`));
        break;
    }
  }
  return reasons;
}

/**
 * Whether free text of material with these markings may go (F2): only with the partner named, even
 * on material the partner originated, since free text is where this agency adds what it learnt
 * (a note on the partner's record is ours, and nothing tells the two apart).
 */
function explicitlyReleasable(markings: Markings, partnerId: string) {
  return markings.releasableTo.includes(partnerId);
}

/** Fields of a record that the table does not name (F1). */
function unknownFields(record: AnyRecord): string[] {
  return Object.keys(record).filter(
    (field) =>
      fieldClass(record.kind, field) === undefined &&
      // The case file carries attachment content beside the record; the service strips it.
      !(record.kind === 'attachment' && field === 'contentBase64'),
  );
}

function caseReasons(record: CaseRecord, context: ReleaseContext, now: string): Reason[] {
  const { agreement, ladder, partnerId } = context;
  const reasons: Reason[] = [];
  if (agreement.partnerAgencyId !== partnerId) {
    reasons.push(
      reason('C1', `the agreement is with ${agreement.partnerAgencyId}, not ${partnerId}`),
    );
  }
  if (partnerId === context.ownAgencyId)
    reasons.push(reason('C1', 'the partner is this agency itself'));
  if (!isAgreementInForce(agreement, now)) {
    reasons.push(
      reason(
        'C1',
        `the agreement with ${agreement.partnerAgencyId} is not in force on ${now.slice(0, 10)}`,
      ),
    );
  }
  if (!isKnownClassification(agreement.highestClassification, ladder)) {
    reasons.push(
      reason(
        'C2',
        `the agreement's highest classification ${agreement.highestClassification} is not on the ladder`,
      ),
    );
  }
  const covered = new Set(agreement.crimeAreas.map(normaliseCrimeArea));
  if (record.crimeAreas.length === 0) reasons.push(reason('C3', 'the case has no crime area'));
  const outside = record.crimeAreas.filter((area) => !covered.has(normaliseCrimeArea(area)));
  if (outside.length > 0) {
    reasons.push(reason('C3', `crime area not covered by the agreement: ${outside.join(', ')}`));
  }
  if (record.deleted) reasons.push(reason('C4', 'case: the case is deleted'));
  for (const field of unknownFields(record)) {
    reasons.push(reason('C4', `case: field ${field} has no release rule (F1)`));
  }
  const own = markingReasons(record.markings, record.originAgency, context);
  reasons.push(...own.map((r) => reason('C4', `case: ${r.text} (${r.rule})`)));
  return reasons;
}

function categoryReasons(record: AnyRecord, agreement: SharingAgreement): Reason[] {
  const category = categoryOf(record);
  if (category === undefined) {
    return [
      reason(
        'I1',
        `${record.kind === 'entity' ? record.schema : record.kind} has no data category`,
      ),
    ];
  }
  return agreement.categories.includes(category)
    ? []
    : [reason('I1', `data category “${category}” is not in the agreement`)];
}

type Json = Readonly<Record<string, unknown>>;

/** An item that is not an entity (a note, an attachment, a notice, a chart…). */
type OtherItem<A extends AttachmentRecord> = Exclude<CaseItem, EntityRecord | AttachmentRecord> | A;

/** Decides what of `input` goes to `partnerId` under `agreement`. Pure. */
export function decideRelease<A extends AttachmentRecord>(
  input: ReleaseInput<A>,
  agreement: SharingAgreement,
  partnerId: string,
  ownAgencyId: string,
  options: ReleaseOptions = {},
): ReleaseDecision<A> {
  const context: ReleaseContext = {
    partnerId,
    ownAgencyId,
    agreement,
    ladder: options.classifications ?? DEFAULT_CLASSIFICATIONS,
  };
  const now = options.now ?? new Date().toISOString();
  const withheld: WithheldItem[] = [];
  const deleted: DeletedItem[] = [];
  const caseId = input.case.id;
  const withhold = (record: AnyRecord, reasons: readonly Reason[]): void => {
    withheld.push({
      id: record.id,
      kind: record.kind,
      caption: captionOfRecord(record, 'release'),
      reasons: reasons.map((r) => r.text),
      rules: reasons.map((r) => r.rule),
    });
  };
  const nothing = (reasons: readonly Reason[]): ReleaseDecision<A> => {
    withheld.length = 0;
    deleted.length = 0;
    withhold(input.case, reasons);
    for (const record of itemsOf(input)) {
      if (record.deleted) deleted.push({ id: record.id, kind: record.kind });
      else withhold(record, reasons);
    }
    return {
      policyVersion: POLICY_VERSION,
      partnerId,
      released: { case: undefined, ...emptyItemLists() },
      withheld,
      stripped: [],
      deleted,
    };
  };

  const global = caseReasons(input.case, context, now);
  if (global.length > 0) return nothing(global);

  // I7: a deleted record goes nowhere as content; it is listed apart.
  const liveItems = itemsOf(input).filter((record) => {
    if (record.deleted) deleted.push({ id: record.id, kind: record.kind });
    return !record.deleted;
  });
  const liveEntities = liveItems.filter((item): item is EntityRecord => item.kind === 'entity');

  const ownReasons = (record: AnyRecord): Reason[] => {
    const reasons: Reason[] = [];
    if (record.kind !== 'case' && record.caseId !== caseId) {
      reasons.push(reason('C4', 'belongs to another case'));
    }
    for (const field of unknownFields(record)) {
      reasons.push(reason('F1', `field ${field} has no release rule`));
    }
    reasons.push(...categoryReasons(record, agreement));
    reasons.push(...markingReasons(record.markings, record.originAgency, context));
    return reasons;
  };

  // Stripped fields, per record id and field path.
  const strippedFields = new Map<string, Map<string, Reason[]>>();
  const strip = (id: string, field: string, reasons: readonly Reason[]): void => {
    const map = strippedFields.get(id) ?? new Map<string, Reason[]>();
    map.set(field, [...(map.get(field) ?? []), ...reasons]);
    strippedFields.set(id, map);
  };
  const isStripped = (id: string, field: string): boolean =>
    strippedFields.get(id)?.has(field) ?? false;

  // Entities: their own rules first (M, I1, I4, F2, F3), then I6, then relationships (I2).
  const entityById = new Map(input.entities.map((entity) => [entity.id, entity]));
  const reasonsById = new Map<string, Reason[]>();
  const stripNameGroup = (entity: EntityRecord, because: string): void => {
    for (const other of Object.keys(entity.properties)) {
      if (
        propertyClass(entity.schema, other) === 'name' &&
        !isStripped(entity.id, `properties.${other}`)
      ) {
        strip(entity.id, `properties.${other}`, [
          reason('F3', `name parts go together, and ${because} is withheld`),
        ]);
      }
    }
  };
  for (const entity of liveEntities) {
    reasonsById.set(entity.id, ownReasons(entity));
    for (const [property, own] of Object.entries(entity.propertyMarkings ?? {})) {
      if (own === undefined || !(property in entity.properties)) continue;
      const markings = effectiveMarkings(entity, property, context.ladder);
      const reasons = markingReasons(markings, entity.originAgency, context);
      if (reasons.length > 0) strip(entity.id, `properties.${property}`, reasons);
    }
    for (const property of Object.keys(entity.properties)) {
      if (isStripped(entity.id, `properties.${property}`)) continue;
      if (propertyClass(entity.schema, property) !== 'text') continue;
      const markings = effectiveMarkings(entity, property, context.ladder);
      if (!explicitlyReleasable(markings, partnerId)) {
        strip(entity.id, `properties.${property}`, [
          reason('F2', `free text goes only when marked releasable to ${partnerId} by name`),
        ]);
      }
    }
    const strippedName = Object.keys(entity.properties).find(
      (property) =>
        propertyClass(entity.schema, property) === 'name' &&
        isStripped(entity.id, `properties.${property}`),
    );
    if (strippedName !== undefined) stripNameGroup(entity, strippedName);
  }
  const goes = (id: string): boolean => reasonsById.get(id)?.length === 0;

  // I6: identifying entities follow the person or organisation they identify. Returns whether
  // anything changed.
  const applyIdentification = (): boolean => {
    let changed = false;
    const withheldLegal = new Set(
      input.entities
        .filter((entity) => isLegalEntitySchema(entity.schema) && !goes(entity.id))
        .map((entity) => entity.id),
    );
    // A document that points at any withheld thing (a passport whose holder is an entity that
    // stays, whatever its schema) carries details of it: it stays too.
    const withheldThings = new Set(
      input.entities
        .filter((entity) => !isEdgeSchema(entity.schema) && !goes(entity.id))
        .map((entity) => entity.id),
    );
    if (withheldThings.size === 0) return false;
    const identifies = (candidate: string, legal: string): void => {
      const target = entityById.get(candidate);
      const reasons = reasonsById.get(candidate);
      if (!target || !reasons || reasons.length > 0) return;
      if (isEdgeSchema(target.schema) || isLegalEntitySchema(target.schema)) return;
      const person = entityById.get(legal)!;
      const state = person.deleted ? 'deleted' : 'withheld';
      reasons.push(
        reason('I6', `it identifies ${captionOfRecord(person, 'release')}, which is ${state}`),
      );
      changed = true;
    };
    for (const entity of liveEntities) {
      const references = Object.entries(entity.properties)
        .filter(([property]) => propertyClass(entity.schema, property) === 'reference')
        .flatMap(([, values]) => values);
      if (isEdgeSchema(entity.schema)) {
        for (const end of references) {
          if (!withheldLegal.has(end)) continue;
          for (const other of references) if (other !== end) identifies(other, end);
        }
      } else if (withheldLegal.has(entity.id)) {
        for (const value of references) identifies(value, entity.id);
      } else {
        for (const value of references) if (withheldThings.has(value)) identifies(entity.id, value);
      }
    }
    return changed;
  };

  // I2: relationships whose ends do not go, until stable.
  const applyRelationships = (): boolean => {
    let any = false;
    for (let changed = true; changed;) {
      changed = false;
      for (const entity of liveEntities) {
        const reasons = reasonsById.get(entity.id)!;
        if (reasons.length > 0 || !isEdgeSchema(entity.schema)) continue;
        const edge = model.schemata[entity.schema]!.edge!;
        const ends = edgeEnds(entity.schema, entity.properties);
        if (!ends) reasons.push(reason('I2', 'the relationship lacks an end'));
        else {
          for (const [end, property] of [
            [ends.source, edge.source],
            [ends.target, edge.target],
          ] as const) {
            const target = entityById.get(end);
            if (!target) reasons.push(reason('I2', `its end ${end} is not in the case`));
            else if (!goes(end)) {
              const state = target.deleted ? 'deleted' : 'withheld';
              reasons.push(
                reason('I2', `its end ${captionOfRecord(target, 'release')} is ${state}`),
              );
            } else if (isStripped(entity.id, `properties.${property}`)) {
              reasons.push(reason('I2', `its end property ${property} is withheld`));
            }
          }
        }
        if (reasons.length > 0) changed = any = true;
      }
    }
    return any;
  };

  // I4: references to entities that do not go are stripped.
  const stripReferences = (): void => {
    for (const entity of liveEntities) {
      if (!goes(entity.id)) continue;
      for (const [property, values] of Object.entries(entity.properties)) {
        const path = `properties.${property}`;
        if (propertyClass(entity.schema, property) !== 'reference' || isStripped(entity.id, path)) {
          continue;
        }
        const gone = values.filter((value) => !goes(value));
        if (gone.length === 0) continue;
        const what = gone.length === 1 ? 'entity' : 'entities';
        strip(entity.id, path, [
          reason('I4', `refers to withheld, deleted or unknown ${what} ${gone.join(', ')}`),
        ]);
      }
    }
  };

  // Other items: their own rules, then I3 (they go only with what they are about).
  const items = liveItems.filter((item): item is OtherItem<A> => item.kind !== 'entity');
  const itemReasons = new Map<string, Reason[]>(items.map((item) => [item.id, ownReasons(item)]));
  const applyAbout = (): boolean => {
    let changed = false;
    for (const item of items) {
      const reasons = itemReasons.get(item.id)!;
      const about = aboutOf(item);
      if (reasons.length > 0 || about === undefined) continue;
      const { entityId, noun: what } = about;
      if (entityId === undefined || goes(entityId)) continue;
      const target = entityById.get(entityId);
      reasons.push(
        reason(
          'I3',
          target
            ? `its ${what} ${captionOfRecord(target, 'release')} is ${target.deleted ? 'deleted' : 'withheld'}`
            : `its ${what} ${entityId} is not in the case`,
        ),
      );
      changed = true;
    }
    return changed;
  };
  const applyLinks = (): boolean => {
    const identified = applyIdentification();
    const related = applyRelationships();
    stripReferences();
    const about = applyAbout();
    return identified || related || about;
  };
  applyLinks();

  // F2 on the top-level free text of every record that still goes (the case included).
  const caseReasonsLate: Reason[] = [];
  const freeText = (record: AnyRecord, reasons: Reason[]): void => {
    if (explicitlyReleasable(record.markings, partnerId)) return;
    const rule = `free text goes only when marked releasable to ${partnerId} by name`;
    for (const [field, value] of Object.entries(record as unknown as Json)) {
      const cls = fieldClass(record.kind, field);
      if (cls === 'text' && value !== undefined) {
        if (OPTIONAL_FIELDS[record.kind].includes(field))
          strip(record.id, field, [reason('F2', rule)]);
        else reasons.push(reason('F2', `its ${field} is free text, and ${rule}`));
      } else if (cls === 'provenance' && (value as { source?: string }).source) {
        strip(record.id, 'provenance.source', [reason('F2', rule)]);
      }
    }
  };
  const reasonsOf = (record: AnyRecord): Reason[] =>
    record.kind === 'case'
      ? caseReasonsLate
      : record.kind === 'entity'
        ? reasonsById.get(record.id)!
        : itemReasons.get(record.id)!;
  const candidates: AnyRecord[] = [input.case, ...liveEntities, ...items];
  for (const record of candidates) {
    const reasons = reasonsOf(record);
    if (reasons.length === 0) freeText(record, reasons);
  }
  const caseFails = (): ReleaseDecision<A> =>
    nothing(caseReasonsLate.map((r) => reason('C4', `case: ${r.text} (${r.rule})`)));
  if (caseReasonsLate.length > 0) return caseFails();

  // F5: whatever would go is scanned for mentions of what stays, until nothing changes (a record
  // kept home by a mention brings its own values along as needles, and its links follow it).
  const byId = new Map<string, AnyRecord>(candidates.map((record) => [record.id, record]));
  const strippedList = (): StrippedProperty[] => {
    const list: StrippedProperty[] = [];
    for (const [id, fields] of strippedFields) {
      const record = byId.get(id)!;
      for (const [field, reasons] of fields) {
        const { top, key } = splitField(field);
        list.push({
          id,
          kind: record.kind,
          caption: captionOfRecord(record, 'release'),
          property: top === 'properties' && key !== undefined ? key : field,
          field,
          reasons: reasons.map((r) => r.text),
          rules: reasons.map((r) => r.rule),
        });
      }
    }
    return list;
  };
  const staying = (): Set<string> =>
    new Set(candidates.filter((record) => reasonsOf(record).length > 0).map((r) => r.id));
  for (let changed = true; changed;) {
    changed = false;
    const staysHome = staying();
    const going = candidates.filter((record) => !staysHome.has(record.id));
    // A source text that goes in its own right (a record released by name, its source not left
    // out) proves nothing when a record that stays has the same one ("Recorded in Tessera").
    const releasedSources = going.flatMap((record) =>
      'provenance' in record &&
      explicitlyReleasable(record.markings, partnerId) &&
      !isStripped(record.id, 'provenance.source')
        ? [record.provenance.source]
        : [],
    );
    const finder = needlesOf(input, staysHome, strippedList(), going, releasedSources);
    if (finder.size === 0) break;
    for (const record of candidates) {
      const reasons = reasonsOf(record);
      if (reasons.length > 0) continue;
      /** Strips the field, or keeps the record home when it is required; true on a mention. */
      const mention = (field: string, value: unknown, optional: boolean): boolean => {
        if (isStripped(record.id, field)) return false;
        let hit: string | undefined;
        for (const text of stringsOf(value)) if ((hit = finder.find(text)) !== undefined) break;
        if (hit === undefined) return false;
        if (optional) strip(record.id, field, [reason('F5', `mentions ${hit}`)]);
        else reasons.push(reason('F5', `its ${field} mentions ${hit}`));
        changed = true;
        return true;
      };
      for (const [field, value] of Object.entries(record as unknown as Json)) {
        const cls = fieldClass(record.kind, field);
        if (cls === undefined || value === undefined || value === null) continue;
        if (cls === 'properties' && record.kind === 'entity') {
          for (const [property, values] of Object.entries(record.properties)) {
            const kind = propertyClass(record.schema, property);
            if (kind === 'reference') continue;
            if (mention(`properties.${property}`, values, true) && kind === 'name') {
              stripNameGroup(record, property);
            }
          }
        } else if (cls === 'provenance') {
          for (const [part, text] of Object.entries(value as Json)) {
            mention(`provenance.${part}`, text, part === 'source');
          }
        } else if (isScanned(cls)) {
          mention(field, value, OPTIONAL_FIELDS[record.kind].includes(field));
        }
      }
    }
    if (caseReasonsLate.length > 0) return caseFails();
    if (applyLinks()) changed = true;
  }

  // Assemble what goes (fields of a record that stays are not "left out": the record is).
  const staysHome = staying();
  const stripped = strippedList().filter((item) => !staysHome.has(item.id));
  const withoutFields = <T extends AnyRecord>(record: T): T => {
    const fields = strippedFields.get(record.id);
    if (!fields) return record;
    let json: Record<string, unknown> = { ...(record as unknown as Json) };
    for (const field of fields.keys()) {
      const { top, key } = splitField(field);
      if (top === 'provenance' && key === 'source') {
        json = { ...json, provenance: { ...(json.provenance as Json), source: '' } };
      } else if (key === undefined) {
        delete json[top];
      } else {
        json[top] = Object.fromEntries(
          Object.entries(json[top] as Json).filter(([k]) => k !== key),
        );
      }
    }
    if (record.kind === 'entity') {
      const properties = json.properties as Json;
      const markings = Object.fromEntries(
        Object.entries((json.propertyMarkings as Json | undefined) ?? {}).filter(
          ([property]) => property in properties,
        ),
      );
      delete json.propertyMarkings;
      if (Object.keys(markings).length > 0) json.propertyMarkings = markings;
    }
    return json as unknown as T;
  };

  const entities: EntityRecord[] = [];
  for (const entity of liveEntities) {
    const reasons = reasonsById.get(entity.id)!;
    if (reasons.length > 0) withhold(entity, reasons);
    else {
      entities.push(withoutFields(entity));
    }
  }
  // I3 for charts: a chart goes without the nodes of entities that stay.
  const chartStripped: StrippedProperty[] = [];
  const withoutWithheldNodes = (chart: ChartRecord): ChartRecord => {
    const nodes = Object.fromEntries(Object.entries(chart.nodes).filter(([id]) => goes(id)));
    const removed = Object.keys(chart.nodes).length - Object.keys(nodes).length;
    if (removed === 0) return chart;
    const text = `${removed} withheld ${removed === 1 ? 'entity' : 'entities'} left out of the chart`;
    chartStripped.push({
      id: chart.id,
      kind: 'chart',
      caption: captionOfRecord(chart, 'release'),
      property: 'nodes',
      field: 'nodes',
      reasons: [text],
      rules: ['I3'],
    });
    return { ...chart, nodes };
  };
  const releasedItems: (EntityRecord | OtherItem<A>)[] = [...entities];
  for (const item of items) {
    const reasons = itemReasons.get(item.id)!;
    if (reasons.length > 0) {
      withhold(item, reasons);
      continue;
    }
    const view = withoutFields(item);
    releasedItems.push(view.kind === 'chart' ? withoutWithheldNodes(view) : view);
  }

  return {
    policyVersion: POLICY_VERSION,
    partnerId,
    released: { case: withoutFields(input.case), ...groupItems<A>(releasedItems) },
    withheld,
    stripped: [...stripped, ...chartStripped],
    deleted,
  };
}
