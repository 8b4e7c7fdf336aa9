/** Conversions from service state to the contract's views (shared/contract/exchange.ts). */
import QRCode from 'qrcode';
import type {
  CardSummary,
  IdentityCardView,
  SyncStatusView,
} from '../../../shared/contract/exchange.ts';
import type { TransportSettingsView } from '../../../shared/exchange/transportConfig.ts';
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { fingerprintOf } from '../identity/cards.ts';
import type { SyncStatus } from '../sync/synchronizer.ts';
import { redactTransportConfig, type TransportConfig } from '../transports/registry.ts';

export function cardSummary(card: IdentityCard): CardSummary {
  const fingerprint = fingerprintOf(card);
  return {
    agencyId: card.agencyId,
    agencyName: card.agencyName,
    keyId: card.keyId,
    created: card.created,
    fingerprintHex: fingerprint.hex,
    fingerprintWords: fingerprint.words,
    revoked: card.revocation ? { reason: card.revocation.reason, at: card.revocation.at } : null,
    rotations: card.rotations.length,
  };
}

export async function identityCardView(card: IdentityCard): Promise<IdentityCardView> {
  const cardJson = `${JSON.stringify(card, null, 2)}\n`;
  // The compact JSON keeps the QR code as small as the card allows; error correction M is what
  // phone cameras read reliably off a screen.
  const qrSvg = await QRCode.toString(JSON.stringify(card), {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
  return { card, cardJson, summary: cardSummary(card), qrSvg };
}

export function syncStatusView(status: SyncStatus): SyncStatusView {
  return {
    state: status.state,
    lastSyncAt: status.lastSyncAt,
    outbox: status.outbox,
    inbox: status.inbox,
    ...(status.lastError !== undefined ? { lastError: status.lastError } : {}),
    ...(status.nextAttemptAt !== undefined ? { nextAttemptAt: status.nextAttemptAt } : {}),
    automatic: status.automatic,
    transportLabel: status.transport.label,
    transportKind: status.transport.kind,
  };
}

export function transportSettingsView(config: TransportConfig): TransportSettingsView {
  return redactTransportConfig(config);
}
