/**
 * FollowTheMoney interchange: the line-based JSON that Aleph, OpenSanctions and the `ftm` tools
 * read and write — one entity per line, `{"id": …, "schema": …, "properties": {name: [values]}}`.
 *
 * Export writes the live entities and relationships of a case (Tessera's own metadata stays
 * behind: FtM has no place for markings or grading, and material must not lose them silently, so
 * the UI says so). Import reads such lines into a NEW case, validating every entity against the
 * model first; the repository then stores the case in one transaction, so a broken file changes
 * nothing. Entity references must point at entities in the same file.
 */
import { CASE_FILE_FORMAT, CASE_FILE_VERSION, caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../model/index.ts';
import type { EntityRecord, HybridLogicalClock } from '../model/index.ts';
import { cleanProperties, isKnownSchema, validateEntity } from '../model/index.ts';

export interface FtmEntity {
  readonly id: string;
  readonly schema: string;
  readonly properties: Readonly<Record<string, readonly string[]>>;
}

/** The case's live entities as FtM JSON lines (ending with a newline). */
export function exportFtmLines(file: CaseFile): string {
  return file.entities
    .filter((entity) => !entity.deleted)
    .map((entity) =>
      JSON.stringify({ id: entity.id, schema: entity.schema, properties: entity.properties }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export class FtmImportError extends Error {
  override readonly name = 'FtmImportError';
  constructor(readonly problems: readonly string[]) {
    super(
      `not imported, nothing was changed: ${problems.slice(0, 5).join('; ')}${
        problems.length > 5 ? ` (and ${problems.length - 5} more problems)` : ''
      }`,
    );
  }
}

const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

function isStringArrayRecord(value: unknown): value is Record<string, unknown[]> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((values) => Array.isArray(values))
  );
}

/**
 * Parses FtM JSON lines (a JSON array of entities is accepted too) and validates every entity.
 * Throws FtmImportError listing the problems with their line numbers; returns only when all pass.
 */
export function parseFtmLines(text: string): FtmEntity[] {
  const problems: string[] = [];
  const raw: { line: number; value: unknown }[] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      (JSON.parse(trimmed) as unknown[]).forEach((value, index) =>
        raw.push({ line: index + 1, value }),
      );
    } catch {
      throw new FtmImportError(['the file is not valid JSON']);
    }
  } else {
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        raw.push({ line: index + 1, value: JSON.parse(line) });
      } catch {
        problems.push(`line ${index + 1}: not valid JSON`);
      }
    });
  }
  if (raw.length === 0 && problems.length === 0) problems.push('the file holds no entity');
  const entities: (FtmEntity & { line: number })[] = [];
  const ids = new Set<string>();
  for (const { line, value } of raw) {
    const item = value as { id?: unknown; schema?: unknown; properties?: unknown };
    if (typeof item !== 'object' || item === null) {
      problems.push(`line ${line}: not an entity object`);
      continue;
    }
    if (typeof item.id !== 'string' || !ID_PATTERN.test(item.id)) {
      problems.push(`line ${line}: missing or unusable id`);
      continue;
    }
    if (ids.has(item.id)) {
      problems.push(`line ${line}: the id ${item.id} appears twice`);
      continue;
    }
    ids.add(item.id);
    if (typeof item.schema !== 'string' || !isKnownSchema(item.schema)) {
      problems.push(`line ${line}: unknown entity type ${JSON.stringify(item.schema)}`);
      continue;
    }
    const properties = item.properties ?? {};
    if (!isStringArrayRecord(properties)) {
      problems.push(`line ${line}: properties must map names to lists of values`);
      continue;
    }
    const asStrings: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(properties)) {
      // FtM tools may nest entities inside references; keep their ids.
      asStrings[name] = values.map((v) =>
        typeof v === 'object' && v !== null && 'id' in v
          ? String((v as { id: unknown }).id)
          : String(v),
      );
    }
    entities.push({
      line,
      id: item.id,
      schema: item.schema,
      properties: cleanProperties(asStrings),
    });
  }
  for (const entity of entities) {
    const errors = validateEntity(entity.schema, entity.properties, ids);
    for (const message of Object.values(errors))
      problems.push(`line ${entity.line} (${entity.id}): ${message}`);
  }
  if (problems.length > 0) throw new FtmImportError(problems);
  return entities.map(({ id, schema, properties }) => ({ id, schema, properties }));
}

export interface FtmCaseOptions {
  readonly title: string;
  readonly reference: string;
  readonly agencyId: string;
  readonly userName: string;
  readonly source: string;
  readonly now: Date;
  readonly clock: HybridLogicalClock;
  readonly newId: () => string;
}

/** A new case holding the imported entities, in the case file format the repository imports. */
export function caseFileFromFtm(entities: readonly FtmEntity[], options: FtmCaseOptions): CaseFile {
  const caseId = options.newId();
  const stamp = () => options.clock.now();
  const base = () => {
    const hlc = stamp();
    return {
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: options.agencyId,
      markings: DEFAULT_MARKINGS,
    };
  };
  const recordedAt = options.now.toISOString();
  const records: EntityRecord[] = entities.map((entity) => ({
    ...base(),
    kind: 'entity',
    id: entity.id,
    caseId,
    schema: entity.schema,
    properties: entity.properties,
    provenance: {
      source: options.source,
      originAgency: options.agencyId,
      recordedBy: options.userName,
      recordedAt,
    },
    grading: UNGRADED,
  }));
  // Parsed, not cast: the result must be a case file the repository accepts.
  return caseFileSchema.parse({
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: recordedAt,
    exportedBy: options.agencyId,
    case: {
      ...base(),
      kind: 'case',
      id: caseId,
      reference: options.reference,
      title: options.title,
      status: 'open',
      leadInvestigator: options.userName,
      crimeAreas: [],
      jurisdictions: [],
      openedOn: recordedAt.slice(0, 10),
    },
    entities: records,
    notes: [],
    attachments: [],
    notices: [],
    charts: [],
  });
}
