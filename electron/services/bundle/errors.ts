export type BundleErrorCode =
  /** Not an age file, or a header / container that breaks the format. */
  | 'malformed'
  /** A limit was exceeded (stanzas, header size, parts, part size). */
  | 'too-large'
  /** The file ends early. */
  | 'truncated'
  /** Authentication failed somewhere: a flipped byte, a swapped part, a forged payload. */
  | 'corrupted'
  /** No signature stanza: e.g. re-encrypted by someone else. */
  | 'unsigned'
  /** The signature does not verify against the expected sender's key. */
  | 'bad-signature'
  /** Signed by a key that is not the pinned sender's current key. */
  | 'unknown-signer'
  | 'revoked'
  /** No recipient stanza opens with our key. */
  | 'not-addressed'
  /** The bundle id was seen before. */
  | 'replay'
  /** The manifest is invalid or disagrees with the container or the header. */
  | 'manifest'
  /** Bad input to seal (cards, names, sizes). */
  | 'invalid-input'
  /** Valid age, in a form Tessera does not open: an ASCII-armored ("PEM") file. */
  | 'unsupported'
  /**
   * A crypto thread failed or stopped halfway (a crash, an I/O error on it): nothing was written or
   * released, and trying again starts new threads.
   */
  | 'crypto-thread';

/** Every failure of seal / verify / open; `message` is meant for the officer. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A crypto thread failed or stopped (it crashed, was terminated, or threw): everything that was in
 * flight on it, and on the other threads of its set, is lost; the threads start afresh on the next
 * use. Seal and open report it as a BundleError 'crypto-thread' (see {@link threadFailure}).
 */
export class CryptoThreadError extends Error {
  override readonly name = 'CryptoThreadError';
}

/** `error` as the caller of seal / open sees it: a crypto thread's failure gets its code. */
export function threadFailure(error: unknown): unknown {
  if (!(error instanceof CryptoThreadError)) return error;
  const failure = new BundleError(
    'crypto-thread',
    `a crypto thread stopped halfway (${error.message}); nothing was kept, try again`,
  );
  failure.cause = error;
  return failure;
}
