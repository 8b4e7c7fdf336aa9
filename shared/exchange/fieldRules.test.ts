import { describe, expect, it } from 'vitest';
import { anyRecordSchema } from '../model/recordKinds.ts';
import type { RecordKind } from '../model/records.ts';
import { FIELD_RULES, OPTIONAL_FIELDS, propertyClass } from './fieldRules.ts';

/** The fields of each record kind, read from the zod schemas that parse records from outside. */
const schemaFields = Object.fromEntries(
  anyRecordSchema.options.map((schema) => [schema.shape.kind.value, schema.shape]),
) as unknown as Record<
  RecordKind,
  Record<string, { safeParse: (value: unknown) => { success: boolean } }>
>;

describe('field rules', () => {
  it('name every field of every record kind, and nothing else', () => {
    expect(Object.keys(FIELD_RULES).sort()).toEqual(Object.keys(schemaFields).sort());
    for (const kind of Object.keys(schemaFields) as RecordKind[]) {
      expect(Object.keys(FIELD_RULES[kind]).sort(), kind).toEqual(
        Object.keys(schemaFields[kind]).sort(),
      );
    }
  });

  it('know which fields a record may go without', () => {
    for (const kind of Object.keys(schemaFields) as RecordKind[]) {
      const optional = Object.entries(schemaFields[kind])
        .filter(([, schema]) => schema.safeParse(undefined).success)
        .map(([field]) => field)
        .sort();
      expect([...OPTIONAL_FIELDS[kind]].sort(), kind).toEqual(optional);
    }
  });

  it('class FtM properties: names and name parts together, free text, references', () => {
    expect(propertyClass('Person', 'name')).toBe('name');
    expect(propertyClass('Person', 'firstName')).toBe('name');
    expect(propertyClass('Person', 'weakAlias')).toBe('name');
    expect(propertyClass('Passport', 'surname')).toBe('name');
    expect(propertyClass('Person', 'notes')).toBe('text');
    expect(propertyClass('Email', 'bodyHtml')).toBe('text');
    expect(propertyClass('Passport', 'holder')).toBe('reference');
    expect(propertyClass('Person', 'birthDate')).toBe('value');
    // A property the schema does not know is treated as free text (deny by default).
    expect(propertyClass('Person', 'madeUp')).toBe('text');
  });
});
