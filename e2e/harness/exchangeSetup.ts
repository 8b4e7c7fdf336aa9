/**
 * Two agencies that trust each other, set up through each web host's own service handlers (the
 * same ones its pages reach over /rpc) rather than through the UI: tests and the screenshot
 * script that are about something else start from here. e2e/exchange.e2e.ts walks these steps
 * through the UI itself.
 */
import type { SharingAgreement } from '../../shared/exchange/agreement.ts';
import type { TestHost } from './index.ts';

export const EXCHANGE_PASSPHRASE = 'correct horse battery staple';

export interface Agency {
  readonly host: Pick<TestHost, 'handlers'>;
  readonly agencyId: string;
  readonly agencyName: string;
}

/** Names the installation (every record it creates carries the id): before its page opens. */
export async function nameAgency(agency: Agency, userName = 'Test Investigator'): Promise<void> {
  await agency.host.handlers['settings.update']({
    agencyId: agency.agencyId,
    agencyName: agency.agencyName,
    userName,
  });
}

/**
 * Identities for both, each other's card imported and its fingerprint confirmed, and an
 * agreement each way (in force since 2024, persons, organisations and locations up to
 * RESTRICTED, unless `agreement` says otherwise).
 */
export async function pairAgencies(
  a: Agency,
  b: Agency,
  agreement: Partial<Omit<SharingAgreement, 'partnerAgencyId'>> &
    Pick<SharingAgreement, 'crimeAreas'>,
): Promise<void> {
  const cards = new Map<Agency, { cardJson: string; fingerprint: string }>();
  for (const agency of [a, b]) {
    const view = await agency.host.handlers['exchange.identity.create']({
      agencyId: agency.agencyId,
      agencyName: agency.agencyName,
      passphrase: EXCHANGE_PASSPHRASE,
    });
    cards.set(agency, { cardJson: view.cardJson, fingerprint: view.summary.fingerprintHex });
  }
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const card = cards.get(other)!;
    await self.host.handlers['exchange.partners.import']({ cardJson: card.cardJson });
    await self.host.handlers['exchange.partners.confirm']({
      agencyId: other.agencyId,
      fingerprint: card.fingerprint,
    });
    await self.host.handlers['exchange.partners.setAgreement']({
      agencyId: other.agencyId,
      agreement: {
        partnerAgencyId: other.agencyId,
        legalBasis: `MOU ${self.agencyId}-${other.agencyId} 2024/1`,
        highestClassification: 'RESTRICTED',
        categories: ['persons', 'organisations', 'locations'],
        retentionDays: 365,
        validFrom: '2024-01-01',
        ...agreement,
      },
    });
  }
}
