// Runs Argon2id off the UI thread (renderer/db/kdf.ts): one derivation per worker, then the worker
// is ended, which also frees the 64 MiB the derivation used.
import { passphraseKeyMaterial } from '../../shared/encryption/passphraseKey.ts';
import type { Argon2Params } from '../../shared/encryption/passphraseKey.ts';

interface KdfRequest {
  readonly passphrase: string;
  readonly salt: Uint8Array;
  readonly params: Argon2Params;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<KdfRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = (event) => {
  const { passphrase, salt, params } = event.data;
  passphraseKeyMaterial(passphrase, salt, params).then(
    (key) => scope.postMessage({ key }, [key.buffer as ArrayBuffer]),
    (error: unknown) => scope.postMessage({ error: String(error) }),
  );
};
