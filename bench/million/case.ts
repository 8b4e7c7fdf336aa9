/**
 * The million-record call case every `npm run bench -- million` section measures: the generated
 * call-detail CSV (bench/import/generate.ts, seeded: 1,000,000 rows, 20,000 phones) run through
 * the import engine with the built-in `cdr` specification, exactly as the wizard would import it,
 * so the records are what a user's case holds (Phone entities and Call edges with provenance).
 *
 * Running the engine over a million rows takes about half a minute, so the result is cached as
 * JSON lines in the system temp folder, keyed by row count and CACHE_VERSION (bump it when the
 * generator, the specification or the record shape changes).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { CaseFile } from '../../shared/caseFile.ts';
import { CASE_FILE_FORMAT, CASE_FILE_VERSION } from '../../shared/caseFile.ts';
import { runImport } from '../../shared/importer/run.ts';
import type { CaseRecord, EntityRecord } from '../../shared/model/index.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../../shared/model/index.ts';
import { cdrBenchSpec, cdrCsvChunks, DEFAULT_CDR_ROWS } from '../import/generate.ts';

const CACHE_VERSION = 1;
export const MILLION_CASE_ID = 'million-case';
const NOW = '2026-04-01T00:00:00.000Z';
/** The hybrid logical clock the engine stamps its records with at NOW. */
const CASE_HLC = '0019d46570000-0000-bench.import';

export interface MillionCase {
  readonly caseRecord: CaseRecord;
  /** Phones first, then calls, each in the order the engine produced them. */
  readonly entities: readonly EntityRecord[];
}

export function millionCaseRecord(rows: number): CaseRecord {
  return {
    id: MILLION_CASE_ID,
    kind: 'case',
    createdAt: CASE_HLC,
    updatedAt: CASE_HLC,
    deleted: false,
    originAgency: 'bench',
    markings: DEFAULT_MARKINGS,
    reference: 'BENCH/1M',
    title: `Call records, ${rows.toLocaleString('en')} rows`,
    status: 'open',
    leadInvestigator: 'Bench',
    crimeAreas: ['drug trafficking'],
    jurisdictions: ['at'],
    openedOn: '2026-01-01',
  };
}

/** The cache file for `rows` (built on first use); one EntityRecord per line. */
export async function millionCasePath(rows = DEFAULT_CDR_ROWS): Promise<string> {
  const dir = join(tmpdir(), 'tessera-bench');
  const path = join(dir, `million-case-${rows}-v${CACHE_VERSION}.ndjson`);
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  const byId = new Map<string, EntityRecord>();
  const encoder = new TextEncoder();
  // The engine takes an async iterable; the generator is synchronous.
  const bytes = (): AsyncIterable<Uint8Array> =>
    (async function* () {
      await Promise.resolve();
      for (const chunk of cdrCsvChunks({ rows })) yield encoder.encode(chunk);
    })();
  await runImport(
    bytes(),
    cdrBenchSpec(),
    {
      caseId: MILLION_CASE_ID,
      agencyId: 'bench',
      userName: 'Bench',
      now: NOW,
      fileName: 'cdr-bench.csv',
      fileSha256: '0'.repeat(64),
      grading: UNGRADED,
      markings: DEFAULT_MARKINGS,
    },
    (batch) => {
      for (const record of batch.created) byId.set(record.id, record);
      for (const record of batch.updated) byId.set(record.id, record);
    },
  );
  const nodes = [...byId.values()].filter((record) => record.schema !== 'Call');
  const edges = [...byId.values()].filter((record) => record.schema === 'Call');
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  for (const record of [...nodes, ...edges]) {
    if (!out.write(`${JSON.stringify(record)}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  out.end();
  await finished(out);
  await rename(partial, path);
  return path;
}

/** The million-record case as records (about 1.3 GB of heap for 1M rows: load it once). */
export async function loadMillionCase(rows = DEFAULT_CDR_ROWS): Promise<MillionCase> {
  const path = await millionCasePath(rows);
  const entities: EntityRecord[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines)
    if (line.length > 0) entities.push(JSON.parse(line) as EntityRecord);
  return { caseRecord: millionCaseRecord(rows), entities };
}

/** The same case as a Tessera case file, for paths that take one (repository.importCase, CLI). */
export function millionCaseFile(million: MillionCase): CaseFile {
  // The case-file schema's inferred types are mutable; the records are the same values.
  return {
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: NOW,
    exportedBy: 'bench',
    case: million.caseRecord,
    entities: [...million.entities],
    notes: [],
    attachments: [],
    notices: [],
    charts: [],
  } as unknown as CaseFile;
}
