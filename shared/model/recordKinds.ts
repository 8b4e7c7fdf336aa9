/**
 * The one registry of record kinds (issue 9, STYLE.md convention 14). Every piece of code that needs
 * "all kinds" (the case file, the release policy and its second check, the CLI, the case store's
 * tables) reads it here instead of spelling out case / entities / notes / attachments / notices /
 * charts again.
 *
 * Per kind it holds:
 * - `schema`: the zod schema that parses records of the kind from outside (recordSchemas.ts);
 * - `table`: the Dexie table that stores them (renderer/db/database.ts declares the same names).
 *   The case file and every record set (the release policy's input and output) key the list of an
 *   item kind by this name too (`entities`, `notes`…); the case record itself travels as `case`;
 * - `caseScoped`: whether records of the kind belong to a case (`caseId`); the case record is the
 *   container and the only kind that does not;
 * - `caption`: how people read a record's name (see CaptionStyle);
 * - `release`: what the release policy (shared/exchange/policy.ts) needs per kind: the data
 *   category agreements name, the class of every field (read through fieldRules.ts), the fields a
 *   record may go without, and the field naming the entity the record is about (rule I3).
 *
 * The registry is a mapped type over the RecordKind union (records.ts): adding a kind to that
 * union fails to compile until it has an entry here, and recordKinds.test.ts checks that the lists
 * derived below cover every kind and every table. Adding a kind then means its record type, its
 * schema, its entry here and a Dexie migration for its table; nothing else names the kinds.
 */
import { z } from 'zod';
import type { AnyRecord, RecordKind } from './records.ts';
import {
  attachmentRecordSchema,
  caseRecordSchema,
  chartRecordSchema,
  entityRecordSchema,
  noteRecordSchema,
  noticeRecordSchema,
} from './recordSchemas.ts';
import { captionOf, model } from './schema.ts';

/** The record type of one kind. */
export type RecordOfKind<K extends RecordKind> = Extract<AnyRecord, { readonly kind: K }>;

/**
 * Two ways to write a record's caption, both kept because people have learnt them:
 * - `audit`: the audit trail and undo messages, "Person 'Ivan Petrov'", a case by its reference,
 *   a notice with its type ("red notice 'A-1/2024'");
 * - `release`: the release policy and its preview, "Person “Ivan Petrov”", a case by its title,
 *   a notice by its bare reference.
 */
export type CaptionStyle = 'audit' | 'release';

/**
 * What a field holds, for the release policy (policy.ts says what each class lets go; fieldRules.ts
 * documents the classes for officers):
 * `structure` ids, clocks, tombstone flag; `markings`; `code` fixed vocabularies, dates, numbers;
 * `value` short typed values; `label` the text naming the record; `text` free text; `reference`
 * the id of the entity the record is about; `properties` FtM properties; `nodes` chart nodes keyed
 * by entity id; `provenance` where the record came from.
 */
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
export type FieldRulesOf<R> = { readonly [F in keyof R]-?: FieldClass };

/** The fields of `R` that may hold an entity id (string, possibly absent). */
type IdFieldOf<R> = {
  [F in keyof R]-?: R[F] extends string | undefined ? F : never;
}[keyof R] &
  string;

/** What the release policy needs to know about one kind. */
export interface ReleaseHook<R> {
  /**
   * The data category an agreement must name for records of this kind to go (rule I1;
   * shared/exchange/agreement.ts DATA_CATEGORIES): a category's name, `schema` when the FtM schema
   * decides (entities), or `none` for the case record, the container no category admits.
   */
  readonly category: string;
  /** The class of every field (F1: a field without one never goes). */
  readonly fields: FieldRulesOf<R>;
  /** Fields whose absence the record schema allows: a withheld optional field is left out. */
  readonly optional: readonly (keyof R & string)[];
  /**
   * The field naming the entity the record is about, and the word for it in reasons ("its
   * subject … is withheld"): the record goes only with that entity (I3).
   */
  readonly about?: { readonly field: IdFieldOf<R>; readonly noun: string };
}

export interface RecordKindEntry<K extends RecordKind> {
  readonly kind: K;
  readonly schema: z.ZodType<RecordOfKind<K>>;
  readonly table: string;
  readonly caseScoped: boolean;
  readonly caption: (record: RecordOfKind<K>, style: CaptionStyle) => string;
  readonly release: ReleaseHook<RecordOfKind<K>>;
}

type Registry = { readonly [K in RecordKind]: RecordKindEntry<K> };

const quote = (text: string, style: CaptionStyle): string =>
  style === 'audit' ? `'${text}'` : `“${text}”`;

/** Fields every record has (records.ts RecordBase). */
const BASE_FIELDS = {
  id: 'structure',
  kind: 'structure',
  updatedAt: 'structure',
  createdAt: 'structure',
  deleted: 'structure',
  originAgency: 'structure',
  markings: 'markings',
} as const;

const ITEM_BASE_FIELDS = { ...BASE_FIELDS, caseId: 'structure' } as const;

/** The registry; key order is the order records are listed in (case file, release, export). */
export const RECORD_KINDS = {
  case: {
    kind: 'case',
    schema: caseRecordSchema,
    table: 'cases',
    caseScoped: false,
    caption: (record, style) =>
      style === 'audit' ? `case '${record.reference}'` : `case “${record.title}”`,
    release: {
      category: 'none',
      fields: {
        ...BASE_FIELDS,
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
      optional: ['closedOn', 'description'],
    },
  },
  entity: {
    kind: 'entity',
    schema: entityRecordSchema,
    table: 'entities',
    caseScoped: true,
    caption: (record, style) =>
      `${model.schemata[record.schema]?.label ?? record.schema} ${quote(captionOf(record.schema, record.properties), style)}`,
    release: {
      category: 'schema',
      fields: {
        ...ITEM_BASE_FIELDS,
        schema: 'code',
        properties: 'properties',
        provenance: 'provenance',
        grading: 'code',
        propertyMarkings: 'markings',
        // What an import kept from another tool (values the model could not take among it): free
        // text, so it goes only with a record marked releasable to the partner.
        external: 'text',
      },
      optional: ['propertyMarkings', 'external'],
    },
  },
  note: {
    kind: 'note',
    schema: noteRecordSchema,
    table: 'notes',
    caseScoped: true,
    caption: (record, style) => `note ${quote(record.title, style)}`,
    release: {
      category: 'notes',
      fields: {
        ...ITEM_BASE_FIELDS,
        entityId: 'reference',
        title: 'text',
        body: 'text',
        author: 'value',
      },
      optional: ['entityId'],
      about: { field: 'entityId', noun: 'entity' },
    },
  },
  attachment: {
    kind: 'attachment',
    schema: attachmentRecordSchema,
    table: 'attachments',
    caseScoped: true,
    caption: (record, style) => `attachment ${quote(record.fileName, style)}`,
    release: {
      category: 'attachments',
      fields: {
        ...ITEM_BASE_FIELDS,
        entityId: 'reference',
        fileName: 'label',
        mediaType: 'value',
        size: 'code',
        sha256: 'code',
        description: 'text',
        provenance: 'provenance',
      },
      optional: ['entityId', 'description'],
      about: { field: 'entityId', noun: 'entity' },
    },
  },
  notice: {
    kind: 'notice',
    schema: noticeRecordSchema,
    table: 'notices',
    caseScoped: true,
    caption: (record, style) =>
      style === 'audit'
        ? `${record.noticeType} notice '${record.reference}'`
        : `notice ${record.reference}`,
    release: {
      category: 'notices',
      fields: {
        ...ITEM_BASE_FIELDS,
        noticeType: 'code',
        subjectId: 'reference',
        reference: 'label',
        issuingAgency: 'value',
        status: 'code',
        issuedOn: 'code',
        expiresOn: 'code',
        summary: 'text',
      },
      optional: ['subjectId', 'issuedOn', 'expiresOn'],
      about: { field: 'subjectId', noun: 'subject' },
    },
  },
  chart: {
    kind: 'chart',
    schema: chartRecordSchema,
    table: 'charts',
    caseScoped: true,
    caption: (record, style) => `chart ${quote(record.name, style)}`,
    release: {
      category: 'charts',
      fields: {
        ...ITEM_BASE_FIELDS,
        name: 'label',
        nodes: 'nodes',
        layout: 'value',
        viewport: 'code',
      },
      optional: ['viewport'],
    },
  },
} as const satisfies Registry;

type Kinds = typeof RECORD_KINDS;

/** The kinds of records that belong to a case (all but the case record itself). */
export type ItemKind = {
  [K in RecordKind]: Kinds[K]['caseScoped'] extends true ? K : never;
}[RecordKind];

/** The Dexie table (and record-set list) of a kind. */
export type TableOf<K extends RecordKind> = Kinds[K]['table'];
export type RecordTableName = TableOf<RecordKind>;
/** The zod schema of a kind. */
export type SchemaOf<K extends RecordKind> = Kinds[K]['schema'];

/** Every kind, the case first. */
export const RECORD_KIND_NAMES: readonly RecordKind[] = Object.keys(RECORD_KINDS) as RecordKind[];

export function isItemKind(kind: RecordKind): kind is ItemKind {
  return RECORD_KINDS[kind].caseScoped;
}

/** The kinds of a case's items, in listing order. */
export const ITEM_KINDS: readonly ItemKind[] = RECORD_KIND_NAMES.filter(isItemKind);

/** The Dexie table of every kind, in listing order. */
export const RECORD_TABLES: readonly RecordTableName[] = RECORD_KIND_NAMES.map(
  (kind) => RECORD_KINDS[kind].table,
);

/** Parses a kind's name (operations, the service contract, the audit trail). */
export const recordKindSchema = z.enum(RECORD_KIND_NAMES as [RecordKind, ...RecordKind[]]);

/** Parses a record of any kind, by its `kind`. */
export const anyRecordSchema = z.discriminatedUnion(
  'kind',
  RECORD_KIND_NAMES.map((kind) => RECORD_KINDS[kind].schema) as unknown as [
    SchemaOf<RecordKind>,
    ...SchemaOf<RecordKind>[],
  ],
);

/**
 * The entry of a record's kind, seen through what every kind has in common: TypeScript cannot tie
 * `RECORD_KINDS[record.kind]` to the record's own type, so each entry's caption is called with
 * the record whose kind selected it.
 */
interface AnyKindEntry {
  readonly caption: (record: AnyRecord, style: CaptionStyle) => string;
  readonly release: {
    readonly about?: { readonly field: string; readonly noun: string };
  };
}

function entryOf(record: AnyRecord): AnyKindEntry {
  return RECORD_KINDS[record.kind] as unknown as AnyKindEntry;
}

/** How people read a record's name, in the given style (see CaptionStyle). */
export function captionOfRecord(record: AnyRecord, style: CaptionStyle): string {
  return entryOf(record).caption(record, style);
}

/** The entity a record is about (I3), with the word for it, or undefined when it names none. */
export function aboutOf(
  record: AnyRecord,
): { readonly entityId: string | undefined; readonly noun: string } | undefined {
  const about = entryOf(record).release.about;
  if (!about) return undefined;
  const value = (record as unknown as Readonly<Record<string, unknown>>)[about.field];
  return { entityId: typeof value === 'string' ? value : undefined, noun: about.noun };
}

// ---------------------------------------------------------------------------------------------
// Record sets: a case's items as one list per kind, keyed by table name (the case file's shape).

/**
 * One list per item kind, keyed by table name. `A` is the attachment type: a case file's
 * attachments carry their content (`contentBase64`) beside the record.
 */
export type ItemLists<A = RecordOfKind<'attachment'>> = {
  readonly [K in ItemKind as TableOf<K>]: readonly (K extends 'attachment' ? A : RecordOfKind<K>)[];
};

/** Every item of a record set, in listing order. */
export function itemsOf<A extends RecordOfKind<'attachment'>>(
  set: ItemLists<A>,
): (RecordOfKind<Exclude<ItemKind, 'attachment'>> | A)[] {
  return ITEM_KINDS.flatMap<RecordOfKind<Exclude<ItemKind, 'attachment'>> | A>(
    (kind) => set[RECORD_KINDS[kind].table],
  );
}

/** Sorts records into one list per item kind, keeping their order; case records are left out. */
export function groupItems<A extends RecordOfKind<'attachment'> = RecordOfKind<'attachment'>>(
  records: Iterable<RecordOfKind<Exclude<RecordKind, 'attachment'>> | A>,
): ItemLists<A> {
  const lists = new Map<RecordKind, unknown[]>(ITEM_KINDS.map((kind) => [kind, []]));
  for (const record of records) lists.get(record.kind)?.push(record);
  return perItemList((kind) => lists.get(kind)!) as unknown as ItemLists<A>;
}

/** A record set with every list empty. */
export function emptyItemLists(): ItemLists<never> {
  return groupItems<never>([]);
}

/** The zod shape of one array per item kind, keyed by table name (the case file's lists). */
export type ItemArraysShape = {
  [K in ItemKind as TableOf<K>]: z.ZodArray<SchemaOf<K>>;
};

export function itemArraysShape(): ItemArraysShape {
  return perItemList((kind) => z.array(RECORD_KINDS[kind].schema)) as unknown as ItemArraysShape;
}

/** One value per item kind, keyed by table name (counts per list, one zod field per list…). */
export type PerItemList<T> = { readonly [K in ItemKind as TableOf<K>]: T };

export function perItemList<T>(make: (kind: ItemKind) => T): PerItemList<T> {
  return Object.fromEntries(
    ITEM_KINDS.map((kind) => [RECORD_KINDS[kind].table, make(kind)]),
  ) as unknown as PerItemList<T>;
}
