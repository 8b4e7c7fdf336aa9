/**
 * Moving whole cases in and out as files: Tessera's case file (everything, markings included) and
 * FollowTheMoney JSON lines (entities only, for Aleph and OpenSanctions). Imports go through the
 * repository's all-or-nothing importCase, so a broken file changes nothing.
 */
import { parseCaseFile } from '../../shared/caseFile.ts';
import type { CaseFile } from '../../shared/caseFile.ts';
import { caseFileFromFtm, exportFtmLines, parseFtmLines } from '../../shared/ftm/ftmInterchange.ts';
import { newId } from '../../shared/model/index.ts';
import type { HybridLogicalClock } from '../../shared/model/index.ts';
import type { CaseRepository } from '../db/repository.types.ts';

export interface ImportContext {
  readonly repository: CaseRepository;
  readonly clock: HybridLogicalClock;
  readonly agencyId: string;
  readonly userName: string;
  readonly now: Date;
}

export interface ImportOutcome {
  readonly caseId: string;
  readonly format: 'tessera' | 'ftm';
  readonly entities: number;
}

/** A Tessera case file starts with its format marker; anything else is read as FtM. */
export function looksLikeCaseFile(text: string): boolean {
  return (
    /^\s*\{\s*"format"\s*:\s*"tessera\.case"/.test(text) || text.includes('"format":"tessera.case"')
  );
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
    return { caseId, format: 'tessera', entities: file.entities.length };
  }
  const entities = parseFtmLines(text);
  const stem = fileName.replace(/\.(ftm\.)?(json|jsonl|ndjson)$/i, '');
  const file = caseFileFromFtm(entities, {
    title: `Imported: ${stem}`,
    reference: `IMPORT/${context.now.toISOString().slice(0, 10)}/${stem.slice(0, 40)}`,
    agencyId: context.agencyId,
    userName: context.userName,
    source: fileName,
    now: context.now,
    clock: context.clock,
    newId,
  });
  const caseId = await context.repository.importCase(file);
  return { caseId, format: 'ftm', entities: entities.length };
}

/** A file name people recognise, from the case reference. */
export function exportFileName(file: CaseFile, kind: 'tessera' | 'ftm'): string {
  const stem = file.case.reference.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'case';
  return kind === 'tessera' ? `${stem}.tessera.json` : `${stem}.ftm.json`;
}

export function exportText(file: CaseFile, kind: 'tessera' | 'ftm'): string {
  return kind === 'tessera' ? `${JSON.stringify(file, null, 1)}\n` : exportFtmLines(file);
}
