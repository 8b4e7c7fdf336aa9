/**
 * Comparing and combining handling markings (see shared/model/markings.ts for what a marking holds).
 *
 * Restrictiveness, dimension by dimension:
 * - classification: higher on the ladder is more restrictive; a rung that is not on the ladder is
 *   treated as above the top (an unknown marking must never loosen anything);
 * - TLP: CLEAR < GREEN < AMBER < AMBER+STRICT < RED;
 * - releasableTo: fewer partners is more restrictive (combining takes the intersection);
 * - referToOriginator: true is more restrictive;
 * - retainUntil: an earlier date is more restrictive; absent means "the agreement decides", which is
 *   less restrictive than any date;
 * - handlingCode: a set of codes (shared/model/markings.ts HANDLING_CODES, read by
 *   parseHandlingCodes) without an order, so combining keeps every code that applies and dropping
 *   or replacing a code counts as lowering. Codes compare without regard to case or separators.
 *
 * The effective marking of a record (or of one property of an entity) is the most restrictive
 * combination of the markings that apply to it. A relationship's effective marking is its own; the
 * release policy handles its ends.
 */
import type { Markings, Tlp } from '../model/markings.ts';
import {
  DEFAULT_CLASSIFICATIONS,
  formatHandlingCodes,
  parseHandlingCodes,
  TLP_LEVELS,
} from '../model/markings.ts';
import type { AnyRecord } from '../model/records.ts';

export type ClassificationLadder = readonly string[];

/** Position on the ladder; a classification not on it ranks above the top. */
export function classificationRank(
  classification: string,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): number {
  const index = ladder.indexOf(classification);
  return index < 0 ? ladder.length : index;
}

export function isKnownClassification(
  classification: string,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): boolean {
  return ladder.includes(classification);
}

/** Negative when `a` is less restrictive than `b`, zero when equal, positive when more. */
export function compareClassification(
  a: string,
  b: string,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): number {
  const diff = classificationRank(a, ladder) - classificationRank(b, ladder);
  if (diff !== 0) return diff;
  // Two unknown rungs: order them by name so that combining stays deterministic.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function tlpRank(tlp: Tlp): number {
  return TLP_LEVELS.indexOf(tlp);
}

export function compareTlp(a: Tlp, b: Tlp): number {
  return tlpRank(a) - tlpRank(b);
}

function splitCodes(code: string | undefined): string[] {
  const { codes, unknown } = parseHandlingCodes(code);
  return [...codes, ...unknown];
}

/** The combination of two markings that is at least as restrictive as each of them. */
export function mostRestrictive(
  a: Markings,
  b: Markings,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): Markings {
  const allowed = new Set(b.releasableTo);
  const retainUntil =
    a.retainUntil === undefined
      ? b.retainUntil
      : b.retainUntil === undefined
        ? a.retainUntil
        : a.retainUntil < b.retainUntil
          ? a.retainUntil
          : b.retainUntil;
  const handlingCode = formatHandlingCodes([
    ...splitCodes(a.handlingCode),
    ...splitCodes(b.handlingCode),
  ]);
  return {
    classification:
      compareClassification(a.classification, b.classification, ladder) >= 0
        ? a.classification
        : b.classification,
    tlp: compareTlp(a.tlp, b.tlp) >= 0 ? a.tlp : b.tlp,
    releasableTo: [...new Set(a.releasableTo.filter((partner) => allowed.has(partner)))].sort(),
    referToOriginator: a.referToOriginator || b.referToOriginator,
    ...(handlingCode === undefined ? {} : { handlingCode }),
    ...(retainUntil === undefined ? {} : { retainUntil }),
  };
}

/**
 * The markings that govern a record, or one property of an entity: the record's own markings
 * combined with the property's, where the property has its own.
 */
export function effectiveMarkings(
  record: AnyRecord,
  propertyName?: string,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): Markings {
  if (propertyName === undefined || record.kind !== 'entity') return record.markings;
  const own = record.propertyMarkings?.[propertyName];
  return own ? mostRestrictive(record.markings, own, ladder) : record.markings;
}

/**
 * Every way in which `after` is less restrictive than `before`, as sentences for people; empty when
 * `after` keeps or raises every dimension.
 */
export function loweringReasons(
  before: Markings,
  after: Markings,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): string[] {
  const reasons: string[] = [];
  if (compareClassification(after.classification, before.classification, ladder) < 0) {
    reasons.push(`classification lowered from ${before.classification} to ${after.classification}`);
  }
  if (compareTlp(after.tlp, before.tlp) < 0) {
    reasons.push(`TLP lowered from ${before.tlp} to ${after.tlp}`);
  }
  const allowed = new Set(before.releasableTo);
  const added = after.releasableTo.filter((partner) => !allowed.has(partner));
  if (added.length > 0) reasons.push(`releasable-to widened by ${added.join(', ')}`);
  if (before.referToOriginator && !after.referToOriginator) {
    reasons.push('"refer to originator" removed');
  }
  if (before.retainUntil !== undefined) {
    if (after.retainUntil === undefined) reasons.push('retention date removed');
    else if (after.retainUntil > before.retainUntil) {
      reasons.push(`retention extended from ${before.retainUntil} to ${after.retainUntil}`);
    }
  }
  const kept = new Set(splitCodes(after.handlingCode));
  const dropped = splitCodes(before.handlingCode).filter((code) => !kept.has(code));
  if (dropped.length > 0) reasons.push(`handling code ${dropped.join(', ')} removed`);
  return reasons;
}

/** True when `after` would loosen `before` in any dimension; such changes are refused. */
export function isLowering(
  before: Markings,
  after: Markings,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): boolean {
  return loweringReasons(before, after, ladder).length > 0;
}

/** A short label for people, e.g. "CONFIDENTIAL · TLP:AMBER · to BKA, NCA". */
export function describeMarkings(markings: Markings): string {
  const parts = [markings.classification, `TLP:${markings.tlp}`];
  if (markings.handlingCode) parts.push(markings.handlingCode);
  parts.push(
    markings.releasableTo.length > 0 ? `to ${markings.releasableTo.join(', ')}` : 'not releasable',
  );
  if (markings.referToOriginator) parts.push('refer to originator');
  return parts.join(' · ');
}
