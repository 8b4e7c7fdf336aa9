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
  /** Free handling code, e.g. a national handling instruction (H1–H3 under the 5x5x5 scheme). */
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
