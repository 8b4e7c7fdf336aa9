/**
 * The release rule of every field of every record kind: one table the release policy (policy.ts)
 * walks, so that a field nobody thought about cannot travel by default. A record kind that gains a
 * field fails to compile here (the table is typed by the record types) and fails
 * fieldRules.test.ts (which reads the field list from the zod record schemas) until the new field
 * has a rule. docs/release-policy.md prints the same table for officers.
 *
 * Field classes (what the policy does with a field of a record that goes):
 * - `structure`: id, kind, clocks, tombstone flag, case and originator ids. Go with the record;
 *   they hold ids and clocks, never case content.
 * - `markings`: the record's (and properties') markings. Read by the policy, sent unchanged (I5).
 * - `code`: enumerations, dates, numbers, hashes, country codes, the entity type, crime areas
 *   (C3 admits only areas the agreement names). Go with the record; they are drawn from fixed
 *   vocabularies, so they cannot repeat case content.
 * - `value`: short values someone typed (user names, a media type, a layout name).
 *   Go with the record; scanned for mentions of what stays (F5), and the record stays when a
 *   required one mentions it.
 * - `label`: the short text that names the record (title, reference, file name, chart name). Goes
 *   with the record; scanned (F5), and because it is required, a mention keeps the record at home.
 * - `text`: free text. Goes only when the record is explicitly releasable to the partner (F2),
 *   then scanned (F5); otherwise left out, or the record stays when the field is required.
 * - `reference`: the id of the entity the record is about. Goes only with that entity (I3).
 * - `properties`: FollowTheMoney properties, each judged by itself (I4, F2, F3, F5, I6; see
 *   propertyClass).
 * - `nodes`: chart nodes keyed by entity id; a node goes only with its entity (I3).
 * - `provenance`: its `source` is free text (F2); who recorded it, when and for which agency are
 *   values.
 */
import { model } from '../model/schema.ts';
import type {
  AttachmentRecord,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
  RecordKind,
} from '../model/records.ts';

export type FieldClass =
  | 'structure'
  | 'markings'
  | 'code'
  | 'value'
  | 'label'
  | 'text'
  | 'reference'
  | 'properties'
  | 'nodes'
  | 'provenance';

/** Every field of a record type, required or optional, mapped to its class. */
type RulesOf<R> = { readonly [F in keyof R]-?: FieldClass };

interface RecordTypes {
  readonly case: CaseRecord;
  readonly entity: EntityRecord;
  readonly note: NoteRecord;
  readonly attachment: AttachmentRecord;
  readonly notice: NoticeRecord;
  readonly chart: ChartRecord;
}

const STRUCTURE = {
  id: 'structure',
  kind: 'structure',
  updatedAt: 'structure',
  createdAt: 'structure',
  deleted: 'structure',
  originAgency: 'structure',
  markings: 'markings',
} as const;

export const FIELD_RULES: { readonly [K in RecordKind]: RulesOf<RecordTypes[K]> } = {
  case: {
    ...STRUCTURE,
    reference: 'label',
    title: 'label',
    status: 'code',
    leadInvestigator: 'value',
    crimeAreas: 'code',
    jurisdictions: 'code',
    openedOn: 'code',
    closedOn: 'code',
    description: 'text',
  },
  entity: {
    ...STRUCTURE,
    caseId: 'structure',
    schema: 'code',
    properties: 'properties',
    provenance: 'provenance',
    grading: 'code',
    propertyMarkings: 'markings',
    // What an import kept from another tool (values the model could not take among it): free
    // text, so it goes only with a record marked releasable to the partner.
    external: 'text',
  },
  note: {
    ...STRUCTURE,
    caseId: 'structure',
    entityId: 'reference',
    title: 'text',
    body: 'text',
    author: 'value',
  },
  attachment: {
    ...STRUCTURE,
    caseId: 'structure',
    entityId: 'reference',
    fileName: 'label',
    mediaType: 'value',
    size: 'code',
    sha256: 'code',
    description: 'text',
    provenance: 'provenance',
  },
  notice: {
    ...STRUCTURE,
    caseId: 'structure',
    noticeType: 'code',
    subjectId: 'reference',
    reference: 'label',
    issuingAgency: 'value',
    status: 'code',
    issuedOn: 'code',
    expiresOn: 'code',
    summary: 'text',
  },
  chart: {
    ...STRUCTURE,
    caseId: 'structure',
    name: 'label',
    nodes: 'nodes',
    layout: 'value',
    viewport: 'code',
  },
};

/** The class of a field, or undefined for a field the table does not name (it never goes). */
export function fieldClass(kind: RecordKind, field: string): FieldClass | undefined {
  const rules = FIELD_RULES[kind] as Readonly<Record<string, FieldClass>>;
  return Object.hasOwn(rules, field) ? rules[field] : undefined;
}

/** Fields whose absence the record schema allows: a withheld optional field is left out. */
export const OPTIONAL_FIELDS: { readonly [K in RecordKind]: readonly string[] } = {
  case: ['closedOn', 'description'],
  entity: ['propertyMarkings', 'external'],
  note: ['entityId'],
  attachment: ['entityId', 'description'],
  notice: ['subjectId', 'issuedOn', 'expiresOn'],
  chart: ['viewport'],
};

// ---------------------------------------------------------------------------------------------
// FollowTheMoney properties

/**
 * How one FtM property is treated:
 * - `reference`: holds entity ids (I4: goes only when the entity goes; I6 for identifying
 *   entities);
 * - `name`: a name or name part (F3: the name parts go together or not at all);
 * - `text`: free text (FtM types text, html, json; F2);
 * - `value`: anything else (identifiers, phones, dates, countries…), scanned (F5).
 */
export type PropertyClass = 'reference' | 'name' | 'text' | 'value';

/**
 * Name parts that FtM types as plain strings but that spell the same name as `name` (F3). Every
 * property of FtM type `name` (name, alias, weakAlias, previousName…) belongs to the group too.
 */
export const NAME_PARTS: ReadonlySet<string> = new Set([
  'firstName',
  'secondName',
  'middleName',
  'lastName',
  'fatherName',
  'motherName',
  'nameSuffix',
  'givenName',
  'surname',
]);

/** FtM types whose values are free text. */
const TEXT_TYPES: ReadonlySet<string> = new Set(['text', 'html', 'json']);

/**
 * FtM types whose values are too common to mark a mention of a withheld record (a date, a country,
 * a number is no proof of copying); every other type's values of a withheld record are searched
 * for in what goes (F5).
 */
const COMMON_TYPES: ReadonlySet<string> = new Set([
  'entity',
  'date',
  'number',
  'country',
  'language',
  'gender',
  'topic',
  'mimetype',
]);

const propertyCache = new Map<string, { cls: PropertyClass; distinctive: boolean }>();

function propertyInfo(schemaName: string, property: string) {
  const key = `${schemaName}\u0000${property}`;
  let info = propertyCache.get(key);
  if (info === undefined) {
    const schema = model.schemata[schemaName];
    // A property the schema does not know is judged as free text: deny by default.
    const type = schema?.hasProperty(property) ? schema.getProperty(property).type.name : 'text';
    const cls: PropertyClass =
      type === 'entity'
        ? 'reference'
        : type === 'name' || NAME_PARTS.has(property)
          ? 'name'
          : TEXT_TYPES.has(type)
            ? 'text'
            : 'value';
    info = { cls, distinctive: !COMMON_TYPES.has(type) };
    propertyCache.set(key, info);
  }
  return info;
}

/** The class of an FtM property of `schemaName` (cached: FtM recomputes inherited properties). */
export function propertyClass(schemaName: string, property: string): PropertyClass {
  return propertyInfo(schemaName, property).cls;
}

/** Whether a withheld value of this property marks a mention when it appears elsewhere (F5). */
export function isDistinctiveProperty(schemaName: string, property: string): boolean {
  return propertyInfo(schemaName, property).distinctive;
}

/**
 * Whether an entity of this schema is a person or an organisation (FtM LegalEntity). Anything
 * else that is linked to a withheld person or organisation identifies it (a passport, an account,
 * a phone, a vehicle, an address…) and stays with it (I6).
 */
export function isLegalEntitySchema(schemaName: string): boolean {
  const schema = model.schemata[schemaName];
  const legal = model.schemata['LegalEntity'];
  return schema !== undefined && legal !== undefined && schema.isA(legal);
}
