/**
 * The partner directory (`partners.json`, see state.ts): pinned cards, trust state, sharing
 * agreements and the revocations learnt from any card of a partner.
 *
 * Trust on first use with out-of-band confirmation: a new card is pinned `unconfirmed`; its
 * fingerprint, read out by the partner, makes it `trusted`. A later card is accepted only when the
 * pinned key signed the way to it (rotations); otherwise the partner is `blocked` and the presented
 * card waits for its own confirmation.
 */
import type { SharingAgreement } from '../../../shared/exchange/agreement.ts';
import { parseSharingAgreement } from '../../../shared/exchange/agreement.ts';
import type { Revocation } from '../../../shared/exchange/bundleFormat.ts';
import { parseIdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { fingerprintBytes, fingerprintMatches } from '../../../shared/exchange/fingerprint.ts';
import { errorMessage } from '../../../shared/base/errors.ts';
import { assertUsable, IdentityError, verifyCard, verifyCardChain } from '../identity/index.ts';
import { ExchangeError } from './errors.ts';
import { loadPartners, savePartners, type PartnerRecord } from './state.ts';

export interface PartnerDirectoryOptions {
  /** `<dataDir>/exchange/partners.json`. */
  readonly file: string;
  readonly now: () => Date;
}

export class PartnerDirectory {
  constructor(private readonly options: PartnerDirectoryOptions) {}

  list(): Promise<PartnerRecord[]> {
    return loadPartners(this.options.file);
  }

  async find(agencyId: string): Promise<PartnerRecord | undefined> {
    return (await this.list()).find((p) => p.agencyId === agencyId);
  }

  /** The partner, or `unknown-partner`. */
  async get(agencyId: string): Promise<PartnerRecord> {
    const partner = await this.find(agencyId);
    if (!partner) throw unknownPartner(agencyId);
    return partner;
  }

  /** The partner one of whose keys (current, rotated from, or presented) has this key id. */
  async byKey(keyId: string): Promise<PartnerRecord | null> {
    for (const partner of await this.list()) {
      const keys = [
        partner.card.keyId,
        ...partner.card.rotations.map((r) => r.fromKeyId),
        ...(partner.presentedCard ? [partner.presentedCard.keyId] : []),
      ];
      if (keys.includes(keyId)) return partner;
    }
    return null;
  }

  /**
   * Pins a new partner's card (`unconfirmed`), or takes a known partner's newer card when the
   * pinned key signed the way to it; otherwise blocks the partner with a warning. `ownAgencyId`
   * (when an identity exists) refuses our own card.
   */
  async importCard(cardJson: string, ownAgencyId: string | null): Promise<PartnerRecord> {
    const card = parseIdentityCard(cardJson);
    verifyCard(card);
    if (ownAgencyId === card.agencyId) {
      throw new ExchangeError('own-card', 'this is our own identity card, not a partner’s');
    }
    const partners = await this.list();
    const index = partners.findIndex((p) => p.agencyId === card.agencyId);
    const revocations = (known: readonly Revocation[]): Revocation[] => {
      const all = [...known, ...(card.revocation ? [card.revocation] : [])];
      return [...new Map(all.map((r) => [r.keyId, r])).values()];
    };
    let record: PartnerRecord;
    if (index < 0) {
      record = {
        agencyId: card.agencyId,
        card,
        presentedCard: null,
        state: 'unconfirmed',
        warning: card.revocation
          ? `the key ${card.keyId} of this card is revoked (${card.revocation.reason})`
          : null,
        pinnedAt: this.nowIso(),
        confirmedAt: null,
        agreement: null,
        revocations: revocations([]),
      };
      partners.push(record);
    } else {
      const pinned = partners[index]!;
      try {
        verifyCardChain(pinned.card, card, pinned.revocations);
        // Same key or a rotation signed by the pinned key: the new card replaces the pinned one.
        record = {
          ...pinned,
          card,
          presentedCard: null,
          state: pinned.state === 'blocked' ? 'trusted' : pinned.state,
          warning: null,
          revocations: revocations(pinned.revocations),
        };
      } catch (error) {
        if (!(error instanceof IdentityError)) throw error;
        record = {
          ...pinned,
          presentedCard: card,
          state: 'blocked',
          warning: `${error.message}. Exchange with ${pinned.card.agencyName} is blocked until the new fingerprint is confirmed out of band.`,
          revocations: revocations(pinned.revocations),
        };
      }
      partners[index] = record;
    }
    await savePartners(this.options.file, partners);
    return record;
  }

  /**
   * Out-of-band confirmation of the card to pin (the presented one of a blocked partner): trusted
   * when the fingerprint matches, else `fingerprint-mismatch`.
   */
  async confirm(agencyId: string, fingerprint: string): Promise<PartnerRecord> {
    const partner = await this.get(agencyId);
    const candidate = partner.presentedCard ?? partner.card;
    if (!fingerprintMatches(fingerprintBytes(candidate), fingerprint)) {
      throw new ExchangeError(
        'fingerprint-mismatch',
        `the fingerprint does not match the card of ${candidate.agencyName} (${candidate.agencyId}): do not trust this card`,
      );
    }
    assertUsable(candidate, partner.revocations);
    return this.update(agencyId, (p) => ({
      ...p,
      card: candidate,
      presentedCard: null,
      state: 'trusted',
      warning: null,
      confirmedAt: this.nowIso(),
    }));
  }

  /** Sets (or clears) the agreement; it must name this partner (`agreement-mismatch`). */
  async setAgreement(agencyId: string, input: unknown): Promise<PartnerRecord> {
    const agreement: SharingAgreement | null = input === null ? null : parseSharingAgreement(input);
    if (agreement && agreement.partnerAgencyId !== agencyId) {
      throw new ExchangeError(
        'agreement-mismatch',
        `the agreement is for ${agreement.partnerAgencyId}, not for ${agencyId}`,
      );
    }
    return this.update(agencyId, (p) => ({ ...p, agreement }));
  }

  /** Removes the partner; false when it was not there. */
  async remove(agencyId: string): Promise<boolean> {
    const partners = await this.list();
    const rest = partners.filter((p) => p.agencyId !== agencyId);
    if (rest.length === partners.length) return false;
    await savePartners(this.options.file, rest);
    return true;
  }

  private async update(
    agencyId: string,
    change: (partner: PartnerRecord) => PartnerRecord,
  ): Promise<PartnerRecord> {
    const partners = await this.list();
    const index = partners.findIndex((p) => p.agencyId === agencyId);
    if (index < 0) throw unknownPartner(agencyId);
    const updated = change(partners[index]!);
    partners[index] = updated;
    await savePartners(this.options.file, partners);
    return updated;
  }

  private nowIso(): string {
    return this.options.now().toISOString();
  }
}

function unknownPartner(agencyId: string): ExchangeError {
  return new ExchangeError('unknown-partner', `no partner agency ${agencyId} in the directory`);
}

/**
 * Why nothing may be sealed for this partner now (empty: ready): unknown, unconfirmed, blocked,
 * no agreement, or a card that is revoked.
 */
export function releaseProblems(partner: PartnerRecord | undefined, agencyId: string): string[] {
  if (!partner) return [`${agencyId} is not in the partner directory`];
  const problems: string[] = [];
  if (partner.state === 'unconfirmed')
    problems.push('the partner’s fingerprint has not been confirmed out of band');
  if (partner.state === 'blocked') problems.push(partner.warning ?? 'the partner is blocked');
  if (!partner.agreement) problems.push('there is no sharing agreement with this partner');
  try {
    assertUsable(partner.card, partner.revocations);
  } catch (error) {
    problems.push(errorMessage(error));
  }
  return problems;
}
