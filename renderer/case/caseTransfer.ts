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
import { DEFAULT_MARKINGS, newId } from '../../shared/model/index.ts';
import {
  CASE_CHART_IMPORT_LIMIT,
  CASE_CHART_NAME,
  caseChartNodes,
} from '../../shared/model/caseChart.ts';
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
  /**
   * An interchange file without a chart gets a case chart of all its entities ('made'), unless it
   * has more than CASE_CHART_IMPORT_LIMIT of them ('too-many': the analyst builds one instead).
   */
  readonly caseChart?: 'made' | 'too-many';
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
  const charted = withCaseChart(file, context);
  const caseId = await context.repository.importCase(charted.file);
  const entities = file.entities.filter((entity) => !entity.external?.unresolved).length;
  return {
    caseId,
    format: format.id,
    entities,
    issues,
    ...(charted.caseChart ? { caseChart: charted.caseChart } : {}),
  };
}

/**
 * An imported case has a chart from the start (issue 12), as a case made in the app does: a file
 * that brings none (FtM, STIX) gets a case chart of its entities on a grid, in the same import,
 * up to CASE_CHART_IMPORT_LIMIT node entities. Tessera's own case files are restored as they are.
 */
function withCaseChart(
  file: CaseFile,
  context: ImportContext,
): { file: CaseFile; caseChart?: 'made' | 'too-many' } {
  if (file.charts.some((chart) => !chart.deleted)) return { file };
  const nodes = caseChartNodes(file.entities);
  if (!nodes) return { file, caseChart: 'too-many' };
  const hlc = context.clock.now();
  const chart: CaseFile['charts'][number] = {
    id: newId(),
    createdAt: hlc,
    updatedAt: hlc,
    deleted: false,
    originAgency: context.agencyId,
    markings: { ...DEFAULT_MARKINGS, releasableTo: [] },
    kind: 'chart',
    caseId: file.case.id,
    name: CASE_CHART_NAME,
    nodes,
    layout: 'grid',
  };
  return { file: { ...file, charts: [...file.charts, chart] }, caseChart: 'made' };
}

/** Said after an import whose case got no chart because it is too big. */
export const CASE_CHART_SKIPPED = `no chart was drawn for more than ${CASE_CHART_IMPORT_LIMIT} entities: add the ones to show from the Chart tab`;

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
