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
 * The item lists are those of the registry of record kinds (model/recordKinds.ts), keyed by table
 * name; attachments alone carry more than their record.
 */
import { z } from 'zod';
import type { AnyRecord } from './model/records.ts';
import type { ItemKind, TableOf } from './model/recordKinds.ts';
import { ITEM_KINDS, itemArraysShape, itemsOf, RECORD_KINDS } from './model/recordKinds.ts';

export const CASE_FILE_FORMAT = 'tessera.case';
export const CASE_FILE_VERSION = 1;

/** The case file's fields, before the checks across records (see `checkCaseFileRecords`). */
export const caseFileObjectSchema = z.object({
  format: z.literal(CASE_FILE_FORMAT),
  version: z.literal(CASE_FILE_VERSION),
  exportedAt: z.string(),
  exportedBy: z.string().max(64),
  case: RECORD_KINDS.case.schema,
  ...itemArraysShape(),
  attachments: z.array(RECORD_KINDS.attachment.schema.extend({ contentBase64: z.string() })),
});

interface CaseItemRef {
  readonly id: string;
  readonly caseId: string;
}

/**
 * Every record belongs to the file's case and ids are unique. Shared with the variants of the
 * schema (the exchange contract's, whose attachments may carry an upload reference instead).
 */
export function checkCaseFileRecords(
  file: { readonly case: { readonly id: string } } & {
    readonly [K in ItemKind as TableOf<K>]: readonly CaseItemRef[];
  },
  ctx: z.RefinementCtx,
): void {
  const caseId = file.case.id;
  const items = ITEM_KINDS.flatMap((kind) => file[RECORD_KINDS[kind].table]);
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

/** The case record and every item of a case file, attachments without their content. */
export function caseFileRecords(file: CaseFile): AnyRecord[] {
  const attachments = file.attachments.map(({ contentBase64: _content, ...record }) => record);
  return [file.case, ...itemsOf({ ...file, attachments })];
}

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
