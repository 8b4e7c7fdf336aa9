/**
 * The import wizard's contract (issue 11): what a saved import specification says, what the
 * engine makes of one row, and what it reports. The engine (shared/importer/) is pure: it reads
 * text rows and produces record drafts; the renderer's worker feeds it rows from a streaming parser,
 * the renderer's writer stores its output as one change, and the CLI (`tessera import --spec`) and
 * the benchmark run the same engine.
 *
 * A specification is versioned JSON a user can save, export and share; `format`/`formatVersion`
 * are the file format, `name`/`version` the user's specification and its revision (the revision is
 * written into every imported record's provenance).
 */
import type { EntityRecord, Grading, ImportedFrom, Markings } from '../model/index.ts';

export const IMPORT_SPEC_FORMAT = 'tessera-import-spec';
export const IMPORT_SPEC_FORMAT_VERSION = 1;

/** How to read the file. `'auto'` (or absent) means detected from the content. */
export interface SourceOptions {
  readonly kind: 'delimited' | 'xlsx';
  /** Delimited only: `,`, `;`, `\t`, `|` or auto. */
  readonly delimiter?: string;
  /** A WHATWG encoding label (utf-8, utf-16le, windows-1250…1258, iso-8859-1…16) or auto. */
  readonly encoding?: string;
  /** Whether the first row (after `skipRows`) names the columns. */
  readonly header?: boolean | 'auto';
  readonly skipRows?: number;
  /** XLSX only: the sheet's name; the first sheet when absent. */
  readonly sheet?: string;
  /** ISO 3166 alpha-2, e.g. "AT": national phone numbers are read as this country's. */
  readonly defaultCountry?: string;
  /** IANA time zone of dates without an offset, e.g. "Europe/Vienna". UTC when absent. */
  readonly timeZone?: string;
}

/** Where a property's value comes from in one row. Columns are named by header or by 1-based index ("#3"). */
export type ValueSource =
  | { readonly column: string }
  | { readonly columns: readonly string[]; readonly join: string }
  | { readonly constant: string }
  /** Another entity of the same row, by its mapping key: the value is that entity's record id. */
  | { readonly entity: string };

export type Transform =
  | { readonly op: 'trim' }
  | { readonly op: 'upper' }
  | { readonly op: 'lower' }
  | { readonly op: 'title' }
  | { readonly op: 'replace'; readonly find: string; readonly with: string }
  /** One cell holding several values, e.g. "a; b". */
  | { readonly op: 'split'; readonly separator: string }
  /** Date/time by a pattern of the tokens yyyy MM dd HH mm ss (e.g. "dd/MM/yyyy HH:mm"); written as ISO 8601. */
  | { readonly op: 'date'; readonly pattern: string; readonly timeZone?: string }
  /** Number with a decimal comma or point; thousands separators dropped. */
  | { readonly op: 'number'; readonly decimal: ',' | '.' }
  /** Seconds from "ss", "mm:ss" or "hh:mm:ss". */
  | { readonly op: 'duration' }
  /** E.164 with libphonenumber-js; the source's defaultCountry unless given. */
  | { readonly op: 'phone'; readonly defaultCountry?: string }
  /** Electronic IBAN validated with ibantools. */
  | { readonly op: 'iban' };

export interface PropertyMapping {
  /** FtM property name of the entity's schema, e.g. "number", "startDate", "duration". */
  readonly property: string;
  readonly value: ValueSource;
  readonly transforms?: readonly Transform[];
  /**
   * A row whose value is empty is rejected (otherwise the property is left out). A value that
   * fails a transform or the model's check rejects the row either way: never silently dropped.
   */
  readonly required?: boolean;
}

/** When two entities are the same: an incoming one and another incoming or an existing one. */
export type IdentityRule =
  | { readonly by: 'phone' }
  | { readonly by: 'iban' }
  | { readonly by: 'passport' }
  | { readonly by: 'name-and-birth-date' }
  /** The same normalised value of one property (e.g. "email", "registrationNumber"). */
  | { readonly by: 'property'; readonly property: string };

export interface EntityMapping {
  /** The mapping's key, unique in the spec, e.g. "caller"; relationships refer to it. */
  readonly key: string;
  /** FtM schema, e.g. "Phone", "Call", "BankAccount", "Payment", "Person". */
  readonly schema: string;
  readonly properties: readonly PropertyMapping[];
  /** Merge with an incoming or existing entity when any rule matches. Absent: always a new entity. */
  readonly identity?: readonly IdentityRule[];
  /** When every mapped value is empty, the row simply has no such entity (no reject). */
  readonly optional?: boolean;
  /**
   * The row has this entity only when it meets every condition (e.g. a "type" column saying
   * "person" or "company"); otherwise it simply has none. Added by imp-engine, backward compatible.
   */
  readonly when?: readonly RowCondition[];
}

/**
 * A test of one cell (trimmed): `equals`/`not-equals` compare exactly, `contains` is a substring,
 * `matches` a regular expression (case-insensitive, Unicode).
 */
export interface RowCondition {
  readonly column: string;
  readonly op: 'equals' | 'not-equals' | 'contains' | 'matches' | 'empty' | 'not-empty';
  readonly value?: string;
}

export interface ImportSpec {
  readonly format: typeof IMPORT_SPEC_FORMAT;
  readonly formatVersion: typeof IMPORT_SPEC_FORMAT_VERSION;
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  readonly source: SourceOptions;
  /** A row is imported only when it meets every include condition and no exclude condition. */
  readonly include?: readonly RowCondition[];
  readonly exclude?: readonly RowCondition[];
  readonly entities: readonly EntityMapping[];
}

/**
 * Written into every imported record's provenance (`Provenance.imported`): fileSha256 is the
 * lower-case hex SHA-256 of the whole file as read; row is 1-based in the file (counting the header
 * and skipped rows), as a user sees it in a spreadsheet.
 */
export type ImportProvenance = ImportedFrom;

/** One problem with one row: shown as "row 1,204, column duration: 'abc' is not a number". */
export interface RowProblem {
  readonly row: number;
  readonly column?: string;
  readonly value?: string;
  readonly code: string;
  readonly message: string;
}

/** What the engine needs beyond the spec. */
export interface ImportRunOptions {
  readonly caseId: string;
  readonly agencyId: string;
  readonly userName: string;
  /** ISO timestamp of the import; every record's `recordedAt`. */
  readonly now: string;
  readonly fileName: string;
  readonly fileSha256: string;
  readonly grading: Grading;
  readonly markings: Markings;
  /** The case's entities, for identity rules against existing entities. */
  readonly existing?: readonly EntityRecord[];
}

/** The engine's output for a batch of rows; the writer applies all batches as one change. */
export interface ImportBatch {
  /** New entities (relationships included: edge schemata such as Call and Payment). */
  readonly created: readonly EntityRecord[];
  /** Existing or earlier-created entities that gained values through an identity rule (latest version). */
  readonly updated: readonly EntityRecord[];
  readonly problems: readonly RowProblem[];
  readonly rowsRead: number;
  readonly rowsImported: number;
  readonly rowsExcluded: number;
}

export interface ImportSummary {
  readonly rowsRead: number;
  readonly rowsImported: number;
  readonly rowsExcluded: number;
  readonly rowsRejected: number;
  readonly entitiesCreated: number;
  readonly entitiesMerged: number;
}
