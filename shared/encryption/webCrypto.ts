/**
 * The slice of WebCrypto (globalThis.crypto) that shared/encryption uses, typed here because shared/
 * compiles without the DOM library. Browsers, Electron's renderer, workers and Node ≥ 20 all
 * provide it; nothing in shared/ imports a platform module to get it.
 */

/** An opaque WebCrypto key (CryptoKey): never leaves this process and, where said, never extractable. */
export interface CryptoKeyHandle {
  readonly type: string;
  readonly extractable: boolean;
}

type Algorithm = string | { readonly name: string; readonly [parameter: string]: unknown };

interface SubtleCryptoSlice {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: Algorithm,
    extractable: boolean,
    usages: readonly string[],
  ): Promise<CryptoKeyHandle>;
  deriveKey(
    algorithm: Algorithm,
    baseKey: CryptoKeyHandle,
    derivedKeyType: Algorithm,
    extractable: boolean,
    usages: readonly string[],
  ): Promise<CryptoKeyHandle>;
  deriveBits(algorithm: Algorithm, baseKey: CryptoKeyHandle, length: number): Promise<ArrayBuffer>;
  encrypt(algorithm: Algorithm, key: CryptoKeyHandle, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: Algorithm, key: CryptoKeyHandle, data: Uint8Array): Promise<ArrayBuffer>;
  digest(algorithm: Algorithm, data: Uint8Array): Promise<ArrayBuffer>;
}

interface CryptoSlice {
  readonly subtle: SubtleCryptoSlice;
  getRandomValues<T extends Uint8Array>(array: T): T;
}

interface TextCodecs {
  readonly TextEncoder: new () => {
    encode(text: string): Uint8Array;
    encodeInto(text: string, into: Uint8Array): { read: number; written: number };
  };
  readonly TextDecoder: new (
    label?: string,
    options?: { fatal?: boolean },
  ) => { decode(bytes: Uint8Array): string };
}

function platformCrypto(): CryptoSlice {
  const crypto = (globalThis as { crypto?: CryptoSlice }).crypto;
  if (!crypto?.subtle) throw new Error('WebCrypto is not available in this runtime');
  return crypto;
}

export function subtle(): SubtleCryptoSlice {
  return platformCrypto().subtle;
}

/** Fresh bytes from the platform's CSPRNG, for keys, salts and nonces (never the seeded RNG). */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    platformCrypto().getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

const codecs = globalThis as unknown as TextCodecs;
const encoder = new codecs.TextEncoder();
const decoder = new codecs.TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

let scratch = new Uint8Array(1024);

/**
 * UTF-8 of `text` in a buffer that the next call overwrites, for bytes consumed at once: WebCrypto
 * copies its inputs when called (https://w3c.github.io/webcrypto/#SubtleCrypto-method-decrypt,
 * "get a copy of the bytes"), so the additional data of a record envelope, built once per record
 * opened, needs no buffer of its own (issue 10's open ratio: fewer buffers for the collector).
 */
export function utf8Transient(text: string): Uint8Array {
  // A UTF-16 code unit takes at most three bytes of UTF-8.
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/** Strict UTF-8 decoding: malformed bytes throw rather than turning into U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
