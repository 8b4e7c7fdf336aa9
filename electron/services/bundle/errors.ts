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
  | 'unsupported';

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
