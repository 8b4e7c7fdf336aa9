/**
 * Lifecycle of an Interpol-style notice: requested → issued → hit reported → cancelled or expired.
 * A request may be withdrawn (cancelled) before it is issued, and an issued notice may be cancelled
 * or lapse without any hit; cancelled and expired are final. The UI offers only the transitions in
 * this table, and the form checks a notice before it is saved.
 */
import type { NoticeStatus, NoticeType } from '../../shared/model/index.ts';
import { validateDate } from '../../shared/model/index.ts';

export const NOTICE_TRANSITIONS: Readonly<Record<NoticeStatus, readonly NoticeStatus[]>> = {
  requested: ['issued', 'cancelled'],
  issued: ['hit-reported', 'cancelled', 'expired'],
  'hit-reported': ['cancelled', 'expired'],
  cancelled: [],
  expired: [],
};

/** Statuses a notice may be recorded with when first entered (one already issued elsewhere included). */
const INITIAL_STATUSES: readonly NoticeStatus[] = ['requested', 'issued'];

export const NOTICE_STATUS_LABELS: Readonly<Record<NoticeStatus, string>> = {
  requested: 'Requested',
  issued: 'Issued',
  'hit-reported': 'Hit reported',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

export function canTransition(from: NoticeStatus, to: NoticeStatus): boolean {
  return from === to || NOTICE_TRANSITIONS[from].includes(to);
}

/** The statuses a status select offers: the current one first, then the allowed next ones. */
export function statusChoices(current: NoticeStatus | undefined): readonly NoticeStatus[] {
  return current === undefined ? INITIAL_STATUSES : [current, ...NOTICE_TRANSITIONS[current]];
}

export function isFinalStatus(status: NoticeStatus): boolean {
  return NOTICE_TRANSITIONS[status].length === 0;
}

export interface NoticeTypeInfo {
  readonly label: string;
  readonly purpose: string;
  /** Chip colour; the colour notices use Interpol's own colours. */
  readonly colour: string;
  /** Text colour readable on `colour`. */
  readonly ink: string;
}

export const NOTICE_TYPES: Readonly<Record<NoticeType, NoticeTypeInfo>> = {
  red: {
    label: 'Red',
    purpose: 'Locate and arrest for extradition',
    colour: '#c62828',
    ink: '#fff',
  },
  yellow: { label: 'Yellow', purpose: 'Locate a missing person', colour: '#f9d423', ink: '#222' },
  blue: {
    label: 'Blue',
    purpose: 'Collect information on identity or location',
    colour: '#1e63c4',
    ink: '#fff',
  },
  black: { label: 'Black', purpose: 'Identify an unidentified body', colour: '#222', ink: '#fff' },
  green: {
    label: 'Green',
    purpose: 'Warn about criminal activities',
    colour: '#2e7d32',
    ink: '#fff',
  },
  orange: {
    label: 'Orange',
    purpose: 'Warn of an imminent threat',
    colour: '#ef6c00',
    ink: '#fff',
  },
  purple: {
    label: 'Purple',
    purpose: 'Share modus operandi, objects, concealment',
    colour: '#6a1b9a',
    ink: '#fff',
  },
  diffusion: {
    label: 'Diffusion',
    purpose: 'Request sent directly to chosen countries',
    colour: '#607d8b',
    ink: '#fff',
  },
  warrant: {
    label: 'Warrant',
    purpose: 'Arrest warrant (e.g. European Arrest Warrant)',
    colour: '#8d6e63',
    ink: '#fff',
  },
  alert: {
    label: 'Alert',
    purpose: 'Alert in a shared information system (e.g. SIS)',
    colour: '#455a64',
    ink: '#fff',
  },
};

export interface NoticeDraft {
  readonly noticeType: NoticeType;
  readonly reference: string;
  readonly issuingAgency: string;
  readonly status: NoticeStatus;
  readonly summary: string;
  readonly subjectId?: string;
  readonly issuedOn?: string;
  readonly expiresOn?: string;
}

/** Problems keyed by field; `previous` is the stored status when editing. */
export function validateNotice(
  draft: NoticeDraft,
  previous?: NoticeStatus,
): Readonly<Record<string, string>> {
  const errors: Record<string, string> = {};
  if (!(draft.noticeType in NOTICE_TYPES)) errors.noticeType = 'Choose a notice type';
  if (draft.reference.trim() === '') errors.reference = 'Reference is required';
  if (draft.issuingAgency.trim() === '') errors.issuingAgency = 'Issuing agency is required';
  if (previous === undefined) {
    if (!INITIAL_STATUSES.includes(draft.status)) {
      errors.status = `A new notice starts as ${INITIAL_STATUSES.map((s) => NOTICE_STATUS_LABELS[s]).join(' or ')}`;
    }
  } else if (!canTransition(previous, draft.status)) {
    errors.status = `A notice cannot go from ${NOTICE_STATUS_LABELS[previous]} to ${NOTICE_STATUS_LABELS[draft.status]}`;
  }
  for (const field of ['issuedOn', 'expiresOn'] as const) {
    const value = draft[field]?.trim();
    if (value) {
      const problem = validateDate(value);
      if (problem) errors[field] = problem;
    }
  }
  const issued = draft.issuedOn?.trim();
  const expires = draft.expiresOn?.trim();
  if (issued && expires && !errors.issuedOn && !errors.expiresOn && expires < issued) {
    errors.expiresOn = 'Expiry comes before the issue date';
  }
  return errors;
}
