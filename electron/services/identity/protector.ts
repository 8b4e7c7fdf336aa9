/**
 * Protection of identity secrets at rest. A SecretProtector turns the secret bytes into a JSON blob
 * stored in `identity.secret.json` and back. The passphrase protector derives a key with scrypt
 * (parameters and salt stored in the blob, so they can be raised later) and seals the secrets with
 * ChaCha20-Poly1305; the file's context (agency, key id) is authenticated as associated data, so a
 * blob copied into another identity's file does not open.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { checkPassphrase, weakPassphraseMessage } from '../../../shared/exchange/passphrase.ts';
import { IdentityError } from './cards.ts';

export interface SecretProtector {
  /** Stored as `protection.kind`; unprotect refuses a blob of another kind. */
  readonly kind: string;
  protect(plaintext: Buffer, context: string): Promise<Record<string, unknown>>;
  unprotect(blob: Record<string, unknown>, context: string): Promise<Buffer>;
}

export interface ScryptParams {
  /** log2 of the scrypt cost N. */
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/**
 * About 0.3 s and 128 MiB on a laptop: the stored file must resist offline guessing. This is also
 * the floor: nothing outside tests writes a secret file with a lower cost (tests pass cheaper
 * parameters to the PassphraseProtector constructor); `raisedScrypt` can only go up from here.
 */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
/** Refused when reading: a crafted file must not make us spend minutes or gigabytes. */
export const MAX_SCRYPT_LOG_N = 22;

const passphraseBlobSchema = z.object({
  kind: z.literal('passphrase'),
  kdf: z.object({
    name: z.literal('scrypt'),
    logN: z.number().int().min(10).max(MAX_SCRYPT_LOG_N),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: z.string().regex(/^[A-Za-z0-9+/]{22}==$/),
  }),
  cipher: z.literal('chacha20-poly1305'),
  nonce: z.string().regex(/^[A-Za-z0-9+/]{16}$/),
  ciphertext: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
});

/**
 * The scrypt parameters for new files given a requested log2 cost (e.g. from an environment
 * variable): a request can raise the cost up to MAX_SCRYPT_LOG_N, never lower it below
 * DEFAULT_SCRYPT. `lowered` tells the caller that a lower request was ignored, so it can say so.
 */
export function raisedScrypt(requestedLogN: number | undefined): {
  readonly params: ScryptParams;
  readonly lowered: boolean;
} {
  if (requestedLogN === undefined || requestedLogN <= DEFAULT_SCRYPT.logN) {
    return {
      params: DEFAULT_SCRYPT,
      lowered: requestedLogN !== undefined && requestedLogN < DEFAULT_SCRYPT.logN,
    };
  }
  return {
    params: { ...DEFAULT_SCRYPT, logN: Math.min(Math.floor(requestedLogN), MAX_SCRYPT_LOG_N) },
    lowered: false,
  };
}

/**
 * Refuses a new passphrase below the shared strength floor (IdentityError `weak-passphrase`, with
 * what is wrong and what to do). For choosing a passphrase only, never for unlocking with one.
 */
export function assertStrongPassphrase(passphrase: string, context: readonly string[] = []): void {
  const strength = checkPassphrase(passphrase, context);
  if (!strength.ok) throw new IdentityError('weak-passphrase', weakPassphraseMessage(strength));
}

function scrypt(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) => {
    crypto.scrypt(
      passphrase.normalize('NFC'),
      salt,
      32,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 16 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function associatedData(context: string, kdf: z.infer<typeof passphraseBlobSchema>['kdf']): Buffer {
  return Buffer.from(`${context}scrypt:${kdf.logN}:${kdf.r}:${kdf.p}:${kdf.salt}\n`);
}

export class PassphraseProtector implements SecretProtector {
  readonly kind = 'passphrase';

  constructor(
    private readonly passphrase: () => string | Promise<string>,
    private readonly params: ScryptParams = DEFAULT_SCRYPT,
  ) {}

  private async getPassphrase(): Promise<string> {
    const value = await this.passphrase();
    if (!value)
      throw new IdentityError('wrong-passphrase', 'no passphrase given (set TESSERA_PASSPHRASE)');
    return value;
  }

  async protect(plaintext: Buffer, context: string): Promise<Record<string, unknown>> {
    const salt = crypto.randomBytes(16);
    const kdf = { name: 'scrypt' as const, ...this.params, salt: salt.toString('base64') };
    const key = await scrypt(await this.getPassphrase(), salt, this.params);
    const nonce = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    cipher.setAAD(associatedData(context, kdf), { plaintextLength: plaintext.length });
    const ciphertext = Buffer.concat([
      cipher.update(plaintext),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return {
      kind: this.kind,
      kdf,
      cipher: 'chacha20-poly1305',
      nonce: nonce.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  async unprotect(blob: Record<string, unknown>, context: string): Promise<Buffer> {
    const parsed = passphraseBlobSchema.safeParse(blob);
    if (!parsed.success) {
      throw new IdentityError(
        'bad-secret-file',
        'identity secret file: unsupported or damaged protection block',
      );
    }
    const { kdf } = parsed.data;
    const key = await scrypt(await this.getPassphrase(), Buffer.from(kdf.salt, 'base64'), kdf);
    const sealed = Buffer.from(parsed.data.ciphertext, 'base64');
    if (sealed.length < 16)
      throw new IdentityError('bad-secret-file', 'identity secret file: ciphertext too short');
    const decipher = crypto.createDecipheriv(
      'chacha20-poly1305',
      key,
      Buffer.from(parsed.data.nonce, 'base64'),
      {
        authTagLength: 16,
      },
    );
    decipher.setAAD(associatedData(context, kdf), { plaintextLength: sealed.length - 16 });
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - 16)),
        decipher.final(),
      ]);
    } catch {
      throw new IdentityError(
        'wrong-passphrase',
        'wrong passphrase (or a damaged identity secret file): the identity could not be unlocked',
      );
    }
  }
}
