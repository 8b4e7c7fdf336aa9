/**
 * The entity table's columns, listed once: what each shows, how it sorts and how it filters. The
 * table model (tableModel.ts), the view state (tableViewState.ts) and the header read this list;
 * nothing else names the columns.
 *
 * Identifiers gather every phone, e-mail, IBAN and identifier-typed value of the entity (passport,
 * id, registration, tax numbers, IMEI…), because an analyst looks for "the number", whatever FtM
 * property holds it.
 */
import type { EntityRecord } from '../../shared/model/index.ts';
import {
  DEFAULT_CLASSIFICATIONS,
  formatGrading,
  model,
  TLP_LEVELS,
} from '../../shared/model/index.ts';

export const COLUMN_IDS = [
  'caption',
  'schema',
  'identifiers',
  'nationality',
  'birthDate',
  'grade',
  'classification',
  'tlp',
  'source',
  'agency',
  'updated',
] as const;

export type ColumnId = (typeof COLUMN_IDS)[number];

/**
 * How a column filters: `text` keeps rows whose value contains the text (case and accents
 * ignored); `pick` keeps rows with one of the chosen values; `date` keeps rows whose date overlaps
 * a range.
 */
export type FilterKind = 'text' | 'pick' | 'date';

export interface ColumnSpec {
  readonly id: ColumnId;
  readonly label: string;
  readonly filter: FilterKind;
  /** Width in CSS pixels until the user drags it. */
  readonly width: number;
  /**
   * Sort order of values that have a natural order (a classification ladder, TLP levels): lower
   * sorts first; values it does not know sort after the known ones, by text.
   */
  readonly order?: (value: string) => number;
}

const ladderIndex =
  (ladder: readonly string[]) =>
  (value: string): number => {
    const index = ladder.indexOf(value);
    return index < 0 ? ladder.length : index;
  };

export const COLUMN_SPECS: Readonly<Record<ColumnId, ColumnSpec>> = {
  caption: { id: 'caption', label: 'Name', filter: 'text', width: 240 },
  schema: { id: 'schema', label: 'Type', filter: 'pick', width: 120 },
  identifiers: { id: 'identifiers', label: 'Identifiers', filter: 'text', width: 200 },
  nationality: { id: 'nationality', label: 'Nationality', filter: 'pick', width: 100 },
  birthDate: { id: 'birthDate', label: 'Birth date', filter: 'date', width: 110 },
  grade: { id: 'grade', label: 'Grade', filter: 'pick', width: 70 },
  classification: {
    id: 'classification',
    label: 'Classification',
    filter: 'pick',
    width: 130,
    order: ladderIndex(DEFAULT_CLASSIFICATIONS),
  },
  tlp: { id: 'tlp', label: 'TLP', filter: 'pick', width: 110, order: ladderIndex(TLP_LEVELS) },
  source: { id: 'source', label: 'Source', filter: 'text', width: 180 },
  agency: { id: 'agency', label: 'Agency', filter: 'pick', width: 110 },
  updated: { id: 'updated', label: 'Updated', filter: 'date', width: 175 },
};

/** The columns a case's table starts with. */
export const DEFAULT_COLUMNS: readonly ColumnId[] = [
  'caption',
  'schema',
  'identifiers',
  'nationality',
  'classification',
  'updated',
];

export function isColumnId(value: unknown): value is ColumnId {
  return typeof value === 'string' && (COLUMN_IDS as readonly string[]).includes(value);
}

/** FtM property types whose values identify an entity. */
const IDENTIFIER_TYPES: ReadonlySet<string> = new Set(['phone', 'email', 'iban', 'identifier']);

/** Per schema: the properties whose values the Identifiers column shows. */
const identifierProperties = new Map<string, readonly string[]>();

function identifierPropertiesOf(schemaName: string): readonly string[] {
  let found = identifierProperties.get(schemaName);
  if (!found) {
    const schema = model.schemata[schemaName];
    found = schema
      ? [...schema.getProperties()]
          .filter(([, property]) => IDENTIFIER_TYPES.has(property.type.name))
          .map(([name]) => name)
      : [];
    identifierProperties.set(schemaName, found);
  }
  return found;
}

/** Values joined for display; the same separator splits pick-list values again. */
export const VALUE_SEPARATOR = ', ';

/** The plain text of one cell (dates as written; `updated` is the record's clock, see tableModel). */
export function cellValue(entity: EntityRecord, column: ColumnId): string {
  switch (column) {
    case 'caption':
      return '';
    case 'schema':
      return model.schemata[entity.schema]?.label ?? entity.schema;
    case 'identifiers':
      return identifierPropertiesOf(entity.schema)
        .flatMap((property) => entity.properties[property] ?? [])
        .join(VALUE_SEPARATOR);
    case 'nationality':
      return (entity.properties.nationality ?? [])
        .map((code) => code.toUpperCase())
        .join(VALUE_SEPARATOR);
    case 'birthDate':
      return entity.properties.birthDate?.[0] ?? '';
    case 'grade':
      return formatGrading(entity.grading);
    case 'classification':
      return entity.markings.classification;
    case 'tlp':
      return entity.markings.tlp;
    case 'source':
      return entity.provenance.source;
    case 'agency':
      return entity.originAgency;
    case 'updated':
      return entity.updatedAt;
  }
}
