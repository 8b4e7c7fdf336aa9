/**
 * Identity cards: the public half of an agency identity, handed to partners (JSON or QR code).
 *
 * Trust model: a partner's card is pinned once its fingerprint has been confirmed out of band.
 * Later cards are accepted only when equal to the pinned one or reachable from it through rotation
 * links, each signed by the previous signing key. A revocation (signed by the revoked key itself)
 * makes a key unusable: it can no longer sign bundles, and a chain through a key revoked as
 * compromised is refused, because whoever stole it could have signed the rotation.
 */
import {
  cardBodyText,
  type IdentityCard,
  IDENTITY_CARD_FORMAT,
  IDENTITY_CARD_VERSION,
  type Revocation,
  revocationStatementText,
  type RotationLink,
  rotationStatementText,
} from '../../../shared/exchange/bundleFormat.ts';
import {
  fingerprintBytes,
  formatFingerprintHex,
  formatFingerprintWords,
  keyIdOf,
} from '../../../shared/exchange/fingerprint.ts';
import {
  ed25519PublicFromSeed,
  ed25519Sign,
  ed25519Verify,
  encodeAgeRecipient,
  x25519PublicFromSecret,
} from './keys.ts';

export type IdentityErrorCode =
  | 'bad-card'
  | 'key-changed'
  | 'revoked'
  | 'wrong-passphrase'
  /** A new passphrase below the strength floor (shared/exchange/passphrase.ts). */
  | 'weak-passphrase'
  | 'no-identity'
  | 'exists'
  | 'bad-secret-file'
  | 'insecure-storage';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The secret half of one key generation. */
export interface KeySecrets {
  /** X25519 scalar, 32 bytes. */
  readonly ageSecret: Buffer;
  /** Ed25519 seed, 32 bytes. */
  readonly signingSeed: Buffer;
}

export interface PublicKeys {
  readonly signingKey: string;
  readonly ageRecipient: string;
  readonly keyId: string;
}

export function publicKeysOf(agencyId: string, secrets: KeySecrets): PublicKeys {
  const signingKey = ed25519PublicFromSeed(secrets.signingSeed).toString('base64');
  const ageRecipient = encodeAgeRecipient(x25519PublicFromSecret(secrets.ageSecret));
  return { signingKey, ageRecipient, keyId: keyIdOf({ agencyId, signingKey, ageRecipient }) };
}

export function fingerprintOf(card: IdentityCard): { hex: string; words: string } {
  const bytes = fingerprintBytes(card);
  return { hex: formatFingerprintHex(bytes), words: formatFingerprintWords(bytes) };
}

/** A new card for the given secrets; `rotations` is the history carried over from the previous card. */
export function buildCard(options: {
  agencyId: string;
  agencyName: string;
  secrets: KeySecrets;
  created: string;
  rotations?: readonly RotationLink[];
}): IdentityCard {
  const keys = publicKeysOf(options.agencyId, options.secrets);
  const body: Omit<IdentityCard, 'selfSignature' | 'revocation'> = {
    format: IDENTITY_CARD_FORMAT,
    version: IDENTITY_CARD_VERSION,
    agencyId: options.agencyId,
    agencyName: options.agencyName,
    ageRecipient: keys.ageRecipient,
    signingKey: keys.signingKey,
    keyId: keys.keyId,
    created: options.created,
    rotations: [...(options.rotations ?? [])],
  };
  const selfSignature = ed25519Sign(options.secrets.signingSeed, cardBodyText(body)).toString(
    'base64',
  );
  return { ...body, selfSignature };
}

/** The card after a rotation from `previous` (whose secrets sign the link) to `next`. */
export function rotateCard(
  card: IdentityCard,
  previous: KeySecrets,
  next: KeySecrets,
  at: string,
): IdentityCard {
  const to = publicKeysOf(card.agencyId, next);
  const unsigned = {
    fromKeyId: card.keyId,
    fromSigningKey: card.signingKey,
    fromAgeRecipient: card.ageRecipient,
    toKeyId: to.keyId,
    toSigningKey: to.signingKey,
    toAgeRecipient: to.ageRecipient,
    at,
  };
  const signature = ed25519Sign(
    previous.signingSeed,
    rotationStatementText(card.agencyId, unsigned),
  );
  return buildCard({
    agencyId: card.agencyId,
    agencyName: card.agencyName,
    secrets: next,
    created: at,
    rotations: [...card.rotations, { ...unsigned, signature: signature.toString('base64') }],
  });
}

export function revokeCard(
  card: IdentityCard,
  secrets: KeySecrets,
  reason: Revocation['reason'],
  at: string,
): IdentityCard {
  const unsigned = { keyId: card.keyId, signingKey: card.signingKey, reason, at };
  const signature = ed25519Sign(
    secrets.signingSeed,
    revocationStatementText(card.agencyId, unsigned),
  );
  return { ...card, revocation: { ...unsigned, signature: signature.toString('base64') } };
}

function b64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

/** Checks a card's own consistency: key id, self-signature, revocation signature, chain links. */
export function verifyCard(card: IdentityCard): void {
  const who = `${card.agencyName} (${card.agencyId})`;
  if (keyIdOf(card) !== card.keyId)
    throw new IdentityError('bad-card', `card of ${who}: key id does not match its keys`);
  if (!ed25519Verify(b64(card.signingKey), cardBodyText(card), b64(card.selfSignature))) {
    throw new IdentityError('bad-card', `card of ${who}: self-signature is invalid`);
  }
  if (card.revocation) verifyRevocation(card.agencyId, card.revocation);
  let expected: { keyId: string; signingKey: string; ageRecipient: string } | null = null;
  for (const link of card.rotations) {
    if (
      expected &&
      (link.fromKeyId !== expected.keyId ||
        link.fromSigningKey !== expected.signingKey ||
        link.fromAgeRecipient !== expected.ageRecipient)
    ) {
      throw new IdentityError(
        'bad-card',
        `card of ${who}: rotation chain is broken at key ${link.fromKeyId}`,
      );
    }
    verifyRotationLink(card.agencyId, link);
    expected = {
      keyId: link.toKeyId,
      signingKey: link.toSigningKey,
      ageRecipient: link.toAgeRecipient,
    };
  }
  if (
    expected &&
    (expected.keyId !== card.keyId ||
      expected.signingKey !== card.signingKey ||
      expected.ageRecipient !== card.ageRecipient)
  ) {
    throw new IdentityError(
      'bad-card',
      `card of ${who}: last rotation does not lead to the card's key`,
    );
  }
}

function verifyRotationLink(agencyId: string, link: RotationLink): void {
  const { signature, ...unsigned } = link;
  if (
    keyIdOf({ agencyId, signingKey: link.fromSigningKey, ageRecipient: link.fromAgeRecipient }) !==
      link.fromKeyId ||
    keyIdOf({ agencyId, signingKey: link.toSigningKey, ageRecipient: link.toAgeRecipient }) !==
      link.toKeyId
  ) {
    throw new IdentityError(
      'bad-card',
      `rotation ${link.fromKeyId} → ${link.toKeyId}: key ids do not match keys`,
    );
  }
  if (
    !ed25519Verify(
      b64(link.fromSigningKey),
      rotationStatementText(agencyId, unsigned),
      b64(signature),
    )
  ) {
    throw new IdentityError(
      'key-changed',
      `rotation ${link.fromKeyId} → ${link.toKeyId} is not signed by key ${link.fromKeyId}`,
    );
  }
}

export function verifyRevocation(agencyId: string, revocation: Revocation): void {
  const { signature, ...unsigned } = revocation;
  if (
    !ed25519Verify(
      b64(revocation.signingKey),
      revocationStatementText(agencyId, unsigned),
      b64(signature),
    )
  ) {
    throw new IdentityError(
      'bad-card',
      `revocation of key ${revocation.keyId} has an invalid signature`,
    );
  }
}

/**
 * Accepts `presented` only when it is the pinned card or reached from it by valid rotations, and
 * its key is not revoked. `revocations` are statements learnt elsewhere (e.g. an older card).
 * Returns the presented card; throws an IdentityError with a message to show the officer.
 */
export function verifyCardChain(
  pinned: IdentityCard,
  presented: IdentityCard,
  revocations: readonly Revocation[] = [],
): IdentityCard {
  verifyCard(presented);
  const who = `${pinned.agencyName} (${pinned.agencyId})`;
  if (presented.agencyId !== pinned.agencyId) {
    throw new IdentityError(
      'key-changed',
      `card is for agency ${presented.agencyId}, not ${pinned.agencyId}`,
    );
  }
  const known = [...revocations, ...(presented.revocation ? [presented.revocation] : [])];
  if (pinned.revocation) known.push(pinned.revocation);
  for (const revocation of known) verifyRevocation(pinned.agencyId, revocation);
  const revoked = new Map(known.map((r) => [r.keyId, r]));
  const presentRevocation = revoked.get(presented.keyId);
  if (presentRevocation) {
    throw new IdentityError(
      'revoked',
      `key ${presented.keyId} of ${who} was revoked (${presentRevocation.reason}) on ${presentRevocation.at}`,
    );
  }
  const sameKey =
    presented.keyId === pinned.keyId &&
    presented.signingKey === pinned.signingKey &&
    presented.ageRecipient === pinned.ageRecipient;
  if (sameKey) return presented;
  const start = presented.rotations.findIndex(
    (link) =>
      link.fromKeyId === pinned.keyId &&
      link.fromSigningKey === pinned.signingKey &&
      link.fromAgeRecipient === pinned.ageRecipient,
  );
  if (start < 0) {
    throw new IdentityError(
      'key-changed',
      `the key of ${who} changed from ${pinned.keyId} to ${presented.keyId} without a rotation signed by the pinned key: do not exchange until the new fingerprint is confirmed out of band`,
    );
  }
  for (const link of presented.rotations.slice(start)) {
    const signer = revoked.get(link.fromKeyId);
    if (signer?.reason === 'compromised') {
      throw new IdentityError(
        'revoked',
        `the rotation from key ${link.fromKeyId} of ${who} was signed by a key revoked as compromised: confirm the new fingerprint out of band`,
      );
    }
  }
  return presented;
}

/** Throws unless `card` may sign or receive a bundle now. */
export function assertUsable(card: IdentityCard, revocations: readonly Revocation[] = []): void {
  const revocation = card.revocation ?? revocations.find((r) => r.keyId === card.keyId);
  if (revocation) {
    verifyRevocation(card.agencyId, revocation);
    throw new IdentityError(
      'revoked',
      `key ${card.keyId} of ${card.agencyName} (${card.agencyId}) was revoked (${revocation.reason}) on ${revocation.at}`,
    );
  }
}
