/**
 * The first export's offer (issue 12): which of this case's records stay home only because nobody
 * has marked them for any partner yet, and would go to this partner under its agreement once
 * marked releasable to it.
 *
 * Deny by default stays: this computes an offer, it marks nothing. The officer sees the list and
 * confirms it with one click (one unit of work, one undo step; MarkingsPanel's bulk marking).
 *
 * How: the candidates are our own live records (the case record included: nothing goes without
 * it) that the policy withholds and whose releasable-to list is empty — "unmarked". The policy
 * (shared/exchange/policy.ts, the same rules the Node service runs) is then run again on a copy of
 * the case with every candidate marked releasable to the partner; the offer is the candidates that
 * copy releases. One run is exact: a candidate the copy still withholds (TLP:RED, a classification
 * above the agreement, a data category it does not cover…) is withheld whether or not it is
 * marked, so leaving its marking as it is changes nothing for the others.
 */
import type { SharingAgreement } from '../../shared/exchange/agreement.ts';
import { decideRelease } from '../../shared/exchange/policy.ts';
import type { ReleaseInput } from '../../shared/exchange/policy.ts';
import { recordsOf } from '../../shared/exchange/caseRecords.ts';
import { captionOfRecord, groupItems, itemsOf } from '../../shared/model/recordKinds.ts';
import { captionOf, edgeEnds, model } from '../../shared/model/index.ts';
import type { AnyRecord } from '../../shared/model/index.ts';

export interface OfferedRecord {
  readonly id: string;
  readonly caption: string;
}

export interface ReleaseOfferInput {
  readonly records: ReleaseInput;
  readonly agreement: SharingAgreement;
  readonly partnerId: string;
  readonly ownAgencyId: string;
  /** ISO time of the decision (the agreement's validity). */
  readonly now: string;
}

function marked<R extends AnyRecord>(record: R, partnerId: string): R {
  return { ...record, markings: { ...record.markings, releasableTo: [partnerId] } };
}

/** The records to offer for marking releasable to `partnerId`, in the case's order. */
export function releaseOffer(input: ReleaseOfferInput): OfferedRecord[] {
  const { records, agreement, partnerId, ownAgencyId, now } = input;
  const before = decideRelease(records, agreement, partnerId, ownAgencyId, { now });
  const withheld = new Set(before.withheld.map((item) => item.id));
  const all = recordsOf(records);
  const candidates = new Set(
    all
      .filter(
        (record) =>
          withheld.has(record.id) &&
          !record.deleted &&
          record.originAgency === ownAgencyId &&
          record.markings.releasableTo.length === 0,
      )
      .map((record) => record.id),
  );
  if (candidates.size === 0) return [];
  const mark = <R extends AnyRecord>(record: R): R =>
    candidates.has(record.id) ? marked(record, partnerId) : record;
  const copy: ReleaseInput = {
    case: mark(records.case),
    ...groupItems(itemsOf(records).map(mark)),
  };
  const after = decideRelease(copy, agreement, partnerId, ownAgencyId, { now });
  const released = new Set(recordsOf(after.released).map((record) => record.id));
  const byId = new Map(all.map((record) => [record.id, record]));
  return all
    .filter((record) => candidates.has(record.id) && released.has(record.id))
    .map((record) => ({ id: record.id, caption: offerCaption(record, byId) }));
}

/** A relationship reads by its ends ("Directorship: Ivan Petrov → Danube Freight"). */
function offerCaption(record: AnyRecord, byId: ReadonlyMap<string, AnyRecord>): string {
  const ends = record.kind === 'entity' ? edgeEnds(record.schema, record.properties) : undefined;
  if (record.kind !== 'entity' || !ends) return captionOfRecord(record, 'release');
  const end = (id: string) => {
    const found = byId.get(id);
    return found?.kind === 'entity' ? captionOf(found.schema, found.properties) : id;
  };
  const label = model.schemata[record.schema]?.label ?? record.schema;
  return `${label}: ${end(ends.source)} → ${end(ends.target)}`;
}
