/**
 * Handling markings carried by every record (and optionally by single properties). The foundation
 * only stores them; the exchange layer (release policy) gives them meaning. The most restrictive
 * marking that applies is the effective one.
 */

/** Default classification ladder, lowest first. Agencies may configure their own. */
export const DEFAULT_CLASSIFICATIONS = [
  'UNCLASSIFIED',
  'RESTRICTED',
  'CONFIDENTIAL',
  'SECRET',
] as const;

/** Traffic Light Protocol 2.0 labels, least restrictive first. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export interface Markings {
  /** A rung of the agency's classification ladder. */
  readonly classification: string;
  readonly tlp: Tlp;
  /**
   * Handling codes from HANDLING_CODES, stored as text ("ORCON; NOFORN"); read it with
   * parseHandlingCodes. An unknown code keeps the item at home.
   */
  readonly handlingCode?: string;
  /** Partner agency ids this record may be released to; empty means none beyond the originator. */
  readonly releasableTo: readonly string[];
  /** Any onward use needs the originating agency's consent. */
  readonly referToOriginator: boolean;
  /** ISO date after which a received copy must be purged; absent means the sharing agreement decides. */
  readonly retainUntil?: string;
}

export const DEFAULT_MARKINGS: Markings = {
  classification: 'UNCLASSIFIED',
  tlp: 'AMBER',
  releasableTo: [],
  referToOriginator: false,
};

// ---------------------------------------------------------------------------------------------
// Handling codes

/**
 * What a handling code does to a release (the policy, shared/exchange/policy.ts rule M7, reads it):
 * - `none`: nothing beyond the other marking rules;
 * - `listed`: the partner must be named in releasable-to (TLP:CLEAR is not enough);
 * - `originator`: originator controlled: our own material needs the partner named in
 *   releasable-to; anyone else's material needs its originator's consent, so it stays;
 * - `domestic`: never to a foreign partner (every partner is foreign unless its sharing agreement
 *   says `domestic: true`);
 * - `never`: never leaves this agency.
 */
export type HandlingEffect = 'none' | 'listed' | 'originator' | 'domestic' | 'never';

export interface HandlingCodeInfo {
  readonly label: string;
  /** What the code means for a release, in words an officer can check. */
  readonly meaning: string;
  readonly effect: HandlingEffect;
}

/**
 * The handling codes Tessera knows, in the order the editor shows them. The 5x5x5 codes follow
 * the UK 5x5x5 intelligence report's handling codes; the caveats are the usual dissemination
 * controls. A code not listed here is unknown, and the policy withholds anything carrying one:
 * a code nobody can read must never loosen anything.
 */
export const HANDLING_CODES = {
  H1: {
    label: 'H1 — law enforcement',
    meaning: 'May go to law-enforcement partners as the sharing agreement allows.',
    effect: 'none',
  },
  H2: {
    label: 'H2 — non-prosecuting parties',
    meaning:
      'May also go to non-prosecuting parties under conditions; for a law-enforcement partner it adds nothing.',
    effect: 'none',
  },
  H3: {
    label: 'H3 — foreign law enforcement, named',
    meaning:
      'May go to a foreign law-enforcement partner only when that partner is named in releasable-to.',
    effect: 'listed',
  },
  H4: {
    label: 'H4 — originating agency only',
    meaning: 'Stays inside the agency that originated it: never goes to any partner.',
    effect: 'never',
  },
  H5: {
    label: 'H5 — refer to originator',
    meaning:
      'No further dissemination without the originator’s consent: our own material goes only to partners named in releasable-to, anyone else’s stays.',
    effect: 'originator',
  },
  ORCON: {
    label: 'ORCON — originator controlled',
    meaning:
      'Release is controlled by the originator: our own material goes only to partners named in releasable-to, anyone else’s stays.',
    effect: 'originator',
  },
  NOFORN: {
    label: 'NOFORN — no foreign partners',
    meaning:
      'Never goes to a foreign partner; only to a partner whose sharing agreement is marked domestic.',
    effect: 'domestic',
  },
  PROPIN: {
    label: 'PROPIN — proprietary information',
    meaning: 'Third-party proprietary information: goes only to partners named in releasable-to.',
    effect: 'listed',
  },
  NOCONTRACT: {
    label: 'NOCONTRACT — no contractors',
    meaning:
      'Never to contractors or consultants; partners under a sharing agreement are agencies, so it adds nothing to a release.',
    effect: 'none',
  },
} as const satisfies Readonly<Record<string, HandlingCodeInfo>>;

export type HandlingCode = keyof typeof HANDLING_CODES;

export const HANDLING_CODE_NAMES = Object.keys(HANDLING_CODES) as readonly HandlingCode[];

export function isHandlingCode(token: string): token is HandlingCode {
  return Object.hasOwn(HANDLING_CODES, token);
}

export interface ParsedHandlingCodes {
  /** Known codes, each once, in registry order. */
  readonly codes: readonly HandlingCode[];
  /** Tokens that are not known codes (upper-cased, each once, sorted). */
  readonly unknown: readonly string[];
}

/**
 * Reads the stored handling-code text ("ORCON; NOFORN") as structured codes. Codes are separated
 * by semicolons, commas, slashes or spaces and compared without regard to case, so "orcon,noforn"
 * and "ORCON; NOFORN" are the same two codes; anything else is reported as unknown.
 */
export function parseHandlingCodes(text: string | undefined): ParsedHandlingCodes {
  const tokens = new Set(
    (text ?? '')
      .split(/[\s;,/|]+/)
      .map((token) => token.trim().toUpperCase())
      .filter((token) => token.length > 0),
  );
  return {
    codes: HANDLING_CODE_NAMES.filter((code) => tokens.has(code)),
    unknown: [...tokens].filter((token) => !isHandlingCode(token)).sort(),
  };
}

/** The stored form of a set of codes: registry order, "; " between; undefined for none. */
export function formatHandlingCodes(codes: Iterable<string>): string | undefined {
  const { codes: known, unknown } = parseHandlingCodes([...codes].join(';'));
  const all = [...known, ...unknown];
  return all.length === 0 ? undefined : all.join('; ');
}
