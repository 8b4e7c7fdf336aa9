/**
 * FollowTheMoney interchange: the line-based JSON that Aleph, OpenSanctions, yente and the `ftm`
 * tools read and write — one entity per line,
 *   {"id", "caption"?, "schema", "properties": {name: [values]}, "referents"?, "datasets"?,
 *    "first_seen"?, "last_seen"?, "last_change"?, "target"?}
 * (a JSON array of such objects, and entities nested inside properties as yente's nested output
 * writes them, are read too).
 *
 * Import is tolerant, because real data is untidy (issue 11, a yente export refused whole): it
 * reads into a NEW case and refuses only what would corrupt it. What it keeps, changes or cannot
 * use is reported as ImportIssues:
 *   1. Ids from the file never become record ids: each entity gets a fresh id and keeps the file's
 *      id as `external.id`, so importing a file twice, or a case's own export, changes no case.
 *   2. A reference to an id the file does not hold becomes an "unresolved" stand-in entity of the
 *      property's range (visible, resolvable later by merging it with the real one).
 *   3. A value that fails its type's check but whose parts joined by ";" pass is split (a phone
 *      field with three numbers); otherwise the value is kept verbatim in `external.extra`.
 *   4. A property the model does not know is kept in `external.extra` too.
 *   5. Required values may be missing (a Passport without a number); a relationship needs both ends.
 *   6. `null` is dropped, never stored as "null"; an object is kept as its JSON text in `extra`,
 *      never "[object Object]"; an over-long id or value is refused with the limit named.
 *   7. caption, datasets, referents, first_seen, last_seen, last_change and target are kept in
 *      `external` and written back by export, with the file's ids and the extra values.
 */
import type { CaseFile } from '../caseFile.ts';
import { isKnownSchema, model, validateValue } from '../model/index.ts';
import type { Property } from '@alephdata/followthemoney';
import type { ExternalEntityData } from '../model/index.ts';
import { exportIds, newImportedCase } from './caseBuilder.ts';
import { InterchangeError } from './importError.ts';
import { standInName } from './standIns.ts';
import type {
  ImportIssue,
  ImportOptions,
  InterchangeFormatId,
  InterchangeImport,
} from './types.ts';
import { valueBag } from './valueBag.ts';

/** The longest id read from a file (FtM ids are hashes or prefixed source ids, well below it). */
export const FTM_ID_MAX = 1024;
/** The longest single value a record stores (see entityPropertiesSchema). */
export const FTM_VALUE_MAX = 100_000;
/** Deepest nesting of entities inside properties that is followed. */
const MAX_NESTING = 32;

/** One entity as read from a file; values are strings, references hold the file's ids. */
export interface FtmEntity {
  readonly id: string;
  readonly schema: string;
  readonly properties: Readonly<Record<string, readonly string[]>>;
  readonly caption?: string;
  readonly datasets?: readonly string[];
  readonly referents?: readonly string[];
  readonly first_seen?: string;
  readonly last_seen?: string;
  readonly last_change?: string;
  readonly target?: boolean;
  /** Where it was read: "line 3", or "line 3, nested". */
  readonly where: string;
}

export interface FtmRead {
  readonly entities: readonly FtmEntity[];
  readonly issues: readonly ImportIssue[];
}

/** Thrown when nothing of the file can be read (not JSON at all, no entity). */
export class FtmImportError extends InterchangeError {
  constructor(
    code: 'unreadable' | 'empty' | 'invalid-case',
    readonly problems: readonly string[],
  ) {
    super(code, `not imported, nothing was changed: ${problems.slice(0, 5).join('; ')}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of strings as written (an empty list stays empty, so it round-trips), else undefined. */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

interface ValueReader {
  readonly issues: ImportIssue[];
  /** Entities found nested inside properties, read like top-level ones. */
  readonly nested: { value: unknown; where: string; depth: number }[];
}

/** One property's raw values as strings: nested entities become their ids, null is dropped. */
function readValues(
  raw: unknown,
  where: string,
  property: string,
  depth: number,
  reader: ValueReader,
): { values: string[]; objects: string[] } {
  const values: string[] = [];
  const objects: string[] = [];
  const visit = (value: unknown, level: number): void => {
    if (value === null || value === undefined) {
      reader.issues.push({
        code: 'ftm.null-value',
        message: `${property}: an empty (null) value was left out`,
        where,
      });
    } else if (typeof value === 'string') {
      values.push(value);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      values.push(String(value));
    } else if (Array.isArray(value) && level < 2) {
      for (const item of value) visit(item, level + 1);
    } else if (isObject(value) && typeof value.id === 'string') {
      values.push(value.id);
      if (typeof value.schema === 'string' && depth < MAX_NESTING)
        reader.nested.push({ value, where: `${where}, nested`, depth: depth + 1 });
    } else {
      objects.push(JSON.stringify(value));
      reader.issues.push({
        code: 'ftm.object-value',
        message: `${property}: a structured value was kept as its JSON text, outside the properties`,
        where,
      });
    }
  };
  visit(raw, 0);
  return { values, objects };
}

function readEntity(
  value: unknown,
  where: string,
  depth: number,
  reader: ValueReader,
): FtmEntity | undefined {
  const issue = (code: string, message: string) => reader.issues.push({ code, message, where });
  if (!isObject(value)) {
    issue('ftm.not-entity', 'not an entity object: left out');
    return undefined;
  }
  const id = typeof value.id === 'number' ? String(value.id) : value.id;
  if (typeof id !== 'string' || id.trim().length === 0) {
    issue('ftm.no-id', 'an entity without an id: left out');
    return undefined;
  }
  if (id.length > FTM_ID_MAX) {
    issue(
      'ftm.id-too-long',
      `the id is ${id.length} characters long, over the limit of ${FTM_ID_MAX}: left out`,
    );
    return undefined;
  }
  if (typeof value.schema !== 'string' || !isKnownSchema(value.schema)) {
    issue(
      'ftm.unknown-schema',
      `${id}: unknown entity type ${JSON.stringify(value.schema) ?? 'undefined'}: left out`,
    );
    return undefined;
  }
  const properties: Record<string, string[]> = {};
  const rawProperties = value.properties ?? {};
  if (!isObject(rawProperties)) {
    issue('ftm.bad-properties', `${id}: properties must map names to lists of values; none kept`);
  } else {
    for (const [name, raw] of Object.entries(rawProperties)) {
      const { values, objects } = readValues(raw, where, name, depth, reader);
      if (values.length > 0) properties[name] = values;
      // Structured values are kept under a name of their own so they round-trip as text.
      if (objects.length > 0) properties[`${name}:json`] = objects;
    }
  }
  const target = typeof value.target === 'boolean' ? value.target : undefined;
  return {
    id: id.trim(),
    schema: value.schema,
    properties,
    caption: optionalString(value.caption),
    datasets: stringList(value.datasets),
    referents: stringList(value.referents),
    first_seen: optionalString(value.first_seen),
    last_seen: optionalString(value.last_seen),
    last_change: optionalString(value.last_change),
    target,
    where,
  };
}

function union(a: readonly string[] | undefined, b: readonly string[] | undefined) {
  return a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined;
}

/** Fragments of one entity (same id and type, as `ftm aggregate` would join) become one. */
function mergeFragments(first: FtmEntity, next: FtmEntity): FtmEntity {
  const properties: Record<string, string[]> = {};
  for (const source of [first.properties, next.properties]) {
    for (const [name, values] of Object.entries(source))
      properties[name] = [...new Set([...(properties[name] ?? []), ...values])];
  }
  return {
    ...first,
    properties,
    datasets: union(first.datasets, next.datasets),
    referents: union(first.referents, next.referents),
  };
}

/**
 * Reads FtM JSON lines (or a JSON array) into entities. Throws FtmImportError only when nothing
 * can be read; everything else is an issue and the rest goes on.
 */
export function parseFtmLines(text: string): FtmRead {
  const issues: ImportIssue[] = [];
  const reader: ValueReader = { issues, nested: [] };
  const raw: { value: unknown; where: string; depth: number }[] = [];
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch {
      throw new FtmImportError('unreadable', ['the file is not valid JSON']);
    }
    if (!Array.isArray(list)) throw new FtmImportError('unreadable', ['not a list of entities']);
    list.forEach((value: unknown, index) =>
      raw.push({ value, where: `item ${index + 1}`, depth: 0 }),
    );
  } else {
    let unreadable = 0;
    trimmed.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        raw.push({ value: JSON.parse(line), where: `line ${index + 1}`, depth: 0 });
      } catch {
        unreadable += 1;
        issues.push({
          code: 'ftm.bad-line',
          message: 'not valid JSON: left out',
          where: `line ${index + 1}`,
        });
      }
    });
    if (raw.length === 0 && unreadable > 0)
      throw new FtmImportError('unreadable', ['no line of the file is valid JSON']);
  }
  const byId = new Map<string, FtmEntity>();
  const take = (entity: FtmEntity, nested: boolean): void => {
    const seen = byId.get(entity.id);
    if (!seen) byId.set(entity.id, entity);
    else if (seen.schema === entity.schema) byId.set(entity.id, mergeFragments(seen, entity));
    else if (!nested) {
      issues.push({
        code: 'ftm.duplicate-id',
        message: `${entity.id} appears again as a ${entity.schema} (first as a ${seen.schema}): the second was left out`,
        where: entity.where,
      });
    }
  };
  for (const item of raw) {
    const entity = readEntity(item.value, item.where, item.depth, reader);
    if (entity) take(entity, false);
  }
  // Nested copies fill in entities the file does not hold at top level.
  while (reader.nested.length > 0) {
    const item = reader.nested.shift()!;
    const entity = readEntity(item.value, item.where, item.depth, reader);
    if (entity) take(entity, true);
  }
  if (byId.size === 0) {
    throw new FtmImportError('empty', [
      'the file holds no entity that can be imported',
      ...issues.slice(0, 4).map((issue) => `${issue.where ?? ''}: ${issue.message}`),
    ]);
  }
  return { entities: [...byId.values()], issues };
}

/** A stand-in's type: the property's range, or LegalEntity where the range is abstract (or Thing). */
function standInSchema(range: string): string {
  const schema = model.schemata[range];
  // A relationship cannot stand in: it would need ends of its own.
  if (schema && !schema.abstract && !schema.edge) return range;
  const legal = model.schemata.LegalEntity;
  return legal && schema && !legal.isA(schema) ? 'Thing' : 'LegalEntity';
}

/** A schema's properties by name, inherited ones included; built once per schema (it is slow). */
const propertiesCache = new Map<string, ReadonlyMap<string, Property>>();
function propertiesOf(schema: string): ReadonlyMap<string, Property> {
  let properties = propertiesCache.get(schema);
  if (!properties) {
    properties = model.getSchema(schema).getProperties();
    propertiesCache.set(schema, properties);
  }
  return properties;
}

/** Checks one value of a property alone, as validateEntity would: the problem, or undefined. */
function valueProblem(property: Property, value: string): string | undefined {
  if (value.length > property.maxLength)
    return `${property.label} is longer than ${property.maxLength} characters`;
  const problem = validateValue(property.type.name, value);
  return problem && `${property.label}: ${problem}`;
}

/** A new case holding the entities, with every id from the file re-keyed (see the top). */
export function caseFileFromFtm(
  read: FtmRead,
  options: ImportOptions,
  from: {
    /** The format the entities were read from (the graph formats map to FtM entities first). */
    readonly format?: InterchangeFormatId;
    /** Positions by the file's ids: kept as a chart named "Imported layout". */
    readonly layout?: ReadonlyMap<string, { readonly x: number; readonly y: number }>;
  } = {},
): InterchangeImport {
  const issues = [...read.issues];
  const target = newImportedCase(from.format ?? 'ftm', options);
  // Relationships without an end cannot be drawn or checked: left out, and said so.
  const entities = read.entities.filter((entity) => {
    const edge = model.schemata[entity.schema]?.edge;
    if (!edge) return true;
    const missing = [edge.source, edge.target].filter(
      (name) => !(entity.properties[name] ?? []).some((value) => value.trim().length > 0),
    );
    if (missing.length === 0) return true;
    issues.push({
      code: 'ftm.edge-without-end',
      message: `${entity.id}: a ${entity.schema} without ${missing.join(' and ')} was left out`,
      where: entity.where,
    });
    return false;
  });
  // Record ids are drawn first, so references are rewritten as each entity is added.
  const recordIds = new Map(entities.map((entity) => [entity.id, target.newRecordId()]));
  const standIns = new Map<string, { schema: string; where: string }>();
  const sorted = entities.map((entity) => {
    const sortedValues = sortValues(entity, issues);
    for (const [name, values] of Object.entries(sortedValues.properties)) {
      const property = propertiesOf(entity.schema).get(name);
      if (!property?.type.isEntity) continue;
      for (const value of values) {
        if (recordIds.has(value) || standIns.has(value)) continue;
        standIns.set(value, {
          schema: standInSchema(property.getRange().name),
          where: entity.where,
        });
      }
    }
    return { entity, ...sortedValues };
  });
  for (const [id, standIn] of standIns) {
    recordIds.set(id, target.newRecordId());
    issues.push({
      code: 'ftm.unresolved-reference',
      message: `${id} is referred to but not in the file: kept as an unresolved ${standIn.schema}, to be merged with the real one later`,
      where: standIn.where,
    });
  }
  for (const { entity, properties, extra } of sorted) {
    const known = propertiesOf(entity.schema);
    const rewritten: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(properties)) {
      rewritten[name] = known.get(name)?.type.isEntity
        ? values.map((value) => recordIds.get(value) ?? value)
        : values;
    }
    const external: Omit<ExternalEntityData, 'format'> = {
      id: entity.id,
      ...checkedMetadata(entity, issues),
      ...(Object.keys(extra).length > 0 && { extra }),
    };
    target.addEntity(entity.schema, rewritten, external, recordIds.get(entity.id));
  }
  for (const [id, standIn] of standIns) {
    const hasName = propertiesOf(standIn.schema).has('name');
    target.addEntity(
      standIn.schema,
      hasName ? { name: [standInName(id)] } : {},
      { id, unresolved: true },
      recordIds.get(id),
    );
  }
  const nodes: Record<string, { x: number; y: number }> = {};
  for (const [id, { x, y }] of from.layout ?? []) {
    const recordId = recordIds.get(id);
    if (recordId && Number.isFinite(x) && Number.isFinite(y)) nodes[recordId] = { x, y };
  }
  if (Object.keys(nodes).length > 0) target.addChart('Imported layout', nodes);
  return { file: target.finish(), issues };
}

/** Limits of the kept FtM metadata (see externalEntitySchema). */
const METADATA_LIMITS = {
  caption: 1024,
  dataset: 256,
  datasets: 1000,
  referent: 1024,
  referents: 10_000,
};

/**
 * The statement metadata an entity keeps (rule 7), within the record schema's limits: what is
 * over them, or a date shorter than a year, is left out and reported rather than refusing the file.
 */
function checkedMetadata(
  entity: FtmEntity,
  issues: ImportIssue[],
): Omit<ExternalEntityData, 'format' | 'id'> {
  const dropped: string[] = [];
  const list = (
    name: string,
    values: readonly string[] | undefined,
    length: number,
    count: number,
  ) => {
    if (!values) return undefined;
    const kept = values.filter((value) => value.length <= length).slice(0, count);
    if (kept.length < values.length) dropped.push(`${values.length - kept.length} of ${name}`);
    return kept;
  };
  const date = (name: string, value: string | undefined) => {
    if (value === undefined || (value.length >= 4 && value.length <= 40)) return value;
    dropped.push(name);
    return undefined;
  };
  let caption = entity.caption;
  if (caption !== undefined && caption.length > METADATA_LIMITS.caption) {
    dropped.push('caption');
    caption = undefined;
  }
  const datasets = list(
    'datasets',
    entity.datasets,
    METADATA_LIMITS.dataset,
    METADATA_LIMITS.datasets,
  );
  const referents = list(
    'referents',
    entity.referents,
    METADATA_LIMITS.referent,
    METADATA_LIMITS.referents,
  );
  const firstSeen = date('first_seen', entity.first_seen);
  const lastSeen = date('last_seen', entity.last_seen);
  const lastChange = date('last_change', entity.last_change);
  if (dropped.length > 0) {
    issues.push({
      code: 'ftm.bad-metadata',
      message: `${entity.id}: ${dropped.join(', ')} left out (over a limit, or not a date)`,
      where: entity.where,
    });
  }
  return {
    ...(caption !== undefined && { caption }),
    ...(datasets && { datasets }),
    ...(referents && { referents }),
    ...(firstSeen !== undefined && { firstSeen }),
    ...(lastSeen !== undefined && { lastSeen }),
    ...(lastChange !== undefined && { lastChange }),
    ...(entity.target !== undefined && { target: entity.target }),
  };
}

/**
 * An entity's values sorted into what the model takes (`properties`) and what it keeps aside
 * (`extra`): rules 3, 4 and 6 at the top. References are left as the file's ids.
 */
function sortValues(
  entity: FtmEntity,
  issues: ImportIssue[],
): { properties: Record<string, string[]>; extra: Record<string, string[]> } {
  const known = propertiesOf(entity.schema);
  // Names come from the file: bags without a prototype, so "constructor" or "__proto__" are
  // ordinary keys (found by the fuzz run: a property called "constructor" crashed the import).
  const properties = valueBag();
  const extra = valueBag();
  const keep = (bag: Record<string, string[]>, name: string, value: string) => {
    const list = (bag[name] ??= []);
    if (!list.includes(value)) list.push(value);
  };
  const note = (code: string, message: string) =>
    issues.push({ code, message: `${entity.id}: ${message}`, where: entity.where });
  for (const [name, values] of Object.entries(entity.properties)) {
    const property = known.get(name);
    for (const raw of values) {
      const value = raw.trim();
      if (value.length === 0) continue;
      if (value.length > FTM_VALUE_MAX || name.length > 128) {
        note(
          'ftm.value-too-long',
          `a value of ${name.slice(0, 64)} is over the limit of ${FTM_VALUE_MAX} characters (or its name over 128): left out`,
        );
      } else if (!property) {
        keep(extra, name, value);
      } else if (property.type.isEntity && value.length > FTM_ID_MAX) {
        note(
          'ftm.id-too-long',
          `a reference in ${name} is ${value.length} characters long, over the limit of ${FTM_ID_MAX}: left out`,
        );
      } else if (property.type.isEntity) {
        keep(properties, name, value);
      } else {
        const problem = valueProblem(property, value);
        const parts = value
          .split(';')
          .map((part) => part.trim())
          .filter((part) => part.length > 0);
        if (!problem) {
          keep(properties, name, value);
        } else if (parts.length > 1 && parts.every((part) => !valueProblem(property, part))) {
          for (const part of parts) keep(properties, name, part);
          note('ftm.split', `${name} "${value}" was split into ${parts.length} values`);
        } else {
          keep(extra, name, value);
          note('ftm.invalid-value', `${problem}; kept as it was, outside the properties`);
        }
      }
    }
  }
  const unknown = Object.keys(extra).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    note(
      'ftm.unknown-property',
      `${entity.schema} has no ${unknown.join(', ')} in Tessera's model; kept as it was, outside the properties`,
    );
  }
  return { properties, extra };
}

/** Reads FtM lines into a new case (the ftm interchange format's import). */
export function importFtm(text: string, options: ImportOptions): InterchangeImport {
  return caseFileFromFtm(parseFtmLines(text), options);
}

/**
 * The case's live entities as FtM JSON lines (ending with a newline), with the ids, metadata and
 * extra values an import kept; unresolved stand-ins are left out, references to them keep the
 * id they had. Tessera's own metadata (markings, grading, provenance) has no place in FtM.
 */
export function exportFtmLines(file: CaseFile): string {
  const live = file.entities.filter((entity) => !entity.deleted);
  const ids = exportIds(live);
  return live
    .filter((entity) => !entity.external?.unresolved)
    .map((entity) => {
      const known = isKnownSchema(entity.schema) ? propertiesOf(entity.schema) : undefined;
      const properties: Record<string, string[]> = {};
      for (const [name, values] of Object.entries(entity.properties)) {
        properties[name] = known?.get(name)?.type.isEntity
          ? values.map((value) => ids.get(value) ?? value)
          : [...values];
      }
      for (const [name, values] of Object.entries(entity.external?.extra ?? {}))
        properties[name] = [...new Set([...(properties[name] ?? []), ...values])];
      const external = entity.external;
      return JSON.stringify({
        id: ids.get(entity.id),
        ...(external?.caption !== undefined && { caption: external.caption }),
        schema: entity.schema,
        properties,
        ...(external?.referents && { referents: external.referents }),
        ...(external?.datasets && { datasets: external.datasets }),
        ...(external?.firstSeen !== undefined && { first_seen: external.firstSeen }),
        ...(external?.lastSeen !== undefined && { last_seen: external.lastSeen }),
        ...(external?.lastChange !== undefined && { last_change: external.lastChange }),
        ...(external?.target !== undefined && { target: external.target }),
      });
    })
    .map((line) => `${line}\n`)
    .join('');
}

/** Looks like FtM: a JSON object (or a list of them) with "schema" and "properties". */
export function sniffFtm(text: string): boolean {
  const head = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 4096);
  return /^[[{]/.test(head) && /"schema"\s*:/.test(head) && /"properties"\s*:/.test(head);
}
