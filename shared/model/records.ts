/**
 * Tessera's stored records. Every record is sync-ready: a stable id, an HLC `updatedAt`, a
 * tombstone flag instead of hard deletion, the originating agency, markings, provenance and grading.
 * Entities and relationships hold FollowTheMoney data (`schema` + multi-valued `properties`), so they
 * round-trip with Aleph and OpenSanctions; everything else is Tessera's own.
 */
import type { Grading } from './grading.ts';
import type { Markings } from './markings.ts';

/** Where a piece of information came from. */
export interface Provenance {
  /** Source document or report reference, e.g. "Surveillance log 2024/117". */
  readonly source: string;
  /** Agency id of the originator (who owns markings and grading). */
  readonly originAgency: string;
  /** User name of who recorded it. */
  readonly recordedBy: string;
  /** ISO timestamp of when it was recorded. */
  readonly recordedAt: string;
  /** For records made by the import wizard: the file, its row and the specification (issue 11). */
  readonly imported?: ImportedFrom;
}

/** The file row a record was imported from (the same shape as shared/importer's ImportProvenance). */
export interface ImportedFrom {
  readonly fileName: string;
  readonly fileSha256: string;
  readonly row: number;
  readonly spec: string;
  readonly specVersion: number;
  /**
   * The import (one wizard run) that wrote the record: its records are hidden while it is written
   * or removed (renderer/db/pendingImports.ts). Absent in records imported before it existed.
   */
  readonly importId?: string;
}

export interface RecordBase {
  /** Stable, globally unique id (ULID). Never reused, never changed. */
  readonly id: string;
  /** Hybrid logical clock of the last change (see hlc.ts). */
  readonly updatedAt: string;
  /** HLC of the creation. */
  readonly createdAt: string;
  /** Tombstone: deleted records stay so the deletion can travel to partners. */
  readonly deleted: boolean;
  /** Agency id of the originator. */
  readonly originAgency: string;
  readonly markings: Markings;
}

export type CaseStatus = 'open' | 'suspended' | 'closed' | 'archived';

export interface CaseRecord extends RecordBase {
  readonly kind: 'case';
  /** Agency reference number, e.g. "EUR/2024/00117". */
  readonly reference: string;
  readonly title: string;
  readonly status: CaseStatus;
  readonly leadInvestigator: string;
  /** Crime areas, e.g. "trafficking in human beings", "drug trafficking". */
  readonly crimeAreas: readonly string[];
  /** ISO-3166 alpha-2 country codes (lower case) of the jurisdictions involved. */
  readonly jurisdictions: readonly string[];
  readonly openedOn: string;
  readonly closedOn?: string;
  readonly description?: string;
}

/** FtM property values: every property is multi-valued text; entity references hold the target id. */
export type EntityProperties = Readonly<Record<string, readonly string[]>>;

/**
 * An FtM entity: a thing (Person, Company, Vehicle…) or, when its schema is an edge schema
 * (Ownership, Payment, Family…), a relationship whose ends are entity-reference properties.
 */
export interface EntityRecord extends RecordBase {
  readonly kind: 'entity';
  readonly caseId: string;
  readonly schema: string;
  readonly properties: EntityProperties;
  readonly provenance: Provenance;
  readonly grading: Grading;
  /** Markings of single properties, where set; the record's markings apply otherwise. */
  readonly propertyMarkings?: Readonly<Record<string, Markings>>;
  /** What an import from another tool kept beside the properties (see ExternalEntityData). */
  readonly external?: ExternalEntityData;
}

/**
 * An imported entity's data from the file it came from, kept so an export writes it back (issue 11):
 * its id there (ids from outside are never used as record ids, so an import cannot touch another
 * case), the FtM statement metadata, and values the model could not take.
 */
export interface ExternalEntityData {
  /** The entity's id in the file it was imported from; exports write it back. */
  readonly id: string;
  /** The format it came from, e.g. "ftm", "graphml". */
  readonly format: string;
  readonly caption?: string;
  readonly datasets?: readonly string[];
  readonly referents?: readonly string[];
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly lastChange?: string;
  readonly target?: boolean;
  /**
   * Values kept verbatim that the model could not take: properties it does not know, values that
   * fail their type's check. Exports write them back as properties.
   */
  readonly extra?: EntityProperties;
  /**
   * True for a stand-in for an entity the file referred to but did not hold: visible in the case,
   * resolvable later by merging it with the real one; exports leave it out and write its id.
   */
  readonly unresolved?: boolean;
}

export interface NoteRecord extends RecordBase {
  readonly kind: 'note';
  readonly caseId: string;
  /** The entity the note is about, if any. */
  readonly entityId?: string;
  readonly title: string;
  readonly body: string;
  readonly author: string;
}

export interface AttachmentRecord extends RecordBase {
  readonly kind: 'attachment';
  readonly caseId: string;
  readonly entityId?: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the content, checked again whenever the blob is read back. */
  readonly sha256: string;
  readonly description?: string;
  readonly provenance: Provenance;
}

export type NoticeColour = 'red' | 'yellow' | 'blue' | 'black' | 'green' | 'orange' | 'purple';
export type NoticeType = NoticeColour | 'diffusion' | 'warrant' | 'alert';
export type NoticeStatus = 'requested' | 'issued' | 'hit-reported' | 'cancelled' | 'expired';

export interface NoticeRecord extends RecordBase {
  readonly kind: 'notice';
  readonly caseId: string;
  readonly noticeType: NoticeType;
  /** Entity id of the subject (a person, a stolen item, …). */
  readonly subjectId?: string;
  readonly reference: string;
  readonly issuingAgency: string;
  readonly status: NoticeStatus;
  readonly issuedOn?: string;
  readonly expiresOn?: string;
  readonly summary: string;
}

export interface ChartNodeView {
  readonly x: number;
  readonly y: number;
  /** Optional per-node style overrides. */
  readonly color?: string;
  readonly size?: number;
}

/** A saved view of part of a case: which entities, where, and how they look. */
export interface ChartRecord extends RecordBase {
  readonly kind: 'chart';
  readonly caseId: string;
  readonly name: string;
  /** Entity id → position and style. Relationships show when both ends are on the chart. */
  readonly nodes: Readonly<Record<string, ChartNodeView>>;
  readonly layout: string;
  readonly viewport?: { readonly zoom: number; readonly panX: number; readonly panY: number };
}

export type CaseItem = EntityRecord | NoteRecord | AttachmentRecord | NoticeRecord | ChartRecord;
export type AnyRecord = CaseRecord | CaseItem;
export type RecordKind = AnyRecord['kind'];

/** One append-only line of the audit trail, written in the same transaction as the change. */
export interface AuditEntry {
  readonly id: string;
  readonly caseId: string;
  readonly recordId: string;
  readonly recordKind: RecordKind;
  readonly action: 'create' | 'update' | 'delete' | 'restore' | 'import' | 'merge';
  readonly actor: string;
  /** ISO wall time, for people; `hlc` orders entries. */
  readonly at: string;
  readonly hlc: string;
  /** Entries written by one user action (one transaction) share a change id; undo works per change. */
  readonly changeId: string;
  readonly before?: AnyRecord;
  readonly after?: AnyRecord;
  /** Human summary, e.g. "name: 'Ivan P.' → 'Ivan Petrov'". */
  readonly summary: string;
}
