/**
 * Identity rules (types.ts `IdentityRule`): when an incoming entity is the same as one imported
 * earlier in this run or one already in the case, so an import merges instead of duplicating.
 *
 * Each rule turns an entity's properties into match keys, normalised the way entity resolution
 * in search does (shared/search): phone numbers as E.164, IBANs compact and upper-case, passport
 * and registration numbers without separators, names folded (case, accents, spacing). Two entities
 * of the same schema with a key in common under the same rule are the same. The index maps keys
 * to record ids and only holds entities whose mapping has rules (phones, accounts, people), not
 * the calls and payments between them, so a million-row CDR keeps a few thousand keys.
 */
import type { EntityProperties } from '../model/index.ts';
import { schemaPropertyMap } from '../model/index.ts';
import { tokenize } from '../search/fold.ts';
import { normalizeEmail, normalizeIban, normalizeIdentifier } from '../search/identifiers.ts';
import { phoneKey } from './transforms.ts';
import type { IdentityRule } from './types.ts';

function values(properties: EntityProperties, name: string): readonly string[] {
  return (properties[name] ?? []).map((value) => value.trim()).filter((value) => value !== '');
}

function normalisedBy(typeName: string, value: string, defaultCountry?: string): string | null {
  switch (typeName) {
    case 'phone':
      return phoneKey(value, defaultCountry) ?? normalizeIdentifier(value);
    case 'iban':
      return normalizeIban(value) ?? normalizeIdentifier(value);
    case 'email':
      return normalizeEmail(value);
    case 'identifier':
      return normalizeIdentifier(value);
    default: {
      // Names and other text: folded words, so case, accents and spacing do not matter.
      const folded = tokenize(value).join(' ');
      return folded === '' ? null : folded;
    }
  }
}

/** The keys one rule gives for an entity; none when it lacks the values the rule reads. */
export function identityKeys(
  schemaName: string,
  properties: EntityProperties,
  rule: IdentityRule,
  defaultCountry?: string,
): string[] {
  const schemaProperties = schemaPropertyMap(schemaName);
  const has = (name: string) => schemaProperties.has(name);
  const keyed = (property: string, typeName: string) =>
    values(properties, property)
      .map((value) => normalisedBy(typeName, value, defaultCountry))
      .filter((key): key is string => key !== null);
  let keys: string[];
  switch (rule.by) {
    case 'phone':
      keys = keyed(schemaName === 'Phone' || !has('phone') ? 'number' : 'phone', 'phone');
      break;
    case 'iban':
      keys = keyed('iban', 'iban');
      break;
    case 'passport':
      keys = keyed(has('passportNumber') ? 'passportNumber' : 'number', 'identifier');
      break;
    case 'name-and-birth-date': {
      const names = keyed('name', 'name');
      const births = values(properties, 'birthDate').map((date) => date.slice(0, 10));
      keys = names.flatMap((name) => births.map((birth) => `${name}|${birth}`));
      break;
    }
    case 'property': {
      const type = schemaProperties.get(rule.property)?.type.name ?? 'string';
      keys = keyed(rule.property, type);
      break;
    }
  }
  const tag = `${schemaName}\u0000${rule.by === 'property' ? `property:${rule.property}` : rule.by}\u0000`;
  return [...new Set(keys)].map((key) => tag + key);
}

/** Match keys → record ids, for the rules of one import. */
export class IdentityIndex {
  private readonly ids = new Map<string, string>();

  constructor(private readonly defaultCountry?: string) {}

  /** The id of an entity that any rule says is the same, or undefined. */
  find(
    schema: string,
    properties: EntityProperties,
    rules: readonly IdentityRule[],
  ): string | undefined {
    for (const rule of rules) {
      for (const key of identityKeys(schema, properties, rule, this.defaultCountry)) {
        const id = this.ids.get(key);
        if (id !== undefined) return id;
      }
    }
    return undefined;
  }

  /** Records the entity's keys under its id (a key already taken keeps its first owner). */
  add(
    id: string,
    schema: string,
    properties: EntityProperties,
    rules: readonly IdentityRule[],
  ): void {
    for (const rule of rules) {
      for (const key of identityKeys(schema, properties, rule, this.defaultCountry)) {
        if (!this.ids.has(key)) this.ids.set(key, id);
      }
    }
  }
}
