/**
 * `tessera import` and `tessera export`: the app's interchange engine (shared/interchange) on the
 * command line, for scripts and for testing against other tools' files.
 *
 *   tessera import --input FILE [--spec cdr|bank|entities|SPEC.json] --out CASE.json
 *                  [--title TITLE | --case-title TITLE] [--agency ID] [--user NAME] [--now ISO-TIME]
 *   tessera export --in CASE.json --format graphml|gexf|cyjs|anx|stix|ftm --out FILE
 *
 * The input's format is read from its content. CSV and TSV need an import specification (a
 * built-in one by name or a SPEC.json file): they go through the import wizard's engine
 * (specImport.ts), rejected rows into CASE.json.rejects.csv. XLSX too, with a specification: its
 * sheet (`source.sheet`, else the first) is streamed by exceljs (electron/services/importer/).
 * What the import kept, changed or could not use is printed, grouped. Files are written atomically.
 */
import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import {
  detectFormat,
  INTERCHANGE_FORMAT_IDS,
  INTERCHANGE_FORMATS,
  interchangeFormat,
  InterchangeError,
} from '../../../shared/interchange/index.ts';
import type { ImportIssue, InterchangeFormatId } from '../../../shared/interchange/index.ts';
import { writeFileAtomic } from '../../services/files/atomicWrite.ts';
import { runSpecImport } from './specImport.ts';
import type { CliCommand } from './types.ts';
import { UsageError } from './types.ts';

const IMPORT_USAGE =
  'usage: tessera import --input FILE [--spec cdr|bank|entities|SPEC.json] --out CASE.json [--title TITLE] [--agency ID] [--user NAME] [--now ISO-TIME]';
const EXPORT_USAGE = `usage: tessera export --in CASE.json --format ${INTERCHANGE_FORMAT_IDS.join('|')} --out FILE`;

function parseOptions(
  args: string[],
  names: readonly string[],
  usage: string,
): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match || !names.includes(match[1]!))
      throw new UsageError(`unknown argument '${arg}'\n${usage}`);
    const value = match[2] ?? args[++i];
    if (value === undefined || value === '')
      throw new UsageError(`--${match[1]} needs a value\n${usage}`);
    options.set(match[1]!, value);
  }
  return options;
}

function required(options: Map<string, string>, name: string, usage: string): string {
  const value = options.get(name);
  if (!value) throw new UsageError(`--${name} is required\n${usage}`);
  return value;
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Spreadsheets and delimited text: recognised so the refusal can say what they need. */
function spreadsheetKind(bytes: Buffer, text: string): 'XLSX' | 'CSV' | undefined {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'XLSX';
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return !/^\s*[[{<]/.test(first) && /[,;\t|]/.test(first) ? 'CSV' : undefined;
}

/** The issues as lines, one per kind with a count and the first few places. */
export function formatIssues(issues: readonly ImportIssue[]): string[] {
  const groups = new Map<string, ImportIssue[]>();
  for (const issue of issues) groups.set(issue.code, [...(groups.get(issue.code) ?? []), issue]);
  return [...groups].flatMap(([code, list]) => [
    `  ${code}: ${list.length}`,
    ...list
      .slice(0, 3)
      .map((issue) => `    ${issue.where ? `${issue.where}: ` : ''}${issue.message}`),
  ]);
}

async function runImport(args: string[]): Promise<number> {
  const options = parseOptions(
    args,
    ['input', 'spec', 'out', 'title', 'case-title', 'agency', 'user', 'now'],
    IMPORT_USAGE,
  );
  const input = required(options, 'input', IMPORT_USAGE);
  const out = required(options, 'out', IMPORT_USAGE);
  const agencyId = options.get('agency') ?? 'local';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(agencyId))
    throw new UsageError(`invalid agency id '${agencyId}'`);
  const nowText = options.get('now');
  const now = nowText ? new Date(nowText) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now: '${nowText}' is not a date/time`);
  const spec = options.get('spec');
  // With a specification the file may be large delimited text, streamed by the engine: only its
  // head is read here, to tell it from the formats that need none.
  const bytes = spec === undefined ? await readFile(input) : await readHead(input, 64 * 1024);
  const text = bytes.toString('utf8');
  const spreadsheet = spreadsheetKind(bytes, text);
  const format = spreadsheet ? undefined : detectFormat(text);
  const stem = resolve(input).split(/[\\/]/).pop()!;
  const caseTitle = options.get('title') ?? options.get('case-title') ?? `Imported: ${stem}`;
  const userName = options.get('user') ?? 'tessera-cli';
  if (!format && spec !== undefined) {
    const xlsx = spreadsheet === 'XLSX';
    await runSpecImport({ input, out, spec, caseTitle, agencyId, userName, now, xlsx });
    return 0;
  }
  if (!format) {
    if (spreadsheet) {
      throw new InterchangeError(
        'needs-spec',
        spreadsheet === 'XLSX'
          ? `${input} looks like XLSX: it needs an import specification (--spec cdr|bank|entities|SPEC.json; see docs/import.md)`
          : `${input} looks like CSV: it needs an import specification (--spec cdr|bank|entities|SPEC.json; see docs/import.md)`,
      );
    }
    throw new InterchangeError(
      'unknown-format',
      `${input}: not a format Tessera reads (${INTERCHANGE_FORMATS.map((f) => f.label).join(', ')})`,
    );
  }
  if (spec !== undefined) {
    throw new UsageError(`--spec is for CSV and TSV; ${format.label} needs none\n${IMPORT_USAGE}`);
  }
  const { file, issues } = format.importText(text, {
    caseTitle,
    now: now.toISOString(),
    userName,
    agencyId,
  });
  await writeFileAtomic(out, `${JSON.stringify(file, null, 1)}\n`);
  const entities = file.entities.filter((entity) => !entity.external?.unresolved).length;
  console.log(
    [
      `wrote ${out}: ${format.label}, ${entities} entities and relationships, ${issues.length} notes on the import`,
      ...formatIssues(issues),
    ].join('\n'),
  );
  return 0;
}

async function runExport(args: string[]): Promise<number> {
  const options = parseOptions(args, ['in', 'format', 'out'], EXPORT_USAGE);
  const inPath = required(options, 'in', EXPORT_USAGE);
  const formatId = required(options, 'format', EXPORT_USAGE);
  const out = required(options, 'out', EXPORT_USAGE);
  if (!(INTERCHANGE_FORMAT_IDS as readonly string[]).includes(formatId))
    throw new UsageError(`unknown format '${formatId}'\n${EXPORT_USAGE}`);
  const format = interchangeFormat(formatId as InterchangeFormatId);
  if (!format) {
    throw new InterchangeError('not-available', `${formatId} export is not available yet`);
  }
  const file = parseCaseFile(await readFile(inPath, 'utf8'));
  await writeFileAtomic(out, format.exportText(file));
  console.log(`wrote ${out}: case ${file.case.reference} as ${format.label}`);
  return 0;
}

function command(summary: string, name: string, run: (args: string[]) => Promise<number>) {
  return {
    summary,
    async run(args: string[]) {
      try {
        return await run(args);
      } catch (error) {
        if (error instanceof UsageError) {
          console.error(`tessera ${name}: ${error.message}`);
          return 2;
        }
        throw error;
      }
    },
  } satisfies CliCommand;
}

export const importCommand: CliCommand = command(
  'import --input FILE [--spec cdr|bank|entities|SPEC.json] --out CASE.json: FtM, GraphML, GEXF, Cytoscape JSON, ANX, STIX, or CSV/TSV by a specification, into a new case file',
  'import',
  runImport,
);

export const exportCommand: CliCommand = command(
  `export --in CASE.json --format ${INTERCHANGE_FORMAT_IDS.join('|')} --out FILE`,
  'export',
  runExport,
);
