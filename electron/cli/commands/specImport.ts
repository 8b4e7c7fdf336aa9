/**
 * `tessera import --input FILE.csv --spec cdr|bank|entities|SPEC.json --out CASE.json`: a CSV or
 * TSV file through the import wizard's engine (shared/importer) into a new case file.
 *
 * The file is read twice as a stream: once for its SHA-256 (every record's provenance names it),
 * once through the engine. Rejected rows are skipped and written, as read and with their problems,
 * to `CASE.json.rejects.csv`; the summary says how many. Nothing is written when the import fails
 * as a whole (a specification that does not fit the file, an unknown encoding).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CASE_FILE_FORMAT, CASE_FILE_VERSION, caseFileSchema } from '../../../shared/caseFile.ts';
import {
  describeProblem,
  parseImportSpecText,
  rejectsCsv,
  runImportDetailed,
  specByName,
  BUILT_IN_SPECS,
} from '../../../shared/importer/index.ts';
import type { ImportBatch, ImportSpec, RowProblem } from '../../../shared/importer/index.ts';
import { InterchangeError } from '../../../shared/interchange/index.ts';
import {
  DEFAULT_MARKINGS,
  HybridLogicalClock,
  newId,
  UNGRADED,
} from '../../../shared/model/index.ts';
import type { EntityRecord } from '../../../shared/model/index.ts';
import { writeFileAtomic } from '../../services/files/atomicWrite.ts';
import { runXlsxImport } from '../../services/importer/xlsxImport.ts';
import type { XlsxImportDetails } from '../../services/importer/xlsxImport.ts';

export interface SpecImportArgs {
  readonly input: string;
  readonly out: string;
  /** A built-in specification's name or the path of a specification file. */
  readonly spec: string;
  readonly caseTitle: string;
  readonly agencyId: string;
  readonly userName: string;
  readonly now: Date;
  /** An XLSX workbook (read by the streaming sheet reader) rather than delimited text. */
  readonly xlsx?: boolean;
}

/** The lines the command prints for the problems: a count per code, the first few in words. */
const SHOWN_PROBLEMS = 5;

async function loadSpec(nameOrPath: string): Promise<ImportSpec> {
  const builtIn = specByName(nameOrPath);
  if (builtIn) return builtIn;
  if (!/[\\/.]/.test(nameOrPath)) {
    throw new InterchangeError(
      'needs-spec',
      `no built-in specification "${nameOrPath}" (built in: ${Object.keys(BUILT_IN_SPECS).join(', ')}; or a SPEC.json file)`,
    );
  }
  return parseImportSpecText(await readFile(nameOrPath, 'utf8'));
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    yield chunk as Buffer;
  }
}

export async function runSpecImport(args: SpecImportArgs): Promise<void> {
  const spec = await loadSpec(args.spec);
  const recordedAt = args.now.toISOString();
  const caseId = newId();
  const fileName = args.input.split(/[\\/]/).pop()!;
  const options = {
    caseId,
    agencyId: args.agencyId,
    userName: args.userName,
    now: recordedAt,
    fileName,
    fileSha256: await fileSha256(args.input),
    grading: UNGRADED,
    markings: DEFAULT_MARKINGS,
  };
  // Entities by id: a later batch's `updated` replaces the version an earlier batch made.
  const entities = new Map<string, EntityRecord>();
  const problems: RowProblem[] = [];
  const onBatch = (batch: ImportBatch) => {
    for (const entity of [...batch.created, ...batch.updated]) entities.set(entity.id, entity);
    problems.push(...batch.problems);
  };
  const settings = { keepRejectedRows: true };
  let details: XlsxImportDetails;
  let read: string;
  if (args.xlsx) {
    details = await runXlsxImport(args.input, spec, options, onBatch, settings);
    read = `XLSX sheet ${spec.source.sheet ?? '1'}`;
  } else {
    const run = await runImportDetailed(fileChunks(args.input), spec, options, onBatch, settings);
    details = run;
    read = `${run.detected.encoding}, delimiter ${JSON.stringify(run.detected.delimiter)}`;
  }

  const clock = new HybridLogicalClock(`${args.agencyId.slice(0, 50)}.import`, () =>
    args.now.getTime(),
  );
  const hlc = clock.now();
  const file = {
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: recordedAt,
    exportedBy: args.agencyId,
    case: {
      kind: 'case' as const,
      id: caseId,
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: args.agencyId,
      markings: DEFAULT_MARKINGS,
      reference: `IMPORT/${recordedAt.slice(0, 10)}/${fileName.slice(0, 40)}`,
      title: args.caseTitle.slice(0, 1024),
      status: 'open' as const,
      leadInvestigator: args.userName,
      crimeAreas: [],
      jurisdictions: [],
      openedOn: recordedAt.slice(0, 10),
    },
    entities: [...entities.values()],
    notes: [],
    attachments: [],
    notices: [],
    charts: [],
  };
  const parsed = caseFileSchema.safeParse(file);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new InterchangeError(
      'invalid-case',
      `not imported, nothing was written: ${issues.join('; ')}`,
    );
  }
  const rejectsPath = `${args.out}.rejects.csv`;
  if (problems.length > 0) {
    await writeFileAtomic(rejectsPath, rejectsCsv(problems, details.header, details.rejectedRows));
  }
  await writeFileAtomic(args.out, `${JSON.stringify(parsed.data, null, 1)}\n`);

  const { summary } = details;
  const byCode = new Map<string, number>();
  for (const problem of problems) byCode.set(problem.code, (byCode.get(problem.code) ?? 0) + 1);
  console.log(
    [
      `wrote ${args.out}: ${spec.name} v${spec.version} (${read}), ${summary.rowsRead} rows: ${summary.rowsImported} imported, ${summary.rowsExcluded} excluded, ${summary.rowsRejected} rejected; ${summary.entitiesCreated} entities and relationships, ${summary.entitiesMerged} merged by identity rules`,
      ...(problems.length > 0
        ? [
            `rejected rows written to ${rejectsPath}`,
            ...[...byCode].map(([code, count]) => `  ${code}: ${count}`),
            ...problems
              .slice(0, SHOWN_PROBLEMS)
              .map((problem) => `    ${describeProblem(problem)}`),
          ]
        : []),
    ].join('\n'),
  );
}
