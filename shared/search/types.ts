// Documents the search index accepts. Entities follow FollowTheMoney; notes and attachment text
// are indexed beside them and told apart by `kind`.

export interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
}

export interface NoteDoc {
  kind: 'note';
  id: string;
  caseId: string;
  body: string;
}

export interface AttachmentDoc {
  kind: 'attachment';
  id: string;
  text: string;
  /** File name, indexed too when given. */
  name?: string;
}

export type EntityDoc = FtmEntity & { kind?: 'entity' };

export type SearchDocument = EntityDoc | NoteDoc | AttachmentDoc;

export type DocKind = 'entity' | 'note' | 'attachment';

export interface SearchOptions {
  /** Default 20. */
  limit?: number;
  /**
   * FtM schema names (a parent such as 'LegalEntity' also admits its descendants) and/or the
   * kinds 'entity' / 'note' / 'attachment'. Empty or absent: everything.
   */
  schemata?: string[];
  /** ISO date, possibly partial ('1980', '1980-02'); documents with a date property overlapping. */
  dateFrom?: string;
  dateTo?: string;
  /** ISO-3166 alpha-2 codes (any case); documents with a country-typed value among them. */
  countries?: string[];
}

export interface SearchHit {
  id: string;
  kind: DocKind;
  /** Entity schema; absent for notes and attachments. */
  schema?: string;
  score: number;
  /** Index terms (folded) that matched, including typo and prefix expansions. */
  matchedTerms: string[];
  /** Short excerpt of the source around the first match: 'name: Ivan Petrov' or note text. */
  snippet?: string;
}
