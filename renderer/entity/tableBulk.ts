/**
 * What the table's bulk bar offers: the properties a bulk edit may set, and its marking form as a
 * MarkingsPatch (fields left empty stay as they are on each record).
 */
import { TLP_LEVELS } from '../../shared/model/index.ts';
import type { Tlp } from '../../shared/model/index.ts';
import type { MarkingsPatch } from '../db/exchangeApply.ts';

export interface BulkProperty {
  /** FtM property name. */
  readonly name: string;
  readonly label: string;
  readonly placeholder: string;
}

/** Properties worth setting on many entities at once; others are edited one by one. */
export const BULK_PROPERTIES: readonly BulkProperty[] = [
  { name: 'nationality', label: 'Nationality', placeholder: 'country code, e.g. ro' },
  { name: 'country', label: 'Country', placeholder: 'country code, e.g. at' },
  { name: 'keywords', label: 'Keywords (tag)', placeholder: 'e.g. operation-danube' },
];

export interface BulkMarkingDraft {
  /** '' keeps each record's classification. */
  readonly classification: string;
  /** '' keeps each record's TLP. */
  readonly tlp: string;
  /** '' keeps the handling code; 'none' clears it; otherwise the one code to set. */
  readonly handling: string;
  /** Agency ids to add to each record's releasability (comma separated); '' adds none. */
  readonly releasableTo: string;
}

export const EMPTY_BULK_MARKING: BulkMarkingDraft = {
  classification: '',
  tlp: '',
  handling: '',
  releasableTo: '',
};

function isTlp(value: string): value is Tlp {
  return (TLP_LEVELS as readonly string[]).includes(value);
}

export function markingPatchOf(draft: BulkMarkingDraft): MarkingsPatch {
  const partners = draft.releasableTo
    .split(/[,;\s]+/)
    .map((partner) => partner.trim())
    .filter(Boolean);
  return {
    ...(draft.classification ? { classification: draft.classification } : {}),
    ...(isTlp(draft.tlp) ? { tlp: draft.tlp } : {}),
    ...(draft.handling === 'none'
      ? { handlingCode: null }
      : draft.handling
        ? { handlingCode: draft.handling }
        : {}),
    ...(partners.length > 0 ? { releasableTo: { mode: 'add' as const, partners } } : {}),
  };
}
