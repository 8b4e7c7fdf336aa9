/**
 * Pure logic behind the schema-driven entity and relationship forms: which properties a form
 * shows (featured first, the rest under "More fields"), which input each FtM property type gets,
 * the options of country and entity-reference selects, and edits of multi-valued property lists.
 * The form keeps every property of the record, shown or not, so saving never drops data the form
 * has no field for.
 */
import type { Property } from '@alephdata/followthemoney';
import type { EntityRecord } from '../../shared/model/index.ts';
import { captionOf, getSchema, isEdgeSchema, model } from '../../shared/model/index.ts';

export type InputKind = 'date' | 'country' | 'entity' | 'textarea' | 'text';

const LONG_TEXT_TYPES = new Set(['text', 'html']);

export function inputKindOf(property: Property): InputKind {
  if (property.type.isEntity) return 'entity';
  if (property.type.name === 'date') return 'date';
  if (property.type.name === 'country') return 'country';
  if (LONG_TEXT_TYPES.has(property.type.name)) return 'textarea';
  return 'text';
}

export interface FieldPlan {
  readonly featured: readonly Property[];
  readonly more: readonly Property[];
}

/**
 * The fields a form offers for `schemaName`. The ends of a relationship are left out: the
 * relationship editor sets them from the two entities being linked.
 */
export function fieldPlan(schemaName: string): FieldPlan {
  const schema = getSchema(schemaName);
  const ends = new Set(schema.edge ? [schema.edge.source, schema.edge.target] : []);
  const editable = (property: Property) =>
    !property.hidden && !property.stub && !property.deprecated && !ends.has(property.name);
  const featured = schema.getFeaturedProperties().filter(editable);
  const featuredNames = new Set(featured.map((property) => property.name));
  const more = schema
    .getEditableProperties()
    .filter((property) => editable(property) && !featuredNames.has(property.name))
    .sort((a, b) => a.label.localeCompare(b.label));
  return { featured, more };
}

export interface SelectOption {
  readonly value: string;
  readonly label: string;
}

let countryCache: SelectOption[] | undefined;

export function countryOptions(): readonly SelectOption[] {
  countryCache ??= [...(model.types.country?.values ?? new Map<string, string>()).entries()]
    .map(([value, label]) => ({ value, label }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return countryCache;
}

/** Case entities that may be the value of an entity-reference property (its range), by caption. */
export function entityOptions(
  property: Property,
  entities: readonly EntityRecord[],
  excludeId?: string,
): SelectOption[] {
  const range = property.getRange();
  return entities
    .filter(
      (entity) =>
        entity.id !== excludeId &&
        !entity.deleted &&
        !isEdgeSchema(entity.schema) &&
        model.schemata[entity.schema]?.isA(range) === true,
    )
    .map((entity) => ({
      value: entity.id,
      label: `${captionOf(entity.schema, entity.properties)} (${getSchema(entity.schema).label})`,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export type FormValues = Readonly<Record<string, readonly string[]>>;

/** The values a field shows: always at least one (empty) input. */
export function fieldValues(values: FormValues, property: string): readonly string[] {
  const current = values[property];
  return current && current.length > 0 ? current : [''];
}

export function setValue(
  values: FormValues,
  property: string,
  index: number,
  value: string,
): FormValues {
  const next = [...fieldValues(values, property)];
  next[index] = value;
  return { ...values, [property]: next };
}

export function addValue(values: FormValues, property: string): FormValues {
  return { ...values, [property]: [...fieldValues(values, property), ''] };
}

export function removeValue(values: FormValues, property: string, index: number): FormValues {
  const next = fieldValues(values, property).filter((_, position) => position !== index);
  return { ...values, [property]: next };
}

/** Keeps the values whose property exists on the new schema (when the type changes in a form). */
export function carryOver(values: FormValues, schemaName: string): FormValues {
  const properties = getSchema(schemaName).getProperties();
  return Object.fromEntries(Object.entries(values).filter(([name]) => properties.has(name)));
}

/** Property names in form order, for the error summary and focusing the first error. */
export function orderedErrorKeys(
  errors: Readonly<Record<string, string>>,
  plan: FieldPlan,
): string[] {
  const order = [...plan.featured, ...plan.more].map((property) => property.name);
  return Object.keys(errors).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib);
  });
}

/** Drops the errors of fields whose values changed: the person is fixing them. */
export function clearChangedErrors(
  errors: Readonly<Record<string, string>>,
  before: FormValues,
  after: FormValues,
): Readonly<Record<string, string>> {
  const kept = Object.entries(errors).filter(
    ([name]) => (before[name] ?? []).join('\u0000') === (after[name] ?? []).join('\u0000'),
  );
  return kept.length === Object.keys(errors).length ? errors : Object.fromEntries(kept);
}

/** The "more" fields whose label or name contains `filter` (case-insensitive). */
export function filterFields(properties: readonly Property[], filter: string): readonly Property[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return properties;
  return properties.filter(
    (property) =>
      property.label.toLowerCase().includes(needle) || property.name.toLowerCase().includes(needle),
  );
}
