/**
 * Moving whole cases in and out as files: Tessera's case file (everything, markings included) and
 * the interchange formats of shared/interchange (FollowTheMoney, GraphML, GEXF, Cytoscape JSON…:
 * entities and relationships only). An interchange import always makes a NEW case with fresh
 * record ids, so it never changes another case (issue 11), and returns the report of what it kept,
 * changed or could not use. Imports go through the repository's all-or-nothing importCase.
 */
import { parseCaseFile } from '../../shared/caseFile.ts';
import type { CaseFile } from '../../shared/caseFile.ts';
import {
  detectFormat,
  INTERCHANGE_FORMATS,
  interchangeFormat,
  InterchangeError,
} from '../../shared/interchange/index.ts';
import type { ImportIssue, InterchangeFormatId } from '../../shared/interchange/index.ts';
import type { HybridLogicalClock } from '../../shared/model/index.ts';
import type { CaseRepository } from '../db/repository.types.ts';

export interface ImportContext {
  readonly repository: CaseRepository;
  readonly clock: HybridLogicalClock;
  readonly agencyId: string;
  readonly userName: string;
  readonly now: Date;
}

export type TransferKind = 'tessera' | InterchangeFormatId;

export interface ImportOutcome {
  readonly caseId: string;
  readonly format: TransferKind;
  readonly entities: number;
  /** What the import kept, changed or could not use (empty for Tessera's own case files). */
  readonly issues: readonly ImportIssue[];
}

/** A Tessera case file starts with its format marker. */
export function looksLikeCaseFile(text: string): boolean {
  return (
    /^\s*\{\s*"format"\s*:\s*"tessera\.case"/.test(text) || text.includes('"format":"tessera.case"')
  );
}

/** The name of the file without the extensions the formats use. */
function fileStem(fileName: string): string {
  return fileName.replace(/(\.(ftm|tessera))?\.(json|jsonl|ndjson|graphml|gexf|cyjs|xml)$/i, '');
}

export async function importCaseText(
  fileName: string,
  text: string,
  context: ImportContext,
): Promise<ImportOutcome> {
  if (looksLikeCaseFile(text)) {
    const file = parseCaseFile(text);
    if (await context.repository.getCase(file.case.id)) {
      throw new Error(`the case ${file.case.reference} is already in Tessera; nothing was changed`);
    }
    const caseId = await context.repository.importCase(file);
    return { caseId, format: 'tessera', entities: file.entities.length, issues: [] };
  }
  const format = detectFormat(text);
  if (!format) {
    throw new InterchangeError(
      'unknown-format',
      `not a format Tessera reads (${INTERCHANGE_FORMATS.map((f) => f.label).join(', ')}, or a Tessera case file)`,
    );
  }
  const { file, issues } = format.importText(text, {
    caseTitle: `Imported: ${fileStem(fileName)}`,
    now: context.now.toISOString(),
    userName: context.userName,
    agencyId: context.agencyId,
  });
  const caseId = await context.repository.importCase(file);
  const entities = file.entities.filter((entity) => !entity.external?.unresolved).length;
  return { caseId, format: format.id, entities, issues };
}

/** What each export writes, for the menu. */
export const EXPORT_CHOICES: readonly { kind: TransferKind; label: string }[] = [
  { kind: 'tessera', label: 'Tessera case file (everything, markings included)' },
  ...INTERCHANGE_FORMATS.map((format) => ({ kind: format.id, label: format.label })),
];

/** A file name people recognise, from the case reference. */
export function exportFileName(file: CaseFile, kind: TransferKind): string {
  const stem = file.case.reference.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'case';
  if (kind === 'tessera') return `${stem}.tessera.json`;
  return `${stem}${interchangeFormat(kind)?.extensions[0] ?? `.${kind}`}`;
}

export function exportText(file: CaseFile, kind: TransferKind): string {
  if (kind === 'tessera') return `${JSON.stringify(file, null, 1)}\n`;
  const format = interchangeFormat(kind);
  if (!format) throw new InterchangeError('not-available', `${kind} export is not available yet`);
  return format.exportText(file);
}
