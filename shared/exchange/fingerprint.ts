/**
 * Human-checkable fingerprints of agency identity cards.
 *
 * The fingerprint is SHA-256 over a canonical text that binds the agency id, the Ed25519 signing key
 * and the age recipient (see `fingerprintInput`). Liaison officers compare it out of band (phone,
 * meeting) before a partner is trusted, so it is rendered two ways from the same first 16 bytes
 * (128 bits, far beyond what an attacker can brute-force into a look-alike):
 *   - hex: 8 groups of 4 lower-case hex digits, e.g. `3f2a 9c01 …`;
 *   - words: 16 words, one per byte, from the embedded 256-word list below. The words are short,
 *     common, distinct in spelling and sound, so they read well over a phone line.
 * The key id is the first 8 bytes as 16 hex digits: a compact label, not a security check.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** 256 words, index = byte value. Never reorder: fingerprints already shown to partners use it. */
// prettier-ignore
export const FINGERPRINT_WORDS: readonly string[] = [
  'acid', 'acorn', 'actor', 'adult', 'agent', 'alarm', 'album', 'alley',
  'amber', 'angle', 'ankle', 'apple', 'apron', 'arena', 'arrow', 'atlas',
  'attic', 'audio', 'award', 'bacon', 'badge', 'bagel', 'baker', 'bamboo',
  'banjo', 'barrel', 'basil', 'beach', 'beard', 'bench', 'berry', 'bicycle',
  'bison', 'blade', 'blanket', 'blossom', 'bonus', 'border', 'bottle', 'bracket',
  'bridge', 'broom', 'bucket', 'buffalo', 'bullet', 'butter', 'cabin', 'cactus',
  'camel', 'canal', 'candle', 'canyon', 'carbon', 'carpet', 'castle', 'cedar',
  'cement', 'chalk', 'cherry', 'chess', 'chimney', 'cider', 'circus', 'citrus',
  'clock', 'cloud', 'cobra', 'coconut', 'comet', 'copper', 'coral', 'cotton',
  'cougar', 'crater', 'crayon', 'cricket', 'crystal', 'cupboard', 'dagger', 'daisy',
  'dancer', 'delta', 'denim', 'desert', 'diamond', 'dinner', 'dolphin', 'domino',
  'donkey', 'dragon', 'drum', 'eagle', 'echo', 'elbow', 'ember', 'engine',
  'falcon', 'feather', 'fence', 'ferry', 'fiddle', 'finch', 'flame', 'flute',
  'forest', 'fossil', 'fountain', 'fox', 'galaxy', 'garden', 'garlic', 'gecko',
  'ginger', 'glacier', 'globe', 'goblet', 'gorilla', 'granite', 'grape', 'gravel',
  'guitar', 'hammer', 'harbor', 'hazel', 'helmet', 'hermit', 'honey', 'hornet',
  'iceberg', 'igloo', 'index', 'island', 'ivory', 'jacket', 'jaguar', 'jasmine',
  'jelly', 'jigsaw', 'jockey', 'juggler', 'jungle', 'kayak', 'kettle', 'kitten',
  'koala', 'ladder', 'lagoon', 'lantern', 'laser', 'lemon', 'lentil', 'lizard',
  'lobster', 'locket', 'lotus', 'magnet', 'mango', 'maple', 'marble', 'meadow',
  'melon', 'meteor', 'mirror', 'mitten', 'monkey', 'mosaic', 'muffin', 'mustard',
  'napkin', 'nectar', 'needle', 'nickel', 'noodle', 'nutmeg', 'oasis', 'ocean',
  'olive', 'onion', 'orbit', 'orchid', 'otter', 'oyster', 'paddle', 'panda',
  'parrot', 'peanut', 'pebble', 'pepper', 'piano', 'pigeon', 'pillow', 'pirate',
  'planet', 'plum', 'pocket', 'poppy', 'potato', 'pretzel', 'puzzle', 'quartz',
  'quiver', 'rabbit', 'radar', 'raven', 'ribbon', 'rocket', 'saddle', 'salmon',
  'sandal', 'satin', 'scarf', 'shadow', 'shovel', 'silver', 'sketch', 'sparrow',
  'spider', 'spoon', 'squirrel', 'statue', 'sugar', 'summit', 'tablet', 'tango',
  'teapot', 'temple', 'thistle', 'thunder', 'tiger', 'toast', 'tomato', 'torch',
  'tractor', 'trumpet', 'tulip', 'tunnel', 'turtle', 'umbrella', 'unicorn', 'valley',
  'velvet', 'violin', 'volcano', 'waffle', 'walnut', 'walrus', 'wizard', 'wombat',
  'yacht', 'yogurt', 'zebra', 'zenith', 'zipper', 'beacon', 'mammoth', 'willow',
];

/** Bytes rendered by both forms. */
export const FINGERPRINT_DISPLAY_BYTES = 16;

/** The canonical text whose SHA-256 is an identity's fingerprint. */
export function fingerprintInput(card: {
  readonly agencyId: string;
  readonly signingKey: string;
  readonly ageRecipient: string;
}): string {
  return `tessera.identity/1\nagency:${card.agencyId}\nsign:${card.signingKey}\nage:${card.ageRecipient}\n`;
}

/** SHA-256 fingerprint of an identity's keys and agency id. */
export function fingerprintBytes(card: {
  readonly agencyId: string;
  readonly signingKey: string;
  readonly ageRecipient: string;
}): Uint8Array {
  return sha256(utf8ToBytes(fingerprintInput(card)));
}

/** The short key id: the first 8 fingerprint bytes as 16 lower-case hex digits. */
export function keyIdOf(card: {
  readonly agencyId: string;
  readonly signingKey: string;
  readonly ageRecipient: string;
}): string {
  return bytesToHex(fingerprintBytes(card).subarray(0, 8));
}

function displayBytes(fingerprint: Uint8Array): Uint8Array {
  if (fingerprint.length < FINGERPRINT_DISPLAY_BYTES) {
    throw new Error(`fingerprint too short: ${fingerprint.length} bytes`);
  }
  return fingerprint.subarray(0, FINGERPRINT_DISPLAY_BYTES);
}

/** `3f2a 9c01 …`: 8 groups of 4 hex digits. */
export function formatFingerprintHex(fingerprint: Uint8Array): string {
  const hex = bytesToHex(displayBytes(fingerprint));
  return hex.match(/.{4}/g)!.join(' ');
}

/** 16 words from FINGERPRINT_WORDS, one per byte, separated by single spaces. */
export function formatFingerprintWords(fingerprint: Uint8Array): string {
  return Array.from(displayBytes(fingerprint), (byte) => FINGERPRINT_WORDS[byte]).join(' ');
}

/**
 * Compares what a person typed or read back (hex or words, any case and spacing) with a
 * fingerprint. Returns false rather than throwing on malformed input.
 */
export function fingerprintMatches(fingerprint: Uint8Array, typed: string): boolean {
  const normal = typed
    .trim()
    .toLowerCase()
    .replace(/[\s,.-]+/g, ' ');
  if (/^[0-9a-f ]+$/.test(normal)) {
    return normal.replace(/ /g, '') === bytesToHex(displayBytes(fingerprint));
  }
  return normal === formatFingerprintWords(fingerprint);
}
