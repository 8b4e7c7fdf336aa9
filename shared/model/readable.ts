/**
 * Record fields and values as a person reads them, for the history and the exchange review
 * (issue 12: they showed `leadInvestigator`, ISO timestamps and raw JSON). Field paths are the
 * dotted paths of a flattened record ("properties.birthDate", "markings.tlp"); FtM properties
 * take their label from the entity's schema.
 */
import { model } from './schema.ts';

const FIELD_LABELS: Readonly<Record<string, string>> = {
  reference: 'Reference',
  title: 'Title',
  status: 'Status',
  leadInvestigator: 'Lead investigator',
  crimeAreas: 'Crime areas',
  jurisdictions: 'Jurisdictions',
  openedOn: 'Opened on',
  closedOn: 'Closed on',
  description: 'Description',
  body: 'Text',
  author: 'Author',
  fileName: 'File name',
  mediaType: 'File type',
  size: 'Size',
  sha256: 'SHA-256',
  noticeType: 'Notice type',
  subjectId: 'Subject',
  issuingAgency: 'Issuing agency',
  issuedOn: 'Issued on',
  expiresOn: 'Expires on',
  summary: 'Summary',
  name: 'Name',
  layout: 'Layout',
  caseId: 'Case',
  entityId: 'Entity',
  markings: 'Markings',
  grading: 'Grading',
  provenance: 'Provenance',
  'grading.source': 'Source reliability',
  'grading.information': 'Information credibility',
  'markings.classification': 'Classification',
  'markings.tlp': 'TLP',
  'markings.handlingCode': 'Handling code',
  'markings.releasableTo': 'Releasable to',
  'markings.referToOriginator': 'Refer to originator',
  'markings.retainUntil': 'Retain until',
  'provenance.source': 'Source',
  'provenance.recordedBy': 'Recorded by',
  'provenance.recordedAt': 'Recorded at',
  'provenance.originAgency': 'Origin agency',
  originAgency: 'Origin agency',
  deleted: 'Deleted',
  schema: 'Type',
};

/** "leadInvestigator" → "Lead investigator"; "a.bC" → "A › b c". */
function humanize(path: string): string {
  return path
    .split('.')
    .map((part) => part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())
    .join(' › ')
    .replace(/^./, (first) => first.toUpperCase());
}

function propertyLabel(property: string, schemaName?: string): string {
  const label = schemaName ? model.schemata[schemaName]?.getProperties().get(property)?.label : '';
  return label || humanize(property);
}

/** A label for a field path; `schemaName` names an entity's FtM properties by their label. */
export function recordFieldLabel(path: string, schemaName?: string): string {
  const known = FIELD_LABELS[path];
  if (known) return known;
  const dot = path.indexOf('.');
  const top = dot < 0 ? path : path.slice(0, dot);
  const rest = path.slice(dot + 1);
  if (dot > 0 && top === 'properties') return propertyLabel(rest, schemaName);
  if (dot > 0 && top === 'propertyMarkings') {
    const [property = rest, ...inner] = rest.split('.');
    const field = inner.length > 0 ? ` (${recordFieldLabel(`markings.${inner.join('.')}`)})` : '';
    return `Markings of ${propertyLabel(property, schemaName).toLowerCase()}${field}`;
  }
  if (dot > 0 && top === 'nodes') return 'Chart node';
  return humanize(path);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * "2026-12-05" → "5 Dec 2026"; "2026-12-05T11:45:00Z" → "5 Dec 2026, 11:45" in `timeZone`
 * (the machine's own when left out). Partial dates ("2024", "2024-03") and other text stay as
 * they are: they already read well, and a partial date must not gain a day it never had.
 */
export function readableDate(text: string, timeZone?: string): string {
  if (DAY.test(text)) {
    const date = new Date(`${text}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return text;
    return new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(date);
  }
  if (INSTANT.test(text)) {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) return text;
    return new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      ...(timeZone ? { timeZone } : {}),
    }).format(date);
  }
  return text;
}

/**
 * A value as text a person reads: dates readable, yes/no for flags, lists joined, an object as
 * "field: value" pairs with labels; undefined for a missing value.
 */
export function readableValue(value: unknown, timeZone?: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return readableDate(value, timeZone);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return new Intl.NumberFormat('en-GB').format(value);
  if (Array.isArray(value)) {
    return value.map((item) => readableValue(item, timeZone) ?? '—').join('; ');
  }
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .map(([key, inner]) => `${recordFieldLabel(key)}: ${readableValue(inner, timeZone) ?? '—'}`)
      .join(', ');
  }
  // Records hold no other kinds (functions, symbols); a bigint still reads as its digits.
  return typeof value === 'bigint' ? value.toString() : undefined;
}
