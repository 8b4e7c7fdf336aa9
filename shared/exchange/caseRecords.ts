/**
 * Every record of a case (or of the part of it a release lets go) as one list: the case record
 * first, then each item kind in the registry's order (model/recordKinds.ts). The policy, its second
 * check, its mention search and the sealer all walk a case this way.
 */
import type { ItemLists } from '../model/recordKinds.ts';
import { itemsOf } from '../model/recordKinds.ts';
import type { AnyRecord, AttachmentRecord, CaseRecord } from '../model/records.ts';

export { itemsOf } from '../model/recordKinds.ts';

export type CaseRecordSet<A extends AttachmentRecord = AttachmentRecord> = {
  /** Absent in a release that lets nothing go. */
  readonly case?: CaseRecord | undefined;
} & ItemLists<A>;

/** The case record (when present) and every item. */
export function recordsOf<A extends AttachmentRecord>(set: CaseRecordSet<A>): AnyRecord[] {
  return [...(set.case ? [set.case] : []), ...itemsOf(set)];
}
