/**
 * Pure logic behind the import wizard's mapping step: the transforms offered (one picker per kind
 * of shared/importer's Transform), the column names a file offers, and the edits of a
 * specification (entities, their property mappings, transforms, row rules). Every edit returns a
 * new specification; the wizard keeps one and hands it to the live preview and the run.
 */
import type {
  EntityMapping,
  IdentityRule,
  ImportSpec,
  PropertyMapping,
  RowCondition,
  SourceOptions,
  Transform,
  ValueSource,
} from '../../shared/importer/index.ts';
import { IMPORT_SPEC_FORMAT, IMPORT_SPEC_FORMAT_VERSION } from '../../shared/importer/index.ts';
import { EDGE_SCHEMATA, getSchema, NODE_SCHEMATA } from '../../shared/model/index.ts';

export type TransformOp = Transform['op'];

/** Every transform, in the order the picker lists them, with the values a new one starts with. */
export const TRANSFORMS: readonly { readonly op: TransformOp; readonly label: string }[] = [
  { op: 'trim', label: 'Trim spaces' },
  { op: 'upper', label: 'UPPER CASE' },
  { op: 'lower', label: 'lower case' },
  { op: 'title', label: 'Title Case' },
  { op: 'replace', label: 'Replace text' },
  { op: 'split', label: 'Split into several values' },
  { op: 'date', label: 'Date by pattern' },
  { op: 'number', label: 'Number' },
  { op: 'duration', label: 'Duration to seconds' },
  { op: 'phone', label: 'Phone number to E.164' },
  { op: 'iban', label: 'IBAN (validated)' },
];

export function newTransform(op: TransformOp): Transform {
  switch (op) {
    case 'replace':
      return { op, find: '', with: '' };
    case 'split':
      return { op, separator: ';' };
    case 'date':
      return { op, pattern: 'dd/MM/yyyy HH:mm' };
    case 'number':
      return { op, decimal: '.' };
    case 'trim':
    case 'upper':
    case 'lower':
    case 'title':
    case 'duration':
    case 'phone':
    case 'iban':
      return { op };
  }
}

/** "Date by pattern dd/MM/yyyy HH:mm (Europe/Vienna)" — what a transform does, in a few words. */
export function describeTransform(transform: Transform): string {
  const label = TRANSFORMS.find((t) => t.op === transform.op)?.label ?? transform.op;
  switch (transform.op) {
    case 'replace':
      return `${label} '${transform.find}' → '${transform.with}'`;
    case 'split':
      return `${label} at '${transform.separator}'`;
    case 'date':
      return `${label} ${transform.pattern}${transform.timeZone ? ` (${transform.timeZone})` : ''}`;
    case 'number':
      return `${label}, decimal ${transform.decimal === ',' ? 'comma' : 'point'}`;
    case 'phone':
      return transform.defaultCountry ? `${label} (${transform.defaultCountry})` : label;
    default:
      return label;
  }
}

export const IDENTITY_RULES: readonly { readonly rule: IdentityRule; readonly label: string }[] = [
  { rule: { by: 'phone' }, label: 'Same phone number' },
  { rule: { by: 'iban' }, label: 'Same IBAN' },
  { rule: { by: 'passport' }, label: 'Same passport number' },
  { rule: { by: 'name-and-birth-date' }, label: 'Same name and birth date' },
];

export const CONDITION_OPS: readonly { readonly op: RowCondition['op']; readonly label: string }[] =
  [
    { op: 'equals', label: 'equals' },
    { op: 'not-equals', label: 'does not equal' },
    { op: 'contains', label: 'contains' },
    { op: 'matches', label: 'matches (regular expression)' },
    { op: 'empty', label: 'is empty' },
    { op: 'not-empty', label: 'is not empty' },
  ];

/** The schemata a mapping can make: the node and edge types the app offers elsewhere. */
export const MAPPABLE_SCHEMATA: readonly string[] = [...NODE_SCHEMATA, ...EDGE_SCHEMATA];

/** A schema's properties a mapping can fill, by label. */
export function mappableProperties(schemaName: string): { name: string; label: string }[] {
  return getSchema(schemaName)
    .getEditableProperties()
    .filter((property) => !property.hidden && !property.deprecated)
    .map((property) => ({ name: property.name, label: property.label }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Whether a property holds a reference to another entity (mapped from another row entity). */
export function isEntityProperty(schemaName: string, property: string): boolean {
  const schema = getSchema(schemaName);
  return schema.hasProperty(property) && schema.getProperty(property).type.isEntity;
}

/** The names columns go by in a mapping: the header's, or "#1", "#2"… without one. */
export function columnNames(header: readonly string[] | undefined, width: number): string[] {
  if (header && header.length > 0) return [...header];
  return Array.from({ length: width }, (_, index) => `#${index + 1}`);
}

/** The file's kind from its name: XLSX by extension; everything else is read as delimited text. */
export function sourceKindOf(fileName: string): SourceOptions['kind'] {
  return /\.xlsx$/i.test(fileName) ? 'xlsx' : 'delimited';
}

export function blankSpec(name = 'My mapping'): ImportSpec {
  return {
    format: IMPORT_SPEC_FORMAT,
    formatVersion: IMPORT_SPEC_FORMAT_VERSION,
    name,
    version: 0,
    source: { kind: 'delimited' },
    entities: [],
  };
}

/** The spec with the file's detected or overridden reading options (step 2) put in. */
export function withSource(spec: ImportSpec, source: Partial<SourceOptions>): ImportSpec {
  return { ...spec, source: { ...spec.source, ...source } };
}

function replaceAt<T>(list: readonly T[], index: number, item: T): T[] {
  return list.map((existing, i) => (i === index ? item : existing));
}

function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

/** A key not yet used in the spec: "phone", "phone2"… */
function freshKey(spec: ImportSpec, schemaName: string): string {
  const base = schemaName.charAt(0).toLowerCase() + schemaName.slice(1);
  const used = new Set(spec.entities.map((entity) => entity.key));
  if (!used.has(base)) return base;
  let n = 2;
  while (used.has(`${base}${n}`)) n += 1;
  return `${base}${n}`;
}

export function addEntity(spec: ImportSpec, schemaName: string): ImportSpec {
  const entity: EntityMapping = {
    key: freshKey(spec, schemaName),
    schema: schemaName,
    properties: [],
  };
  return { ...spec, entities: [...spec.entities, entity] };
}

export function removeEntity(spec: ImportSpec, index: number): ImportSpec {
  return { ...spec, entities: removeAt(spec.entities, index) };
}

export function updateEntity(
  spec: ImportSpec,
  index: number,
  patch: (entity: EntityMapping) => EntityMapping,
): ImportSpec {
  const entity = spec.entities[index];
  return entity ? { ...spec, entities: replaceAt(spec.entities, index, patch(entity)) } : spec;
}

export function addProperty(
  entity: EntityMapping,
  property: string,
  column: string,
): EntityMapping {
  const mapping: PropertyMapping = { property, value: { column } };
  return { ...entity, properties: [...entity.properties, mapping] };
}

export function removeProperty(entity: EntityMapping, index: number): EntityMapping {
  return { ...entity, properties: removeAt(entity.properties, index) };
}

export function updateProperty(
  entity: EntityMapping,
  index: number,
  patch: (mapping: PropertyMapping) => PropertyMapping,
): EntityMapping {
  const mapping = entity.properties[index];
  return mapping
    ? { ...entity, properties: replaceAt(entity.properties, index, patch(mapping)) }
    : entity;
}

export function setTransforms(
  mapping: PropertyMapping,
  transforms: readonly Transform[],
): PropertyMapping {
  const { transforms: _old, ...rest } = mapping;
  return transforms.length > 0 ? { ...rest, transforms } : rest;
}

export function addTransform(mapping: PropertyMapping, op: TransformOp): PropertyMapping {
  return setTransforms(mapping, [...(mapping.transforms ?? []), newTransform(op)]);
}

export function updateTransform(
  mapping: PropertyMapping,
  index: number,
  next: Transform,
): PropertyMapping {
  return setTransforms(mapping, replaceAt(mapping.transforms ?? [], index, next));
}

export function removeTransform(mapping: PropertyMapping, index: number): PropertyMapping {
  return setTransforms(mapping, removeAt(mapping.transforms ?? [], index));
}

export function toggleIdentity(
  entity: EntityMapping,
  rule: IdentityRule,
  on: boolean,
): EntityMapping {
  const same = (r: IdentityRule) =>
    r.by === rule.by &&
    (r.by !== 'property' || (rule.by === 'property' && r.property === rule.property));
  const rest = (entity.identity ?? []).filter((r) => !same(r));
  const identity = on ? [...rest, rule] : rest;
  const { identity: _old, ...base } = entity;
  return identity.length > 0 ? { ...base, identity } : base;
}

export function hasIdentity(entity: EntityMapping, by: IdentityRule['by']): boolean {
  return (entity.identity ?? []).some((rule) => rule.by === by);
}

/** The kind of a value source, for the source picker. */
export type ValueKind = 'column' | 'columns' | 'constant' | 'entity';

export function valueKind(value: ValueSource): ValueKind {
  if ('column' in value) return 'column';
  if ('columns' in value) return 'columns';
  if ('constant' in value) return 'constant';
  return 'entity';
}

/** A value source of another kind, carrying over what fits (the first column, say). */
export function changeValueKind(
  value: ValueSource,
  kind: ValueKind,
  columns: readonly string[],
  entityKeys: readonly string[],
): ValueSource {
  const firstColumn =
    'column' in value
      ? value.column
      : 'columns' in value
        ? (value.columns[0] ?? '')
        : (columns[0] ?? '');
  switch (kind) {
    case 'column':
      return { column: firstColumn };
    case 'columns':
      return { columns: firstColumn ? [firstColumn] : [], join: ' ' };
    case 'constant':
      return { constant: '' };
    case 'entity':
      return { entity: entityKeys[0] ?? '' };
  }
}

export type RuleList = 'include' | 'exclude';

export function addCondition(spec: ImportSpec, list: RuleList, column: string): ImportSpec {
  const condition: RowCondition = { column, op: 'not-empty' };
  return { ...spec, [list]: [...(spec[list] ?? []), condition] };
}

export function updateCondition(
  spec: ImportSpec,
  list: RuleList,
  index: number,
  next: RowCondition,
): ImportSpec {
  return { ...spec, [list]: replaceAt(spec[list] ?? [], index, next) };
}

export function removeCondition(spec: ImportSpec, list: RuleList, index: number): ImportSpec {
  const rest = removeAt(spec[list] ?? [], index);
  const { [list]: _old, ...base } = spec;
  return rest.length > 0 ? { ...base, [list]: rest } : base;
}

/** Whether the condition's operator takes a value. */
export function conditionTakesValue(op: RowCondition['op']): boolean {
  return op !== 'empty' && op !== 'not-empty';
}

/** Problems that stop a spec from running at all (the engine reports the rest per row). */
export function specProblems(spec: ImportSpec): string[] {
  const problems: string[] = [];
  if (spec.entities.length === 0) problems.push('Add at least one entity to make from each row.');
  for (const entity of spec.entities) {
    if (entity.properties.length === 0) {
      problems.push(`${entity.key}: map at least one column to a property.`);
    }
  }
  return problems;
}
