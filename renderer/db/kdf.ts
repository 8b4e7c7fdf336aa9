/**
 * Where the vault runs Argon2id: in a Web Worker where there is one (the app), else on the calling
 * thread (Node tests). Tests inject their own function with cheap parameters.
 * hash-wasm compiles WebAssembly, which a Content-Security-Policy allows only with
 * 'wasm-unsafe-eval' in script-src (it permits WebAssembly compilation, not JavaScript eval); the
 * app's policy (electron/main/policy.ts, renderer/index.html) must carry it for the worker to run.
 */
import { passphraseKeyMaterial } from '../../shared/encryption/passphraseKey.ts';
import type { Argon2Params } from '../../shared/encryption/passphraseKey.ts';

export type PassphraseKdf = (
  passphrase: string,
  salt: Uint8Array,
  params: Argon2Params,
) => Promise<Uint8Array>;

function workerKdf(
  passphrase: string,
  salt: Uint8Array,
  params: Argon2Params,
): Promise<Uint8Array> {
  const worker = new Worker(new URL('./kdf.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<Uint8Array>((resolve, reject) => {
    worker.addEventListener(
      'message',
      (event: MessageEvent<{ key?: Uint8Array; error?: string }>) => {
        if (event.data.key) resolve(event.data.key);
        else reject(new Error(event.data.error ?? 'the key derivation failed'));
      },
    );
    worker.addEventListener('error', (event) => reject(new Error(event.message)));
    worker.postMessage({ passphrase, salt, params });
  }).finally(() => worker.terminate());
}

export const defaultKdf: PassphraseKdf =
  typeof Worker === 'undefined' ? passphraseKeyMaterial : workerKdf;
