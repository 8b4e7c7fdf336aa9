/**
 * Pure logic behind the exchange screens: form drafts to contract values (agreement, transport,
 * markings), the export preview's rows (each withheld record and field with its rule), display of
 * field values in the review, and the review's accept/reject decisions,
 * which keep dependencies consistent (accepting a relationship accepts its new ends; rejecting an
 * entity rejects what needs it).
 */
import { DATA_CATEGORIES } from '../../shared/exchange/agreement.ts';
import type { DataCategory, SharingAgreement } from '../../shared/exchange/agreement.ts';
import { describeMarkings } from '../../shared/exchange/markings.ts';
import { RELEASE_RULES } from '../../shared/exchange/policy.ts';
import type { ReleasePreview, TransportSettings } from '../../shared/contract/exchange.ts';
import { TLP_LEVELS, formatGrading, formatHandlingCodes } from '../../shared/model/index.ts';
import type { Grading, HandlingCode, Markings, Tlp } from '../../shared/model/index.ts';
import { readableDate, readableValue, recordFieldLabel } from '../../shared/model/readable.ts';
import type { MarkingsPatch, ReviewModel } from '../db/exchangeApply.ts';
import { requiredClosure } from '../db/exchangeApply.ts';

type Result<T> =
  { readonly value: T; readonly errors?: undefined } | { readonly errors: Record<string, string> };

function splitList(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
}

// ---- Agreement

export interface AgreementDraft {
  readonly legalBasis: string;
  readonly crimeAreas: string;
  readonly highestClassification: string;
  readonly categories: readonly DataCategory[];
  readonly retentionDays: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** The partner is an agency of our own country (NOFORN material may go to it). */
  readonly domestic: boolean;
}

export function draftFromAgreement(
  agreement: SharingAgreement | null,
  today: string,
): AgreementDraft {
  return {
    legalBasis: agreement?.legalBasis ?? '',
    crimeAreas: agreement?.crimeAreas.join(', ') ?? '',
    highestClassification: agreement?.highestClassification ?? 'RESTRICTED',
    categories: agreement?.categories ?? [...DATA_CATEGORIES],
    retentionDays: String(agreement?.retentionDays ?? 365),
    validFrom: agreement?.validFrom ?? today,
    validTo: agreement?.validTo ?? '',
    domestic: agreement?.domestic ?? false,
  };
}

export function agreementFromDraft(
  partnerId: string,
  draft: AgreementDraft,
): Result<SharingAgreement> {
  const errors: Record<string, string> = {};
  if (!draft.legalBasis.trim()) errors.legalBasis = 'Legal basis or MOU reference is required';
  const retention = Number(draft.retentionDays);
  if (!Number.isInteger(retention) || retention <= 0)
    errors.retentionDays = 'Retention is a whole number of days';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.validFrom))
    errors.validFrom = 'Valid from is a date (YYYY-MM-DD)';
  if (draft.validTo && !/^\d{4}-\d{2}-\d{2}$/.test(draft.validTo))
    errors.validTo = 'Valid to is a date (YYYY-MM-DD)';
  else if (draft.validTo && draft.validTo < draft.validFrom)
    errors.validTo = 'Valid to is before valid from';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    value: {
      partnerAgencyId: partnerId,
      legalBasis: draft.legalBasis.trim(),
      crimeAreas: splitList(draft.crimeAreas),
      highestClassification: draft.highestClassification,
      categories: [...draft.categories],
      retentionDays: retention,
      validFrom: draft.validFrom,
      ...(draft.validTo ? { validTo: draft.validTo } : {}),
      ...(draft.domestic ? { domestic: true } : {}),
    },
  };
}

// ---- Transport

export interface TransportDraft {
  readonly kind: 'file' | 'folder' | 's3';
  readonly root: string;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly forcePathStyle: boolean;
}

export function draftFromTransport(transport: TransportSettings | null): TransportDraft {
  const blank: TransportDraft = {
    kind: 'file',
    root: '',
    endpoint: '',
    region: '',
    bucket: '',
    prefix: '',
    accessKeyId: '',
    secretAccessKey: '',
    forcePathStyle: true,
  };
  if (!transport || transport.kind === 'file') return blank;
  if (transport.kind === 'folder') return { ...blank, kind: 'folder', root: transport.root };
  return {
    ...blank,
    kind: 's3',
    endpoint: transport.endpoint ?? '',
    region: transport.region ?? '',
    bucket: transport.bucket,
    prefix: transport.prefix ?? '',
    accessKeyId: transport.accessKeyId,
    secretAccessKey: transport.secretAccessKey,
    forcePathStyle: transport.forcePathStyle ?? true,
  };
}

export function transportFromDraft(draft: TransportDraft): Result<TransportSettings | null> {
  if (draft.kind === 'file') return { value: null };
  if (draft.kind === 'folder') {
    return draft.root.trim()
      ? { value: { kind: 'folder', root: draft.root.trim() } }
      : { errors: { root: 'Folder path is required' } };
  }
  const errors: Record<string, string> = {};
  if (!draft.bucket.trim()) errors.bucket = 'Bucket is required';
  if (!draft.accessKeyId.trim()) errors.accessKeyId = 'Access key id is required';
  if (draft.endpoint && !/^https?:\/\/\S+$/.test(draft.endpoint.trim()))
    errors.endpoint = 'Endpoint is a URL (http:// or https://)';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    value: {
      kind: 's3',
      bucket: draft.bucket.trim(),
      accessKeyId: draft.accessKeyId.trim(),
      secretAccessKey: draft.secretAccessKey,
      forcePathStyle: draft.forcePathStyle,
      ...(draft.endpoint.trim() ? { endpoint: draft.endpoint.trim() } : {}),
      ...(draft.region.trim() ? { region: draft.region.trim() } : {}),
      ...(draft.prefix.trim() ? { prefix: draft.prefix.trim() } : {}),
    },
  };
}

// ---- Markings

export interface MarkingsDraft {
  /** '' leaves the field as it is. */
  readonly classification: string;
  readonly tlp: '' | Tlp;
  /** '' leaves handling codes as they are; 'set' replaces them by `handlingCodes` (none clears). */
  readonly handlingMode: '' | 'set';
  readonly handlingCodes: readonly HandlingCode[];
  readonly releasableMode: '' | 'set' | 'add' | 'remove';
  readonly partners: string;
  readonly referToOriginator: '' | 'yes' | 'no';
  readonly retainUntil: string;
  readonly clearRetainUntil: boolean;
}

export const EMPTY_MARKINGS_DRAFT: MarkingsDraft = {
  classification: '',
  tlp: '',
  handlingMode: '',
  handlingCodes: [],
  releasableMode: '',
  partners: '',
  referToOriginator: '',
  retainUntil: '',
  clearRetainUntil: false,
};

export function patchFromDraft(draft: MarkingsDraft): MarkingsPatch {
  return {
    ...(draft.classification ? { classification: draft.classification } : {}),
    ...(draft.tlp && TLP_LEVELS.includes(draft.tlp) ? { tlp: draft.tlp } : {}),
    ...(draft.handlingMode === 'set'
      ? { handlingCode: formatHandlingCodes(draft.handlingCodes) ?? null }
      : {}),
    ...(draft.releasableMode
      ? { releasableTo: { mode: draft.releasableMode, partners: splitList(draft.partners) } }
      : {}),
    ...(draft.referToOriginator ? { referToOriginator: draft.referToOriginator === 'yes' } : {}),
    ...(draft.clearRetainUntil
      ? { retainUntil: null }
      : draft.retainUntil
        ? { retainUntil: draft.retainUntil }
        : {}),
  };
}

export function isEmptyPatch(patch: MarkingsPatch): boolean {
  return Object.keys(patch).length === 0;
}

// ---- Export preview

/** One line of the export preview: a withheld record or a field left out, and the rule why. */
export interface PreviewRow {
  readonly key: string;
  readonly recordId: string;
  readonly caption: string;
  /** For a field left out: its label (`birthDate`, `description`, `provenance.source`…). */
  readonly field: string | null;
  /** Rule code (e.g. "M1"), and its short title for people. */
  readonly rule: string;
  readonly ruleTitle: string;
  readonly reason: string;
}

function ruleTitle(rule: string): string {
  return Object.hasOwn(RELEASE_RULES, rule)
    ? RELEASE_RULES[rule as keyof typeof RELEASE_RULES]
    : '';
}

function rowsOf(
  item: { readonly id: string; readonly caption: string; readonly reasons: readonly string[] },
  rules: readonly string[] | undefined,
  field: string | null,
): PreviewRow[] {
  return item.reasons.map((reason, i) => {
    const rule = rules?.[i] ?? '';
    return {
      key: `${item.id}/${field ?? ''}/${i}`,
      recordId: item.id,
      caption: item.caption,
      field,
      rule,
      ruleTitle: ruleTitle(rule),
      reason,
    };
  });
}

/** The preview as rows: every withheld record, and every field left out, one row per reason. */
export function previewRows(preview: ReleasePreview): {
  readonly withheld: readonly PreviewRow[];
  readonly fields: readonly PreviewRow[];
} {
  return {
    withheld: preview.withheld.flatMap((item) => rowsOf(item, item.rules, null)),
    fields: preview.stripped.flatMap((item) =>
      rowsOf(item, item.rules, fieldLabel(item.field || item.property)),
    ),
  };
}

// ---- Review display

/** The field's label as the person knows it ("Lead investigator", an FtM property's label). */
export function fieldLabel(field: string, schemaName?: string): string {
  return recordFieldLabel(field, schemaName);
}

function isMarkings(value: unknown): value is Markings {
  return (
    typeof value === 'object' &&
    value !== null &&
    'classification' in value &&
    'tlp' in value &&
    'releasableTo' in value
  );
}

function isGrading(value: unknown): value is Grading {
  return typeof value === 'object' && value !== null && 'source' in value && 'information' in value;
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value))
    return value.length === 0 ? '—' : value.map((v) => formatValue(v)).join(', ');
  if (typeof value === 'string') {
    const text = readableDate(value);
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  }
  if (isMarkings(value)) return describeMarkings(value);
  if (isGrading(value)) return formatGrading(value);
  return readableValue(value) ?? '—';
}

// ---- Review decisions

/**
 * Items accepted by default: every one that can be accepted except conflicts, which the person
 * decides one by one or all at once (issue 12: pre-ticked conflicts let theirs win unread).
 */
export function initialDecisions(review: ReviewModel): Set<string> {
  return new Set(
    review.items
      .filter((item) => item.problems.length === 0 && item.status !== 'conflict')
      .map((item) => item.id),
  );
}

/** The ids of the items both sides changed. */
export function conflictIds(review: ReviewModel): string[] {
  return review.items.filter((item) => item.status === 'conflict').map((item) => item.id);
}

/**
 * One answer for every conflict: 'mine' keeps the local values (and the items needing a
 * conflict's new values drop out), 'theirs' accepts the incoming ones (with what they need).
 */
export function decideAllConflicts(
  review: ReviewModel,
  accepted: ReadonlySet<string>,
  take: 'mine' | 'theirs',
): Set<string> {
  let next = new Set(accepted);
  for (const item of review.items) {
    if (item.status !== 'conflict' || item.problems.length > 0) continue;
    next = toggleItem(review, next, item.id, take === 'theirs');
  }
  return next;
}

/** Accepting takes the new items it needs along; rejecting drops the accepted items needing it. */
export function toggleItem(
  review: ReviewModel,
  accepted: ReadonlySet<string>,
  id: string,
  accept: boolean,
): Set<string> {
  const next = new Set(accepted);
  if (accept) {
    next.add(id);
    for (const ref of requiredClosure(review, id)) next.add(ref);
    return next;
  }
  next.delete(id);
  for (const item of review.items) {
    if (next.has(item.id) && requiredClosure(review, item.id).includes(id)) next.delete(item.id);
  }
  return next;
}

export function reviewCounts(review: ReviewModel): Record<'new' | 'changed' | 'conflict', number> {
  const counts = { new: 0, changed: 0, conflict: 0 };
  for (const item of review.items) counts[item.status] += 1;
  return counts;
}

// ---- Export: the preview the officer saw against the one at sealing time

/**
 * Whether two previews (one per partner) release and withhold the same records and fields and
 * would send the same bundle: sealing goes ahead only then, so the bundle holds what was shown.
 */
export function samePreview(
  shown: readonly ReleasePreview[],
  now: readonly ReleasePreview[],
): boolean {
  const key = (p: ReleasePreview) =>
    JSON.stringify([
      p.partnerId,
      p.ready,
      [...p.releasedIds].sort(),
      p.withheld.map((w) => w.id).sort(),
      p.stripped.map((s) => `${s.id} ${s.field}`).sort(),
      p.operations,
      p.nextSequence,
    ]);
  return shown.length === now.length && shown.every((p, i) => key(p) === key(now[i]!));
}
