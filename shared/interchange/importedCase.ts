/**
 * The last step of the ANX and STIX importers: entities read from an outside file become a new
 * case file the repository can store, the way the FtM import builds one
 * (shared/interchange/ftmLines.ts): a new case, every record stamped by one clock, provenance naming
 * the file's format, ungraded unless the file says better, default markings unless the file says
 * better.
 *
 * Unlike the FtM import it does not refuse the file for one bad value: a value the model rejects
 * (a malformed date, a country that is no country, a reference to an entity the file does not
 * hold) is dropped and reported, and an entity left without what its type requires is dropped and
 * reported, together with the relationships that pointed at it (repeated until nothing changes).
 * What is stored is always valid; what is lost is always in the issues.
 */
import { CASE_FILE_FORMAT, CASE_FILE_VERSION, caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import type { ChartNodeView, EntityRecord, Grading, Markings } from '../model/index.ts';
import {
  cleanProperties,
  DEFAULT_MARKINGS,
  getSchema,
  HybridLogicalClock,
  isKnownSchema,
  newId,
  UNGRADED,
  validateEntity,
} from '../model/index.ts';
import type { ImportIssue, ImportOptions } from './types.ts';
import { valueBag } from './valueBag.ts';

/** One entity as an importer read it, before the model has judged it. */
export interface ImportedEntity {
  readonly id: string;
  readonly schema: string;
  readonly properties: Readonly<Record<string, readonly string[]>>;
  readonly markings?: Markings;
  readonly grading?: Grading;
  /** Provenance source; the format's own label when absent. */
  readonly source?: string;
  /** Where in the input, for the issues (an element or object id). */
  readonly where: string;
}

export interface ImportedCaseInput {
  /** The format's id, kept with each entity's outside id (`external`). */
  readonly format: 'anx' | 'stix';
  /** The format's label, e.g. "STIX 2.1 bundle"; the provenance source of every record. */
  readonly sourceLabel: string;
  readonly entities: readonly ImportedEntity[];
  /** Positions of entities on one chart, when the file has them (ANX). */
  readonly chart?: {
    readonly name: string;
    readonly nodes: Readonly<Record<string, ChartNodeView>>;
  };
}

/** Issues that mean the entity itself was not imported. */
const DROPPING = new Set(['interchange.unknown-schema', 'interchange.entity-dropped']);

/** Record ids in a case file: what `recordSchemas.ts` accepts. */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A clock node id for the importing agency (the HLC refuses anything but id characters). */
function clockNode(agencyId: string): string {
  const node = agencyId.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 56);
  return `${node || 'import'}.import`;
}

/**
 * Keeps the values the model accepts, value by value, and reports the others. Returns undefined
 * when the entity cannot stand (unknown type, a required value or a relationship end missing).
 */
function judgeEntity(
  entity: ImportedEntity,
  knownIds: ReadonlySet<string>,
  issues: ImportIssue[],
): Record<string, string[]> | undefined {
  if (!isKnownSchema(entity.schema)) {
    issues.push({
      code: 'interchange.unknown-schema',
      message: `entity type ${entity.schema} is not in the model; the item was not imported`,
      where: entity.where,
    });
    return undefined;
  }
  const schema = getSchema(entity.schema);
  const cleaned = cleanProperties(entity.properties);
  // One check of the whole entity first (FtM rebuilds a schema's property map on every lookup,
  // so checks are costly); only the properties it faults are gone through value by value.
  const faults = validateEntity(entity.schema, cleaned, knownIds);
  const known = Object.keys(faults).length > 0 ? schema.getProperties() : undefined;
  const kept = valueBag();
  for (const [name, values] of Object.entries(cleaned)) {
    if (faults[name] === undefined) {
      kept[name] = [...values];
      continue;
    }
    if (!known!.has(name)) {
      issues.push({
        code: 'interchange.unknown-property',
        message: `${schema.label} has no property "${name}"; its values were not imported`,
        where: entity.where,
      });
      continue;
    }
    for (const value of values) {
      const problem = validateEntity(entity.schema, { [name]: [value] }, knownIds)[name];
      if (problem === undefined) (kept[name] ??= []).push(value);
      else {
        issues.push({
          code: 'interchange.value-dropped',
          message: `${problem}; the value was not imported`,
          where: entity.where,
        });
      }
    }
  }
  if (Object.keys(faults).length === 0) return kept;
  const missing = Object.entries(validateEntity(entity.schema, kept, knownIds));
  if (missing.length > 0) {
    issues.push({
      code: 'interchange.entity-dropped',
      message: `${schema.label} not imported: ${missing.map(([, message]) => message).join('; ')}`,
      where: entity.where,
    });
    return undefined;
  }
  return kept;
}

/** The new case holding what could be imported; `issues` gains whatever was dropped on the way. */
export function buildImportedCase(
  input: ImportedCaseInput,
  options: ImportOptions,
  issues: ImportIssue[],
): CaseFile {
  let candidates = input.entities;
  let judged = new Map<string, Record<string, string[]>>();
  // Dropping an entity can strand a relationship that pointed at it: judge again until stable.
  for (;;) {
    const round: ImportIssue[] = [];
    const knownIds = new Set(candidates.map((entity) => entity.id));
    judged = new Map();
    for (const entity of candidates) {
      const properties = judgeEntity(entity, knownIds, round);
      if (properties) judged.set(entity.id, properties);
    }
    if (judged.size === candidates.length) {
      issues.push(...round);
      break;
    }
    // Report why entities were dropped now; the next round judges the survivors again (and
    // reports their dropped values, and the relationships that lost an end, once).
    issues.push(...round.filter((issue) => DROPPING.has(issue.code)));
    candidates = candidates.filter((entity) => judged.has(entity.id));
  }

  const recordedAt = new Date(Date.parse(options.now) || 0).toISOString();
  const clock = new HybridLogicalClock(clockNode(options.agencyId), () => Date.parse(recordedAt));
  const caseId = newId();
  const base = (markings: Markings = DEFAULT_MARKINGS) => {
    const hlc = clock.now();
    return {
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: options.agencyId,
      markings,
    };
  };
  // Outside ids never become record ids (issue 11: an import must not touch another case, and the
  // same file imported twice makes two cases); each is kept as `external.id` for the export.
  const recordIdOf = new Map(candidates.map((entity) => [entity.id, newId()]));
  const rekeyed = (entity: ImportedEntity): Record<string, string[]> => {
    const known = getSchema(entity.schema).getProperties();
    return Object.fromEntries(
      Object.entries(judged.get(entity.id)!).map(([name, values]) => [
        name,
        known.get(name)?.type.isEntity
          ? values.map((value) => recordIdOf.get(value) ?? value)
          : values,
      ]),
    );
  };
  const entities: EntityRecord[] = candidates.map((entity) => ({
    ...base(entity.markings),
    kind: 'entity',
    id: recordIdOf.get(entity.id)!,
    caseId,
    schema: entity.schema,
    properties: rekeyed(entity),
    external: { id: entity.id, format: input.format },
    provenance: {
      source: (entity.source ?? input.sourceLabel).slice(0, 1024),
      originAgency: options.agencyId,
      recordedBy: options.userName,
      recordedAt,
    },
    grading: entity.grading ?? UNGRADED,
  }));
  const onChart = Object.entries(input.chart?.nodes ?? {}).flatMap(([id, view]) => {
    const recordId = recordIdOf.get(id);
    return recordId ? [[recordId, view] as const] : [];
  });
  const charts = input.chart
    ? [
        {
          ...base(),
          kind: 'chart' as const,
          id: newId(),
          caseId,
          name: input.chart.name.slice(0, 1024),
          nodes: Object.fromEntries(onChart),
          layout: 'manual',
        },
      ]
    : [];
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
      reference: '',
      title: options.caseTitle.slice(0, 1024),
      status: 'open',
      leadInvestigator: options.userName,
      crimeAreas: [],
      jurisdictions: [],
      openedOn: recordedAt.slice(0, 10),
    },
    entities,
    notes: [],
    attachments: [],
    notices: [],
    charts,
  });
}

/**
 * A record id from an outside id: kept as it is when it is a usable record id, otherwise its
 * unusable characters become "_" (and it is cut to fit); `taken` makes it unique in the file.
 */
export function recordIdFrom(prefix: string, outsideId: string, taken: Set<string>): string {
  const cleaned = `${prefix}${outsideId}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 56);
  let id = cleaned || `${prefix}item`;
  for (let n = 2; taken.has(id); n += 1) id = `${cleaned}-${n}`;
  taken.add(id);
  return id;
}
