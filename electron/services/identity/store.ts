/**
 * An agency identity on disk, in one directory:
 *   identity.json         the public identity card (shared with partners as is);
 *   identity.secret.json  { format, version, agencyId, keyId, protection } where `protection` is a
 *                         SecretProtector blob over the JSON secrets
 *                         { current: { ageSecret, signingSeed }, previous: [{ keyId, ageSecret, signingSeed }] }
 *                         (base64). Previous keys stay so that bundles sealed to them still open.
 * Both files are written to a temporary name and renamed, so a crash never leaves half a key.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  type IdentityCard,
  parseIdentityCard,
  type Revocation,
} from '../../../shared/exchange/bundleFormat.ts';
import {
  buildCard,
  IdentityError,
  type KeySecrets,
  publicKeysOf,
  revokeCard,
  rotateCard,
  verifyCard,
} from './cards.ts';
import { encodeAgeSecretKey, generateEd25519, generateX25519 } from './keys.ts';
import type { SecretProtector } from './protector.ts';

export const CARD_FILE = 'identity.json';
export const SECRET_FILE = 'identity.secret.json';
const SECRET_FORMAT = 'tessera.identity-secret';

const b64key = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
const secretsSchema = z.object({
  current: z.object({ ageSecret: b64key, signingSeed: b64key }),
  previous: z
    .array(z.object({ keyId: z.string(), ageSecret: b64key, signingSeed: b64key }))
    .max(1000),
});
const secretFileSchema = z.object({
  format: z.literal(SECRET_FORMAT),
  version: z.literal(1),
  agencyId: z.string(),
  keyId: z.string(),
  protection: z.record(z.string(), z.unknown()),
});

export interface UnlockedIdentity {
  readonly card: IdentityCard;
  readonly secrets: KeySecrets;
  /** Older key generations, newest first, for opening bundles sealed before a rotation. */
  readonly previous: readonly { readonly keyId: string; readonly secrets: KeySecrets }[];
}

/** The identity in age's own text form (`AGE-SECRET-KEY-1…`), e.g. for `age -d -i`. */
export function exportAgeSecretKey(identity: UnlockedIdentity): string {
  return encodeAgeSecretKey(identity.secrets.ageSecret);
}

/** A fresh pair of keys (X25519 for age, Ed25519 for signatures). */
export function generateKeySecrets(): KeySecrets {
  return { ageSecret: generateX25519().secret, signingSeed: generateEd25519().seed };
}

function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w\s.-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 48);
  return s || `agency-${crypto.randomBytes(4).toString('hex')}`;
}

async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.tmp-${crypto.randomBytes(6).toString('hex')}`;
  try {
    await fs.writeFile(temp, text, { mode, flag: 'wx' });
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

function context(agencyId: string, keyId: string): string {
  return `tessera.identity-secret/1\nagency:${agencyId}\nkey:${keyId}\n`;
}

export class IdentityStore {
  readonly cardPath: string;
  readonly secretPath: string;

  constructor(
    readonly dir: string,
    private readonly protector: SecretProtector,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.cardPath = path.join(dir, CARD_FILE);
    this.secretPath = path.join(dir, SECRET_FILE);
  }

  async exists(): Promise<boolean> {
    try {
      await fs.access(this.secretPath);
      return true;
    } catch {
      return false;
    }
  }

  /** Creates a new identity; refuses to overwrite an existing one. */
  async create(options: { agencyName: string; agencyId?: string }): Promise<IdentityCard> {
    if (await this.exists()) {
      throw new IdentityError('exists', `an identity already exists in ${this.dir}`);
    }
    const agencyName = options.agencyName.trim();
    if (!agencyName) throw new IdentityError('bad-card', 'the agency name is empty');
    const agencyId = options.agencyId ?? slug(agencyName);
    const secrets = generateKeySecrets();
    const card = buildCard({ agencyId, agencyName, secrets, created: this.clock().toISOString() });
    parseIdentityCard(card);
    await fs.mkdir(this.dir, { recursive: true });
    await this.save(card, secrets, []);
    return card;
  }

  async loadCard(): Promise<IdentityCard> {
    let text: string;
    try {
      text = await fs.readFile(this.cardPath, 'utf8');
    } catch {
      throw new IdentityError(
        'no-identity',
        `no identity in ${this.dir} (create one with: tessera identity create)`,
      );
    }
    const card = parseIdentityCard(text);
    verifyCard(card);
    return card;
  }

  /** Decrypts the secrets (asks the protector, e.g. for the passphrase). */
  async unlock(): Promise<UnlockedIdentity> {
    const card = await this.loadCard();
    let json: unknown;
    try {
      json = JSON.parse(await fs.readFile(this.secretPath, 'utf8'));
    } catch {
      throw new IdentityError('no-identity', `no readable identity secret file in ${this.dir}`);
    }
    const file = secretFileSchema.safeParse(json);
    if (!file.success || file.data.agencyId !== card.agencyId || file.data.keyId !== card.keyId) {
      throw new IdentityError(
        'bad-secret-file',
        `the identity secret file in ${this.dir} does not match identity.json`,
      );
    }
    if (file.data.protection['kind'] !== this.protector.kind) {
      throw new IdentityError(
        'bad-secret-file',
        `the identity secrets are protected by '${String(file.data.protection['kind'])}', not '${this.protector.kind}'`,
      );
    }
    const plain = await this.protector.unprotect(
      file.data.protection,
      context(card.agencyId, card.keyId),
    );
    const parsed = secretsSchema.safeParse(JSON.parse(plain.toString('utf8')));
    if (!parsed.success)
      throw new IdentityError('bad-secret-file', 'the identity secrets are malformed');
    const toSecrets = (s: { ageSecret: string; signingSeed: string }): KeySecrets => ({
      ageSecret: Buffer.from(s.ageSecret, 'base64'),
      signingSeed: Buffer.from(s.signingSeed, 'base64'),
    });
    const secrets = toSecrets(parsed.data.current);
    const keys = publicKeysOf(card.agencyId, secrets);
    if (keys.keyId !== card.keyId) {
      throw new IdentityError(
        'bad-secret-file',
        'the identity secrets do not belong to identity.json',
      );
    }
    return {
      card,
      secrets,
      previous: parsed.data.previous.map((p) => ({ keyId: p.keyId, secrets: toSecrets(p) })),
    };
  }

  /** New keys; the new card carries a rotation link signed by the old signing key. */
  async rotate(): Promise<IdentityCard> {
    const current = await this.unlock();
    const next = generateKeySecrets();
    const card = rotateCard(current.card, current.secrets, next, this.clock().toISOString());
    await this.save(card, next, [
      { keyId: current.card.keyId, secrets: current.secrets },
      ...current.previous,
    ]);
    return card;
  }

  /** Marks the current key unusable; returns the statement to hand to partners. */
  async revoke(reason: Revocation['reason']): Promise<Revocation> {
    const current = await this.unlock();
    const card = revokeCard(current.card, current.secrets, reason, this.clock().toISOString());
    await writeAtomic(this.cardPath, `${JSON.stringify(card, null, 2)}\n`, 0o644);
    return card.revocation!;
  }

  private async save(
    card: IdentityCard,
    secrets: KeySecrets,
    previous: UnlockedIdentity['previous'],
  ): Promise<void> {
    const plain = Buffer.from(
      JSON.stringify({
        current: {
          ageSecret: secrets.ageSecret.toString('base64'),
          signingSeed: secrets.signingSeed.toString('base64'),
        },
        previous: previous.map((p) => ({
          keyId: p.keyId,
          ageSecret: p.secrets.ageSecret.toString('base64'),
          signingSeed: p.secrets.signingSeed.toString('base64'),
        })),
      }),
    );
    const protection = await this.protector.protect(plain, context(card.agencyId, card.keyId));
    plain.fill(0);
    const secretFile = {
      format: SECRET_FORMAT,
      version: 1,
      agencyId: card.agencyId,
      keyId: card.keyId,
      protection,
    };
    // Secret first: a card without matching secrets is refused on unlock, never the reverse.
    await writeAtomic(this.secretPath, `${JSON.stringify(secretFile, null, 2)}\n`, 0o600);
    await writeAtomic(this.cardPath, `${JSON.stringify(card, null, 2)}\n`, 0o644);
  }
}
