/**
 * Builders of release-policy test cases: one case, its records with sensible defaults, and the
 * agreement between NCA (us) and BKA (the partner). Shared by the policy tests and the generated
 * leak tests; pure, no test framework.
 */
import { formatHlc } from '../../model/hlc.ts';
import type { Markings } from '../../model/markings.ts';
import { DEFAULT_MARKINGS } from '../../model/markings.ts';
import { groupItems } from '../../model/recordKinds.ts';
import type {
  AnyRecord,
  AttachmentRecord,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
} from '../../model/records.ts';
import type { SharingAgreement } from '../agreement.ts';
import type { ReleaseInput } from '../policy.ts';

export const OWN = 'NCA';
export const PARTNER = 'BKA';
export const THIRD = 'FBI';
export const CASE_ID = 'case1';

/** A clock value `n` ms after a fixed epoch, written by `node`. */
export function hlcAt(n: number, node = 'nca', counter = 0): string {
  return formatHlc({ wallMs: 1_700_000_000_000 + n, counter, node });
}

export function marks(over: Partial<Markings> = {}): Markings {
  return { ...DEFAULT_MARKINGS, releasableTo: [PARTNER], ...over };
}

export const AGREEMENT: SharingAgreement = {
  partnerAgencyId: PARTNER,
  legalBasis: 'MOU NCA-BKA 2023/4',
  crimeAreas: ['Drug trafficking', 'money laundering'],
  highestClassification: 'CONFIDENTIAL',
  categories: [
    'persons',
    'organisations',
    'communications',
    'financial',
    'vehicles',
    'locations',
    'notes',
    'attachments',
    'notices',
    'charts',
  ],
  retentionDays: 365,
  validFrom: '2024-01-01',
  validTo: '2030-12-31',
};

export const NOW = '2025-06-01T12:00:00.000Z';

export function caseRecord(over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id: CASE_ID,
    kind: 'case',
    updatedAt: hlcAt(0),
    createdAt: hlcAt(0),
    deleted: false,
    originAgency: OWN,
    markings: marks(),
    reference: 'NCA/2025/1',
    title: 'Operation Tessera',
    status: 'open',
    leadInvestigator: 'J. Smith',
    crimeAreas: ['drug trafficking', 'Money Laundering'],
    jurisdictions: ['gb', 'de'],
    openedOn: '2025-01-01',
    ...over,
  };
}

export function entity(
  id: string,
  schema: string,
  properties: Record<string, string[]>,
  over: Partial<EntityRecord> = {},
): EntityRecord {
  const origin = over.originAgency ?? OWN;
  return {
    id,
    kind: 'entity',
    caseId: CASE_ID,
    updatedAt: hlcAt(1),
    createdAt: hlcAt(1),
    deleted: false,
    originAgency: origin,
    markings: marks(),
    schema,
    properties,
    provenance: { source: 'test', originAgency: origin, recordedBy: 'tester', recordedAt: NOW },
    grading: { source: 'B', information: '2' },
    ...over,
  };
}

export function note(
  id: string,
  entityId: string | undefined,
  over: Partial<NoteRecord> = {},
): NoteRecord {
  return {
    id,
    kind: 'note',
    caseId: CASE_ID,
    updatedAt: hlcAt(2),
    createdAt: hlcAt(2),
    deleted: false,
    originAgency: OWN,
    markings: marks(),
    ...(entityId === undefined ? {} : { entityId }),
    title: `Note ${id}`,
    body: 'text',
    author: 'tester',
    ...over,
  };
}

export function attachment(
  id: string,
  entityId: string | undefined,
  over: Partial<AttachmentRecord> = {},
): AttachmentRecord {
  return {
    id,
    kind: 'attachment',
    caseId: CASE_ID,
    updatedAt: hlcAt(2),
    createdAt: hlcAt(2),
    deleted: false,
    originAgency: OWN,
    markings: marks(),
    ...(entityId === undefined ? {} : { entityId }),
    fileName: `${id}.pdf`,
    mediaType: 'application/pdf',
    size: 3,
    sha256: 'a'.repeat(64),
    provenance: { source: 'test', originAgency: OWN, recordedBy: 'tester', recordedAt: NOW },
    ...over,
  };
}

export function notice(
  id: string,
  subjectId: string,
  over: Partial<NoticeRecord> = {},
): NoticeRecord {
  return {
    id,
    kind: 'notice',
    caseId: CASE_ID,
    updatedAt: hlcAt(2),
    createdAt: hlcAt(2),
    deleted: false,
    originAgency: OWN,
    markings: marks(),
    noticeType: 'red',
    subjectId,
    reference: `N-${id}`,
    issuingAgency: OWN,
    status: 'issued',
    summary: 'wanted',
    ...over,
  };
}

export function chart(id: string, nodeIds: string[], over: Partial<ChartRecord> = {}): ChartRecord {
  return {
    id,
    kind: 'chart',
    caseId: CASE_ID,
    updatedAt: hlcAt(2),
    createdAt: hlcAt(2),
    deleted: false,
    originAgency: OWN,
    markings: marks(),
    name: `Chart ${id}`,
    nodes: Object.fromEntries(nodeIds.map((nodeId, i) => [nodeId, { x: i * 10, y: 0 }])),
    layout: 'manual',
    ...over,
  };
}

export function inputOf(
  records: readonly AnyRecord[],
  over: Partial<ReleaseInput> = {},
): ReleaseInput {
  return {
    case: caseRecord(),
    ...groupItems(records),
    ...over,
  };
}
