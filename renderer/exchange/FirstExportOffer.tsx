/**
 * The first export of a case explains deny by default (issue 12): nothing leaves unless it is
 * marked releasable to the partner, so a case nobody has marked yet sends nothing. The offer lists
 * the unmarked records this partner's agreement lets go (releaseOffer.ts) and marks them with one
 * click: one bulk marking, one unit of work, one undo step. Nothing is marked before that click.
 */
import { useMemo } from 'react';
import type { CaseRecords } from '../../shared/caseFile.ts';
import type { PartnerView } from '../../shared/contract/exchange.ts';
import { releaseOffer } from './releaseOffer.ts';

/** Whether no bundle of this case has gone to any partner yet (the service's sync states). */
export function isFirstExport(partners: readonly PartnerView[], caseId: string): boolean {
  return !partners.some((partner) =>
    partner.cases.some((entry) => entry.caseId === caseId && entry.lastSentSequence > 0),
  );
}

/** What every first export shows above the partners, before any preview. */
export function FirstExportNote() {
  return (
    <div className="exchange-first-export" data-testid="first-export-note" role="note">
      <strong>First export of this case.</strong> Nothing leaves unless it is marked releasable to
      the partner: records nobody has marked stay home (deny by default). The preview lists each one
      with the rule that keeps it, and offers to mark in one step what the partner’s agreement
      allows.
    </div>
  );
}

export interface FirstExportOfferProps {
  readonly partner: PartnerView;
  readonly records: CaseRecords;
  readonly ownAgencyId: string;
  readonly busy: boolean;
  readonly onMark: (recordIds: readonly string[]) => void;
}

/** One partner's offer, under its preview. */
export function FirstExportOffer({
  partner,
  records,
  ownAgencyId,
  busy,
  onMark,
}: FirstExportOfferProps) {
  const { agreement } = partner;
  const offer = useMemo(
    () =>
      agreement
        ? releaseOffer({
            records,
            agreement,
            partnerId: partner.agencyId,
            ownAgencyId,
            now: new Date().toISOString(),
          })
        : [],
    [records, agreement, partner.agencyId, ownAgencyId],
  );
  if (!agreement || offer.length === 0) return null;
  const n = offer.length;
  const plural = n === 1 ? 'record' : 'records';
  return (
    <div className="exchange-offer" data-testid={`release-offer-${partner.agencyId}`}>
      <p>
        {n} {plural} of this case stay home only because nobody has marked them releasable yet. The
        agreement with {partner.agencyName} ({agreement.legalBasis}) lets {n === 1 ? 'it' : 'them'}{' '}
        go once marked:
      </p>
      <ul className="exchange-offer-list">
        {offer.map((item) => (
          <li key={item.id} data-testid={`release-offer-item-${item.id}`}>
            {item.caption}
          </li>
        ))}
      </ul>
      <p className="muted">
        Check the list: anything you mark goes to {partner.agencyName} with the next bundle. Undo in
        the top bar takes the marking back.
      </p>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => onMark(offer.map((item) => item.id))}
        data-testid={`release-offer-mark-${partner.agencyId}`}
      >
        Mark {n} {plural} releasable to {partner.agencyName}
      </button>
    </div>
  );
}
