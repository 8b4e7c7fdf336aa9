/**
 * The case export format ("CASE.json"): one case with everything in it, as plain JSON. It is what
 * `tessera case demo` writes, what `tessera bundle seal --in` reads, and what the app exports and
 * imports. Attachment contents travel inline as base64 so the file stands alone.
 *
 * {
 *   "format": "tessera.case", "version": 1, "exportedAt": ISO time, "exportedBy": agency id,
 *   "case": CaseRecord, "entities": EntityRecord[], "notes": NoteRecord[],
 *   "attachments": (AttachmentRecord & { "contentBase64": string })[],
 *   "notices": NoticeRecord[], "charts": ChartRecord[]
 * }
 */
import { z } from 'zod';
import {
  attachmentRecordSchema,
  caseRecordSchema,
  chartRecordSchema,
  entityRecordSchema,
  noteRecordSchema,
  noticeRecordSchema,
} from './model/recordSchemas.ts';

export const CASE_FILE_FORMAT = 'tessera.case';
export const CASE_FILE_VERSION = 1;

/** The case file's fields, before the checks across records (see `checkCaseFileRecords`). */
export const caseFileObjectSchema = z.object({
  format: z.literal(CASE_FILE_FORMAT),
  version: z.literal(CASE_FILE_VERSION),
  exportedAt: z.string(),
  exportedBy: z.string().max(64),
  case: caseRecordSchema,
  entities: z.array(entityRecordSchema),
  notes: z.array(noteRecordSchema),
  attachments: z.array(attachmentRecordSchema.extend({ contentBase64: z.string() })),
  notices: z.array(noticeRecordSchema),
  charts: z.array(chartRecordSchema),
});

interface CaseItem {
  readonly id: string;
  readonly caseId: string;
}

/**
 * Every record belongs to the file's case and ids are unique. Shared with the variants of the
 * schema (the exchange contract's, whose attachments may carry an upload reference instead).
 */
export function checkCaseFileRecords(
  file: {
    readonly case: { readonly id: string };
    readonly entities: readonly CaseItem[];
    readonly notes: readonly CaseItem[];
    readonly attachments: readonly CaseItem[];
    readonly notices: readonly CaseItem[];
    readonly charts: readonly CaseItem[];
  },
  ctx: z.RefinementCtx,
): void {
  const caseId = file.case.id;
  const items = [
    ...file.entities,
    ...file.notes,
    ...file.attachments,
    ...file.notices,
    ...file.charts,
  ];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.caseId !== caseId) {
      ctx.addIssue({ code: 'custom', message: `record ${item.id} belongs to another case` });
    }
    if (seen.has(item.id))
      ctx.addIssue({ code: 'custom', message: `duplicate record id ${item.id}` });
    seen.add(item.id);
  }
}

export const caseFileSchema = caseFileObjectSchema.superRefine(checkCaseFileRecords);

export type CaseFile = z.infer<typeof caseFileSchema>;

/** A case file's records with attachment records only (no content): what the exchange judges. */
export type CaseRecords = Omit<CaseFile, 'attachments'> & {
  readonly attachments: Omit<CaseFile['attachments'][number], 'contentBase64'>[];
};

/** Parses a case file's text; throws an Error whose message lists what is wrong. */
export function parseCaseFile(text: string): CaseFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `not a Tessera case file: invalid JSON (${error instanceof Error ? error.message : ''})`,
    );
  }
  const result = caseFileSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new Error(`not a valid Tessera case file: ${issues.join('; ')}`);
  }
  return result.data;
}
