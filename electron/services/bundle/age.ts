/**
 * The age v1 file format (https://age-encryption.org/v1), implemented on Node's crypto so that the
 * payload streams at OpenSSL speed; tests prove byte-level interoperability with the `age` CLI and
 * the age-encryption library in both directions.
 *
 *   header  = "age-encryption.org/v1\n" *stanza "---" " " base64(MAC) "\n"
 *   stanza  = "-> " type *(" " arg) "\n" body wrapped at 64 columns (last line shorter, maybe empty)
 *   MAC     = HMAC-SHA-256(HKDF-SHA-256(file key, salt "", info "header"), header up to "---")
 *   X25519  = "-> X25519 " base64(ephemeral share) "\n" base64(ChaCha20-Poly1305(wrap key, 0, file key))
 *             wrap key = HKDF-SHA-256(ECDH(ephemeral, recipient), salt share‖recipient,
 *                                     info "age-encryption.org/v1/X25519")
 *   payload = 16-byte nonce ‖ STREAM(HKDF-SHA-256(file key, salt nonce, info "payload"))
 *   STREAM  = 64 KiB plaintext chunks, each ChaCha20-Poly1305 with nonce = 88-bit big-endian counter
 *             ‖ last-chunk flag byte; only the last chunk may be short, and it is empty only when
 *             the whole plaintext is.
 * Base64 is standard, unpadded and must be canonical.
 */
import crypto from 'node:crypto';
import { x25519PrivateKey, x25519PublicFromSecret, x25519PublicKey } from '../identity/keys.ts';

export const AGE_INTRO = 'age-encryption.org/v1\n';
export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const CIPHER_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
export const PAYLOAD_NONCE_SIZE = 16;
const X25519_INFO = 'age-encryption.org/v1/X25519';
/** Length of "--- " + 43 base64 characters + "\n". */
export const MAC_LINE_LENGTH = 4 + 43 + 1;

export interface Stanza {
  readonly type: string;
  readonly args: readonly string[];
  readonly body: Buffer;
}

export class AgeFormatError extends Error {
  override readonly name = 'AgeFormatError';
}

function b64encode(data: Uint8Array): string {
  return Buffer.from(data).toString('base64').replace(/=+$/, '');
}

/** Strict unpadded base64: refuses padding, stray characters and non-canonical trailing bits. */
function b64decode(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) {
    throw new AgeFormatError('invalid base64 in header');
  }
  const data = Buffer.from(text, 'base64');
  if (b64encode(data) !== text) throw new AgeFormatError('non-canonical base64 in header');
  return data;
}

export function stanzaText(stanza: Stanza): string {
  const encoded = b64encode(stanza.body);
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 64) lines.push(encoded.slice(i, i + 64));
  if (encoded.length % 64 === 0) lines.push('');
  return `-> ${[stanza.type, ...stanza.args].join(' ')}\n${lines.join('\n')}\n`;
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, 32));
}

function aead(key: Uint8Array, nonce: Uint8Array): crypto.CipherChaCha20Poly1305 {
  return crypto.createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_SIZE });
}

function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < TAG_SIZE) return null;
  const decipher = crypto.createDecipheriv('chacha20-poly1305', key, nonce, {
    authTagLength: TAG_SIZE,
  });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return plain;
}

const ZERO_NONCE = Buffer.alloc(12);

export function newFileKey(): Buffer {
  return crypto.randomBytes(16);
}

/** An X25519 recipient stanza wrapping `fileKey` to the 32-byte public key. */
export function wrapX25519(fileKey: Uint8Array, recipient: Uint8Array): Stanza {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('x25519');
  const share = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const shared = crypto.diffieHellman({ privateKey, publicKey: x25519PublicKey(recipient) });
  const wrapKey = hkdf(shared, Buffer.concat([share, recipient]), X25519_INFO);
  const cipher = aead(wrapKey, ZERO_NONCE);
  const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
  return { type: 'X25519', args: [b64encode(share)], body };
}

/**
 * The file key from the first X25519 stanza that opens with `secret`, or null when none is for it.
 * A malformed X25519 stanza is an error, as in age.
 */
export function unwrapX25519(stanzas: readonly Stanza[], secret: Uint8Array): Buffer | null {
  const ours = x25519PublicFromSecret(secret);
  const privateKey = x25519PrivateKey(secret);
  for (const stanza of stanzas) {
    if (stanza.type !== 'X25519') continue;
    if (stanza.args.length !== 1)
      throw new AgeFormatError('invalid X25519 stanza: wrong argument count');
    const share = b64decode(stanza.args[0]);
    if (share.length !== 32)
      throw new AgeFormatError('invalid X25519 stanza: share is not 32 bytes');
    if (stanza.body.length !== 32)
      throw new AgeFormatError('invalid X25519 stanza: body is not 32 bytes');
    let shared: Buffer;
    try {
      shared = crypto.diffieHellman({ privateKey, publicKey: x25519PublicKey(share) });
    } catch {
      throw new AgeFormatError('invalid X25519 stanza: low-order share');
    }
    if (shared.every((byte) => byte === 0))
      throw new AgeFormatError('invalid X25519 stanza: low-order share');
    const wrapKey = hkdf(shared, Buffer.concat([share, ours]), X25519_INFO);
    const fileKey = aeadOpen(wrapKey, ZERO_NONCE, stanza.body);
    if (fileKey && fileKey.length === 16) return fileKey;
  }
  return null;
}

export function headerMac(fileKey: Uint8Array, headerUpToDashes: Uint8Array): Buffer {
  const key = hkdf(fileKey, Buffer.alloc(0), 'header');
  return crypto.createHmac('sha256', key).update(headerUpToDashes).digest();
}

/** Header text up to and including "---", and the full header with its MAC line. */
export function buildHeader(
  stanzas: readonly Stanza[],
  fileKey: Uint8Array,
): { header: Buffer; macInput: Buffer } {
  const macInput = Buffer.from(`${AGE_INTRO}${stanzas.map(stanzaText).join('')}---`);
  const mac = headerMac(fileKey, macInput);
  return { header: Buffer.concat([macInput, Buffer.from(` ${b64encode(mac)}\n`)]), macInput };
}

export interface ParsedHeader {
  readonly stanzas: readonly Stanza[];
  /** Byte offset of each stanza's "->" line in the file, and where the "---" line starts. */
  readonly stanzaOffsets: readonly number[];
  readonly dashesOffset: number;
  /** Header bytes up to and including "---". */
  readonly macInput: Buffer;
  readonly mac: Buffer;
  /** Bytes of the whole header; the payload starts here. */
  readonly length: number;
}

/**
 * Parses the header at the start of `data` (which holds at least the header, or the whole file
 * when shorter than `maxBytes`). Refuses more than `maxStanzas` stanzas and headers over `maxBytes`.
 */
export function parseHeader(
  data: Buffer,
  limits: { maxStanzas: number; maxBytes: number },
): ParsedHeader {
  let pos = 0;
  const readLine = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0 || end >= limits.maxBytes) {
      if (data.length >= limits.maxBytes)
        throw new AgeFormatError(`header is larger than ${limits.maxBytes} bytes`);
      throw new AgeFormatError('file ends inside the header (truncated)');
    }
    const line = data.toString('latin1', pos, end);
    pos = end + 1;
    return line;
  };
  if (readLine() !== AGE_INTRO.slice(0, -1)) throw new AgeFormatError('not an age v1 file');
  const stanzas: Stanza[] = [];
  const stanzaOffsets: number[] = [];
  for (;;) {
    const lineStart = pos;
    const line = readLine();
    if (line.startsWith('--- ') || line === '---') {
      const macText = line.slice(4);
      const mac = b64decode(macText);
      if (line.length !== MAC_LINE_LENGTH - 1 || mac.length !== 32)
        throw new AgeFormatError('malformed header MAC');
      return {
        stanzas,
        stanzaOffsets,
        dashesOffset: lineStart,
        macInput: data.subarray(0, lineStart + 3),
        mac,
        length: pos,
      };
    }
    if (!line.startsWith('-> ')) throw new AgeFormatError('malformed stanza line in header');
    if (stanzas.length >= limits.maxStanzas) {
      throw new AgeFormatError(`header has more than ${limits.maxStanzas} stanzas`);
    }
    const words = line.slice(3).split(' ');
    if (words.some((word) => !/^[\x21-\x7e]+$/.test(word)))
      throw new AgeFormatError('malformed stanza arguments');
    let body = '';
    for (;;) {
      const bodyLine = readLine();
      if (bodyLine.length > 64) throw new AgeFormatError('stanza body line longer than 64 columns');
      body += bodyLine;
      if (bodyLine.length < 64) break;
    }
    stanzaOffsets.push(lineStart);
    stanzas.push({ type: words[0], args: words.slice(1), body: b64decode(body) });
  }
}

export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return hkdf(fileKey, nonce, 'payload');
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // Counters stay below 2^53 here (a 2^53 × 64 KiB file is beyond any disk).
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * Encrypts `plain` (a whole multiple of CHUNK_SIZE, or ending with the last chunk when `final`) as
 * consecutive STREAM chunks from `counter`, handing each ciphertext and tag to `out` (which must
 * copy them at once). Returns the next counter.
 */
export function sealChunks(
  key: Buffer,
  counter: number,
  plain: Uint8Array,
  final: boolean,
  out: (data: Uint8Array) => void,
): number {
  for (let offset = 0; offset < plain.length || (final && offset === 0); offset += CHUNK_SIZE) {
    const end = Math.min(offset + CHUNK_SIZE, plain.length);
    const cipher = aead(key, chunkNonce(counter++, final && end === plain.length));
    out(cipher.update(plain.subarray(offset, end)));
    cipher.final();
    out(cipher.getAuthTag());
    if (end === plain.length) break;
  }
  return counter;
}

/**
 * Decrypts consecutive whole STREAM chunks of `sealed` from `counter` (with `final`, its last chunk
 * is the payload's last), handing each plaintext to `out` once it authenticates. Returns the first
 * chunk that does not authenticate, or null.
 */
export function openChunks(
  key: Buffer,
  counter: number,
  sealed: Uint8Array,
  final: boolean,
  out: (data: Buffer) => void,
): { counter: number; last: boolean } | null {
  for (let offset = 0; offset < sealed.length; offset += CIPHER_CHUNK_SIZE, counter++) {
    const end = Math.min(offset + CIPHER_CHUNK_SIZE, sealed.length);
    const last = final && end === sealed.length;
    const plain = aeadOpen(key, chunkNonce(counter, last), sealed.subarray(offset, end));
    if (!plain) return { counter, last };
    out(plain);
  }
  return null;
}

/**
 * STREAM encryption with bounded memory: feed plaintext of any size, get ciphertext chunks back.
 * A full chunk is held until more input shows that it is not the last one.
 */
export class StreamEncryptor {
  private readonly buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  private filled = 0;
  private counter = 0;
  private done = false;

  constructor(private readonly key: Buffer) {}

  private seal(data: Buffer, last: boolean): Buffer {
    const cipher = aead(this.key, chunkNonce(this.counter++, last));
    const out = Buffer.allocUnsafe(data.length + TAG_SIZE);
    const n = cipher.update(data).copy(out, 0);
    cipher.final();
    cipher.getAuthTag().copy(out, n);
    return out;
  }

  update(data: Uint8Array, out: Buffer[]): void {
    if (this.done) throw new Error('StreamEncryptor already finished');
    let offset = 0;
    while (offset < data.length) {
      if (this.filled === CHUNK_SIZE) {
        out.push(this.seal(this.buffer, false));
        this.filled = 0;
      }
      // Whole chunks straight from the input (no copy) when more input follows them.
      if (this.filled === 0 && data.length - offset > CHUNK_SIZE) {
        out.push(this.seal(Buffer.from(data.buffer, data.byteOffset + offset, CHUNK_SIZE), false));
        offset += CHUNK_SIZE;
        continue;
      }
      const n = Math.min(CHUNK_SIZE - this.filled, data.length - offset);
      this.buffer.set(data.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
    }
  }

  final(out: Buffer[]): void {
    if (this.done) throw new Error('StreamEncryptor already finished');
    this.done = true;
    out.push(this.seal(this.buffer.subarray(0, this.filled), true));
  }
}

/**
 * STREAM decryption of a payload whose ciphertext length (after the nonce) is known, so the last
 * chunk is known by position: a file cut at a chunk boundary fails because its final chunk was
 * sealed as "not last".
 */
export class StreamDecryptor {
  private readonly carry = Buffer.allocUnsafe(CIPHER_CHUNK_SIZE);
  private carried = 0;
  private counter = 0;
  private consumed = 0;
  private readonly chunks: number;

  constructor(
    private readonly key: Buffer,
    private readonly ciphertextLength: number,
  ) {
    if (ciphertextLength < TAG_SIZE) throw new AgeFormatError('payload is truncated (no chunk)');
    this.chunks = Math.ceil(ciphertextLength / CIPHER_CHUNK_SIZE);
    const lastLength = ciphertextLength - (this.chunks - 1) * CIPHER_CHUNK_SIZE;
    if (lastLength < TAG_SIZE || (this.chunks > 1 && lastLength === TAG_SIZE)) {
      throw new AgeFormatError('payload is truncated or has an empty last chunk');
    }
  }

  private open(sealed: Buffer): Buffer {
    const last = this.counter === this.chunks - 1;
    const plain = aeadOpen(this.key, chunkNonce(this.counter, last), sealed);
    if (!plain) {
      throw new AgeFormatError(
        last
          ? `payload chunk ${this.counter} does not authenticate (the file is truncated or corrupted)`
          : `payload chunk ${this.counter} does not authenticate (the file is corrupted)`,
      );
    }
    this.counter++;
    return plain;
  }

  private expected(): number {
    return this.counter === this.chunks - 1
      ? this.ciphertextLength - this.counter * CIPHER_CHUNK_SIZE
      : CIPHER_CHUNK_SIZE;
  }

  update(data: Buffer, out: Buffer[]): void {
    this.consumed += data.length;
    if (this.consumed > this.ciphertextLength)
      throw new AgeFormatError('trailing data after the payload');
    let offset = 0;
    while (offset < data.length) {
      const need = this.expected();
      if (this.carried === 0 && data.length - offset >= need) {
        out.push(this.open(data.subarray(offset, offset + need)));
        offset += need;
        continue;
      }
      const n = Math.min(need - this.carried, data.length - offset);
      data.copy(this.carry, this.carried, offset, offset + n);
      this.carried += n;
      offset += n;
      if (this.carried === need) {
        out.push(this.open(this.carry.subarray(0, need)));
        this.carried = 0;
      }
    }
  }

  final(): void {
    if (this.counter !== this.chunks || this.carried !== 0)
      throw new AgeFormatError('payload is truncated');
  }
}
