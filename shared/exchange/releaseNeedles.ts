/**
 * The needles of release rule F5 (policy.ts): what a release is searched for. Everything that
 * stays home contributes: the ids of records withheld or deleted, and the values of their labels,
 * free text, typed values, provenance and FtM properties, and the values of fields stripped from
 * records that go. Codes, dates and numbers are no needles (only identifier-shaped values found in
 * such properties are), nor are values that the records going share anyway (commonValuesOf). The search itself is mentions.ts.
 */
import { captionOfRecord, itemsOf } from '../model/recordKinds.ts';
import type { AnyRecord, AttachmentRecord, EntityRecord } from '../model/records.ts';
import type { FieldClass } from './fieldRules.ts';
import { fieldClass, isDistinctiveProperty, propertyClass } from './fieldRules.ts';
import { identifierTokens, MentionFinder, normaliseValue, stringsOf } from './mentions.ts';
import { splitField } from './operations.ts';
import type { ReleaseInput } from './policy.ts';

type Json = Readonly<Record<string, unknown>>;

/** Whether a field of this class is searched for mentions of what stays (F5). */
export function isScanned(cls: FieldClass): boolean {
  return cls === 'value' || cls === 'label' || cls === 'text' || cls === 'provenance';
}

/**
 * What a record that stays may share with what goes without proving a copy (F5): the values of
 * `value` fields of the records that go (user names, media types…), their ids, and the case's
 * own reference and title with their identifier-like parts (every bundle carries them, and notes
 * cite them).
 */
function commonValuesOf(records: Iterable<AnyRecord>): Set<string> {
  const common = new Set<string>();
  const add = (text: string): void => {
    common.add(normaliseValue(text));
  };
  for (const record of records) {
    add(record.id);
    if (record.kind === 'case') {
      for (const text of [record.reference, record.title]) {
        add(text);
        identifierTokens(text).forEach(add);
      }
    }
    for (const [field, value] of Object.entries(record as unknown as Json)) {
      const cls = fieldClass(record.kind, field);
      if (cls === 'value') for (const text of stringsOf(value)) add(text);
      else if (cls === 'provenance') {
        for (const [part, text] of Object.entries(value as Json)) {
          if (part !== 'source' && typeof text === 'string') add(text);
        }
      }
    }
  }
  return common;
}

/**
 * The needles of F5 for one record that does not go: its id, and the values of its labels, free
 * text, provenance and FtM properties (but not codes, dates or numbers, nor the values it shares
 * with what goes: see commonValuesOf and fieldRules.ts).
 */
function addRecordNeedles(
  finder: MentionFinder,
  record: AnyRecord,
  label: string,
  common: ReadonlySet<string>,
  only?: readonly string[],
): void {
  if (only === undefined) finder.addId(record.id, label);
  const addText = (text: string): void => {
    if (!common.has(normaliseValue(text))) finder.addValue(text, label);
    for (const token of identifierTokens(text)) {
      if (!common.has(normaliseValue(token))) finder.addValue(token, label);
    }
  };
  const addUncommon = (value: unknown): void => {
    for (const text of stringsOf(value)) {
      if (!common.has(normaliseValue(text))) finder.addValue(text, label);
    }
  };
  for (const [field, value] of Object.entries(record as unknown as Json)) {
    if (only !== undefined && !only.includes(field)) continue;
    const cls = fieldClass(record.kind, field);
    if (cls === 'label' || cls === 'text') {
      if (typeof value === 'string') addText(value);
    } else if (cls === 'value') {
      addUncommon(value);
    } else if (cls === 'provenance') {
      for (const [part, text] of Object.entries(value as Json)) {
        if (typeof text !== 'string') continue;
        if (part === 'source') addText(text);
        else addUncommon(text);
      }
    } else if (cls === 'properties' && record.kind === 'entity') {
      for (const [property, values] of Object.entries(record.properties)) {
        if (isDistinctiveProperty(record.schema, property)) {
          for (const value of values) addText(value);
          continue;
        }
        // A code, date or number property is no needle by its type, but a value in it that is
        // shaped like an identifier (letters and digits, 8 or more) is one all the same.
        for (const value of values) {
          for (const token of identifierTokens(value)) {
            if (!common.has(normaliseValue(token))) finder.addValue(token, label);
          }
        }
      }
    }
  }
}

/**
 * The needles for everything that stays home: records withheld or deleted, and every field
 * stripped from a record that goes. `going` are the records that go, for commonValuesOf.
 */
export function needlesOf<A extends AttachmentRecord>(
  input: ReleaseInput<A>,
  withheldIds: ReadonlySet<string>,
  stripped: readonly { readonly id: string; readonly field: string; readonly property: string }[],
  going: Iterable<AnyRecord>,
  /** Further texts that go in their own right (released source texts). */
  alsoCommon: Iterable<string> = [],
): MentionFinder {
  const finder = new MentionFinder();
  const common = commonValuesOf(going);
  for (const text of alsoCommon) common.add(normaliseValue(text));
  const byId = new Map<string, AnyRecord>([[input.case.id, input.case]]);
  for (const record of itemsOf(input)) {
    byId.set(record.id, record);
    if (record.deleted || withheldIds.has(record.id)) {
      const state = record.deleted ? 'deleted' : 'withheld';
      addRecordNeedles(finder, record, `${state} ${captionOfRecord(record, 'release')}`, common);
    }
  }
  for (const item of stripped) {
    // Whatever was left out may not come back through another field, whichever rule left it
    // out: a copy of free text nobody released is as unreleased as the original.
    const record = byId.get(item.id);
    if (!record) continue;
    const { top, key } = splitField(item.field);
    const label = `withheld ${item.property} of ${captionOfRecord(record, 'release')}`;
    // The stripped field is added as a partial record, so its values are read as in the record.
    if (record.kind === 'entity' && top === 'properties' && key !== undefined) {
      const values = record.properties[key];
      if (values && propertyClass(record.schema, key) !== 'reference') {
        const part: EntityRecord = { ...record, properties: { [key]: values } };
        addRecordNeedles(finder, part, label, common, ['properties']);
      }
    } else if (top === 'provenance' || (key === undefined && top !== 'nodes')) {
      addRecordNeedles(finder, record, label, common, [top]);
    }
  }
  return finder;
}
