/**
 * Validation of FtM entity data before it is stored. It returns every problem at once, keyed by
 * property, with a message a person can act on; the repository refuses to save while any remain.
 */
import { electronicFormatIBAN, validateIBAN, ValidationErrorsIBAN } from 'ibantools';
import { readDate } from './dates.ts';
import { lengthProblem } from './limits.ts';
import type { EntityProperties } from './records.ts';
import { getSchema, isKnownSchema, model, schemaPropertyMap } from './schema.ts';

export type ValidationErrors = Readonly<Record<string, string>>;

/** An FtM date (shared/model/dates.ts): a full or partial ISO-8601 date, with a plausible year. */
export function validateDate(value: string): string | undefined {
  const read = readDate(value);
  if ('code' in read) return read.message;
  const year = Number(value.trim().slice(0, 4));
  if (year < 1000 || year > 2999) return `${year} is not a plausible year`;
  return undefined;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_PATTERN = /^\+?[0-9 ()./-]{4,32}$/;
const URL_PATTERN = /^https?:\/\/\S+$/i;

export function validateIban(value: string): string | undefined {
  const iban = electronicFormatIBAN(value) ?? '';
  const { valid, errorCodes } = validateIBAN(iban);
  if (valid) return undefined;
  const checksum =
    errorCodes.includes(ValidationErrorsIBAN.WrongIBANChecksum) ||
    errorCodes.includes(ValidationErrorsIBAN.WrongAccountBankBranchChecksum);
  return checksum ? `"${value}" fails the IBAN check digits` : `"${value}" is not an IBAN`;
}

/** Checks one (trimmed, non-empty) value of an FtM type; the problem in words, or undefined. */
export function validateValue(typeName: string, value: string): string | undefined {
  switch (typeName) {
    case 'date':
      return validateDate(value);
    case 'country':
      return model.types.country?.values.has(value.toLowerCase())
        ? undefined
        : `"${value}" is not a country code (ISO 3166, e.g. de, fr, ro)`;
    case 'email':
      return EMAIL_PATTERN.test(value) ? undefined : `"${value}" is not an e-mail address`;
    case 'phone':
      return PHONE_PATTERN.test(value) ? undefined : `"${value}" is not a phone number`;
    case 'iban':
      return validateIban(value);
    case 'url':
      return URL_PATTERN.test(value) ? undefined : `"${value}" is not a web address (http…)`;
    case 'number':
      return Number.isFinite(Number(value.replace(/[, ]/g, '')))
        ? undefined
        : `"${value}" is not a number`;
    default:
      return undefined;
  }
}

export interface ValidateOptions {
  /**
   * Accept missing required values other than a relationship's two ends: data imported from
   * other tools (issue 11: an OpenSanctions Passport without a number) is kept as it came.
   */
  readonly allowMissingRequired?: boolean;
}

/**
 * Checks an entity against its schema: known type and properties, required values present,
 * values well-formed for their FtM type, entity references present (`knownIds` when given).
 */
export function validateEntity(
  schemaName: string,
  properties: EntityProperties,
  knownIds?: ReadonlySet<string>,
  options: ValidateOptions = {},
): ValidationErrors {
  const errors: Record<string, string> = {};
  if (!isKnownSchema(schemaName)) return { schema: `unknown entity type: ${schemaName}` };
  const schema = getSchema(schemaName);
  const schemaProperties = schemaPropertyMap(schemaName);
  for (const [name, values] of Object.entries(properties)) {
    const property = schemaProperties.get(name);
    if (!property) {
      errors[name] = `${schema.label} has no property "${name}"`;
      continue;
    }
    for (const raw of values) {
      const value = raw.trim();
      if (value.length === 0) continue;
      const tooLong = lengthProblem(property.label, value, property.maxLength);
      if (tooLong) {
        errors[name] = tooLong;
        break;
      }
      const problem = property.type.isEntity
        ? knownIds && !knownIds.has(value)
          ? 'refers to an entity that is not in this case'
          : undefined
        : validateValue(property.type.name, value);
      if (problem) {
        errors[name] = `${property.label}: ${problem}`;
        break;
      }
    }
  }
  const required = new Set(options.allowMissingRequired ? [] : schema.required);
  if (schema.edge) {
    required.add(schema.edge.source);
    required.add(schema.edge.target);
  }
  for (const name of required) {
    const hasValue = (properties[name] ?? []).some((value) => value.trim().length > 0);
    if (!hasValue && !errors[name]) {
      const label = schemaProperties.get(name)?.label ?? name;
      errors[name] = `${label} is required`;
    }
  }
  return errors;
}

/** Trims values, drops empty ones and properties left without values. */
export function cleanProperties(properties: EntityProperties): EntityProperties {
  const cleaned: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(properties)) {
    const kept = [
      ...new Set(values.map((value) => value.trim()).filter((value) => value.length > 0)),
    ];
    if (kept.length > 0) cleaned[name] = kept;
  }
  return cleaned;
}
