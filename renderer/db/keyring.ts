/**
 * The keyring: the one row of the `keyring` table (schema v4), stored in the clear because it must
 * be read while locked. It holds nothing that opens data without a secret:
 * - the master key wrapped three ways (renderer/db/vault.ts has the hierarchy): under the passphrase
 *   (Argon2id salt and parameters beside it), under the recovery key, and optionally by the OS
 *   keystore (Electron safeStorage, whose blob only that OS user's keyring opens);
 * - the data keys, one per generation, wrapped under the master key (two while a rotation runs);
 * - the wrong-passphrase counter and the time before which the next try is refused;
 * - progress markers of the in-place encryption of a plaintext database and of a key rotation.
 * Parsed on every read (it is on disk, so anyone could have edited it): a row that does not parse
 * is refused as 'tampered' rather than guessed at.
 */
import { z } from 'zod';
import { VaultError } from './vaultError.ts';

export const KEYRING_ID = 'keyring';

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array);
const count = z.number().int().nonnegative();
const progress = z.object({ done: count, total: count });

const keyringSchema = z.object({
  id: z.literal(KEYRING_ID),
  format: z.literal(1),
  passphrase: z.object({
    salt: bytes,
    params: z.object({
      memoryKiB: z.number().int().min(8),
      iterations: z.number().int().min(1),
      parallelism: z.number().int().min(1),
    }),
    wrapped: bytes,
  }),
  recovery: z.object({ wrapped: bytes }),
  keystore: z.object({ wrapped: bytes }).optional(),
  dataKeys: z.array(z.object({ generation: count, wrapped: bytes })).min(1),
  current: count,
  failedAttempts: count,
  retryAt: z.number().nullable(),
  encrypting: progress.optional(),
  rotation: progress.extend({ from: count, to: count }).optional(),
});

export type Keyring = z.infer<typeof keyringSchema>;

export function parseKeyring(row: unknown): Keyring | undefined {
  if (row === undefined) return undefined;
  const parsed = keyringSchema.safeParse(row);
  if (!parsed.success) {
    throw new VaultError('tampered', 'the keyring is damaged: it does not have the expected form');
  }
  if (!parsed.data.dataKeys.some((key) => key.generation === parsed.data.current)) {
    throw new VaultError('tampered', 'the keyring is damaged: the current data key is missing');
  }
  return parsed.data;
}
