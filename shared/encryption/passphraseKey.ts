/**
 * The passphrase's key material: Argon2id (RFC 9106) through hash-wasm, a maintained WebAssembly
 * build. Parameters: 64 MiB of memory, 3 passes, 1 lane, 32-byte output, 16-byte random salt.
 * That is RFC 9106's second recommended option (t=3, m=64 MiB) and costs about 0.3–0.6 s on a
 * field laptop, once per unlock; each guess costs an attacker the same 64 MiB and time, which is
 * what the growing delay cannot give against a copied disk. The parameters are stored with the
 * wrapped key, so raising them later does not lock out existing profiles. Tests pass cheaper ones.
 * The renderer runs this in a worker (renderer/db/kdf.worker.ts) so the UI keeps drawing.
 */
import { argon2id } from 'hash-wasm';
import { KEY_BYTES } from './keys.ts';

export interface Argon2Params {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 };

/** Derives 32 bytes from the passphrase (NFC-normalised, so the same words typed on another keyboard match). */
export async function passphraseKeyMaterial(
  passphrase: string,
  salt: Uint8Array,
  params: Argon2Params,
): Promise<Uint8Array> {
  return argon2id({
    password: passphrase.normalize('NFC'),
    salt,
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: KEY_BYTES,
    outputType: 'binary',
  });
}
