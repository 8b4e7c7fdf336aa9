/**
 * The one door to case storage. UI code reads and writes only through this interface (so
 * encryption at rest or sync hooks can be added in one place). Every method that changes more than
 * one record does so in a single Dexie transaction that also appends the audit entries; when it
 * throws, nothing was written.
 */
import type { CaseStoreRegistry } from './caseStore.ts';
import type { ChartNodeRow } from './database.ts';
import type { CaseFile, CaseRecords } from '../../shared/caseFile.ts';
import type {
  AnyRecord,
  AttachmentRecord,
  AuditEntry,
  CaseRecord,
  CaseStatus,
  ChartNodeView,
  ChartRecord,
  EntityProperties,
  EntityRecord,
  Grading,
  Markings,
  NoteRecord,
  NoticeRecord,
  ValidationErrors,
} from '../../shared/model/index.ts';

/** Who is acting: recorded in provenance and the audit trail. */
export interface Actor {
  readonly userName: string;
  readonly agencyId: string;
}

/**
 * What went wrong, for code to branch on (the message is for people and may be reworded).
 * - `invalid-record`: input or a record failed validation (RecordValidationError);
 * - `storage-full`: the browser refused to store more (StorageFullError);
 * - `undo-conflict`: a record an undo or redo would overwrite changed since (UndoConflictError).
 */
export type StoreErrorCode =
  'invalid-record' | 'storage-full' | 'undo-conflict' | 'duplicate-attachment';

/** Thrown when input is invalid; `errors` maps a field or property name to a message. */
export class RecordValidationError extends Error {
  override readonly name = 'RecordValidationError';
  readonly code: StoreErrorCode = 'invalid-record';
  constructor(readonly errors: ValidationErrors) {
    super(Object.values(errors).join('; '));
  }
}

/**
 * Thrown by addAttachment when the same content (same SHA-256) is already attached to the same case
 * and entity: a second copy would only double the evidence list (issue 12). `existing` is the
 * attachment already stored; pass `allowDuplicate` to attach the copy all the same.
 */
export class DuplicateAttachmentError extends Error {
  override readonly name = 'DuplicateAttachmentError';
  readonly code: StoreErrorCode = 'duplicate-attachment';
  constructor(readonly existing: AttachmentRecord) {
    super(`the same file is already attached as '${existing.fileName}'`);
  }
}

/** Thrown when the browser refuses to store more (quota); nothing of the change was saved. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  readonly code: StoreErrorCode = 'storage-full';
}

/**
 * Thrown by undo and redo when a record they would put back changed after the change being
 * reverted (an edit in another window, a merge undone from the Duplicates panel, a purge): the
 * database is left exactly as it was. `records` names them as people know them.
 */
export class UndoConflictError extends Error {
  override readonly name = 'UndoConflictError';
  readonly code: StoreErrorCode = 'undo-conflict';
  constructor(
    readonly direction: 'undo' | 'redo',
    /** The label of the change that could not be reverted, e.g. "Edit Ivan Petrov". */
    readonly label: string,
    /** Captions of the records changed since, e.g. "Person 'Ivan Petrov'". */
    readonly records: readonly string[],
  ) {
    const shown = records.slice(0, 3).join(', ');
    const more = records.length > 3 ? ` and ${records.length - 3} more` : '';
    super(
      `Cannot ${direction}: ${shown}${more} ${records.length === 1 ? 'was' : 'were'} changed after this (${label}); nothing was changed`,
    );
  }
}

export interface NewCaseInput {
  readonly reference: string;
  readonly title: string;
  readonly leadInvestigator: string;
  readonly crimeAreas?: readonly string[];
  readonly jurisdictions?: readonly string[];
  readonly openedOn?: string;
  readonly description?: string;
  /**
   * Also make the case's case chart ("Case chart") in the same change, so the case has a chart
   * from the start and its new entities appear on it (shared/model/caseChart.ts). The case form
   * asks for it; imports and tests that build cases record by record leave it out.
   */
  readonly withCaseChart?: boolean;
}

export interface CasePatch {
  readonly reference?: string;
  readonly title?: string;
  readonly status?: CaseStatus;
  readonly leadInvestigator?: string;
  readonly crimeAreas?: readonly string[];
  readonly jurisdictions?: readonly string[];
  readonly closedOn?: string;
  readonly description?: string;
}

export interface EntityMeta {
  /** Source document or report; defaults to "Recorded in Tessera". */
  readonly source?: string;
  readonly grading?: Grading;
  readonly markings?: Markings;
}

export interface EntityPatch extends EntityMeta {
  /** Replaces the whole property map (the editor always sends the full set). */
  readonly properties?: EntityProperties;
}

export interface NewAttachmentInput {
  readonly fileName: string;
  readonly mediaType: string;
  readonly content: Blob;
  readonly entityId?: string;
  readonly description?: string;
  /** Attach even when the same content is already attached to the same case and entity. */
  readonly allowDuplicate?: boolean;
}

export interface NewNoteInput {
  readonly title: string;
  readonly body: string;
  readonly entityId?: string;
}

export type NoticeInput = Pick<
  NoticeRecord,
  'noticeType' | 'reference' | 'issuingAgency' | 'status' | 'summary'
> &
  Partial<Pick<NoticeRecord, 'subjectId' | 'issuedOn' | 'expiresOn'>>;

export interface ImportOptions {
  /** False for imports people did not ask for (the demo case at the first start). Default true. */
  readonly undoable?: boolean;
}

export interface UndoState {
  /** Label of the change undo() would revert, e.g. "Edit Ivan Petrov". */
  readonly undoLabel?: string;
  readonly redoLabel?: string;
}

export interface StorageEstimate {
  readonly usage: number;
  readonly quota: number;
  readonly persisted: boolean;
}

export interface CaseRepository {
  // Cases
  createCase(input: NewCaseInput): Promise<CaseRecord>;
  updateCase(caseId: string, patch: CasePatch): Promise<CaseRecord>;
  getCase(caseId: string): Promise<CaseRecord | undefined>;
  /** Live lists are read with dexie-react-hooks from the queries module; this is for one-off reads. */
  /** Non-deleted cases, most recently changed first (archived ones included; the UI filters). */
  listCases(): Promise<CaseRecord[]>;

  // Entities and relationships (relationships are entities with an edge schema)
  createEntity(
    caseId: string,
    schema: string,
    properties: EntityProperties,
    meta?: EntityMeta,
  ): Promise<EntityRecord>;
  updateEntity(entityId: string, patch: EntityPatch): Promise<EntityRecord>;
  /** Tombstones the entity and every relationship that has it at one end, in one transaction. */
  deleteEntity(entityId: string): Promise<void>;
  /** Live (non-deleted) entities and relationships of a case. */
  listEntities(caseId: string): Promise<EntityRecord[]>;
  /**
   * The per-case in-memory entity stores of this repository, fed by its unit of work
   * (caseStore.ts). Components read them through the hooks of queries.ts.
   */
  readonly caseStores: CaseStoreRegistry;
  getEntity(entityId: string): Promise<EntityRecord | undefined>;

  // Attachments (content stored as a Blob; SHA-256 computed on the way in, checked on the way out)
  addAttachment(caseId: string, input: NewAttachmentInput): Promise<AttachmentRecord>;
  getAttachmentContent(attachmentId: string): Promise<Blob>;
  listAttachments(caseId: string): Promise<AttachmentRecord[]>;
  deleteAttachment(attachmentId: string): Promise<void>;

  // Notes
  createNote(caseId: string, input: NewNoteInput): Promise<NoteRecord>;
  updateNote(noteId: string, patch: Partial<NewNoteInput>): Promise<NoteRecord>;
  deleteNote(noteId: string): Promise<void>;
  listNotes(caseId: string): Promise<NoteRecord[]>;

  // Notices
  createNotice(caseId: string, input: NoticeInput): Promise<NoticeRecord>;
  updateNotice(noticeId: string, patch: Partial<NoticeInput>): Promise<NoticeRecord>;
  deleteNotice(noticeId: string): Promise<void>;
  listNotices(caseId: string): Promise<NoticeRecord[]>;

  // Charts
  createChart(
    caseId: string,
    name: string,
    nodes?: Record<string, ChartNodeView>,
  ): Promise<ChartRecord>;
  updateChart(
    chartId: string,
    patch: Partial<Pick<ChartRecord, 'name' | 'nodes' | 'layout' | 'viewport'>>,
  ): Promise<ChartRecord>;
  /**
   * Moves some nodes of `chart` (the live version the view shows) to the given positions: only
   * those nodes are written, audited and kept for undo (per-node rows, renderer/db/chartNodes.ts),
   * not the whole chart.
   */
  moveChartNodes(chart: ChartRecord, nodes: Readonly<Record<string, ChartNodeView>>): Promise<void>;
  deleteChart(chartId: string): Promise<void>;
  listCharts(caseId: string): Promise<ChartRecord[]>;
  /**
   * The case's live charts as last written whole, without the node moves since: a live query of
   * these is not re-run by a drag. useCharts lays them and listChartNodeMoves together (liveChart).
   */
  listChartRecords(caseId: string): Promise<ChartRecord[]>;
  /** The per-node moves of the case's charts since each was last written whole (chartNodes.ts). */
  listChartNodeMoves(caseId: string): Promise<ChartNodeRow[]>;
  getChart(chartId: string): Promise<ChartRecord | undefined>;

  /**
   * Writes the given versions of records back (with fresh clocks) in one undoable change, auditing
   * each one as a 'restore' with `reason` (also the change's undo label).
   */
  restoreVersions(versions: readonly AnyRecord[], reason: string): Promise<void>;

  /**
   * Undo and redo of this page's changes: each public mutation above is one undoable change, and
   * so is every change other writers commit through the same unit of work (merges, bulk marking,
   * accepted bundle reviews). They throw UndoConflictError, changing nothing, when a record the
   * change wrote was changed since by something that is not on the stack.
   */
  undo(): Promise<string | undefined>;
  redo(): Promise<string | undefined>;
  undoState(): UndoState;
  /** Calls `listener` whenever undoState() changes; returns the unsubscribe function. */
  subscribeUndo(listener: (state: UndoState) => void): () => void;

  // Audit
  history(recordId: string): Promise<AuditEntry[]>;
  /** The audit trail of a whole case, oldest first (the report's audit appendix). */
  caseAudit(caseId: string): Promise<AuditEntry[]>;

  // Whole cases
  exportCase(caseId: string): Promise<CaseFile>;
  /**
   * The case's records without attachment content (a few bytes per attachment instead of its
   * base64): what the exchange previews and seals from; content is uploaded in pieces apart.
   */
  exportCaseRecords(caseId: string): Promise<CaseRecords>;
  /** Imports a case file as one transaction: all or nothing. Returns the case id. Undoable. */
  importCase(file: CaseFile, options?: ImportOptions): Promise<string>;
  /**
   * Removes every record of the case for good, with its audit trail and sync state (used for
   * "Start empty" on the demo). Not undoable.
   */
  purgeCase(caseId: string): Promise<void>;

  // Storage
  requestPersistence(): Promise<boolean>;
  estimateStorage(): Promise<StorageEstimate>;
}
