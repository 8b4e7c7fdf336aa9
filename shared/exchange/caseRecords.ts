/**
 * Every record of a case (or of the part of it a release lets go) as one list: the case record
 * first, then each item kind. The policy, its second check, its mention search and the sealer all
 * walk a case this way; until record kinds have one registry (issue 9), this is the one place that
 * names them for the exchange.
 */
import type {
  AnyRecord,
  AttachmentRecord,
  CaseItem,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
} from '../model/records.ts';

export interface CaseRecordSet<A extends AttachmentRecord = AttachmentRecord> {
  /** Absent in a release that lets nothing go. */
  readonly case?: CaseRecord | undefined;
  readonly entities: readonly EntityRecord[];
  readonly notes: readonly NoteRecord[];
  readonly attachments: readonly A[];
  readonly notices: readonly NoticeRecord[];
  readonly charts: readonly ChartRecord[];
}

/** The items of a case (everything but the case record). */
export function itemsOf(set: CaseRecordSet): CaseItem[] {
  return [...set.entities, ...set.notes, ...set.attachments, ...set.notices, ...set.charts];
}

/** The case record (when present) and every item. */
export function recordsOf(set: CaseRecordSet): AnyRecord[] {
  return [...(set.case ? [set.case] : []), ...itemsOf(set)];
}
