/**
 * Import specifications: the zod schema a saved (or shared, or hand-written) specification is
 * parsed with, the checks against the model that zod cannot make, and the built-in ones usable by
 * name (`tessera import --spec cdr`). Errors say where: "entities[2].properties[0].property:
 * Call has no property "cellId"". The columns the built-ins expect are in docs/import.md, with
 * samples in fixtures/.
 *
 * Properties named "extra:NAME" are not FtM properties: their values are kept verbatim in the
 * record's `external.extra` (exports write them back as properties). The cdr spec keeps the cell
 * id that way, because FtM's Call has no property for it.
 */
import { z } from 'zod';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { getSchema, isKnownSchema } from '../model/index.ts';
import { ImportSpecError } from './errors.ts';
import { compileDatePattern, isTimeZone } from './transforms.ts';
import { IMPORT_SPEC_FORMAT, IMPORT_SPEC_FORMAT_VERSION } from './types.ts';
import type { EntityMapping, ImportSpec } from './types.ts';

/** Property names of this form go to `external.extra`, not to the FtM properties. */
export const EXTRA_PREFIX = 'extra:';

const text = z.string().max(1024);
const name = z.string().min(1).max(128);
const column = z.string().min(1).max(256);

const transformSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('trim') }).strict(),
  z.object({ op: z.literal('upper') }).strict(),
  z.object({ op: z.literal('lower') }).strict(),
  z.object({ op: z.literal('title') }).strict(),
  z.object({ op: z.literal('replace'), find: text, with: text }).strict(),
  z.object({ op: z.literal('split'), separator: z.string().max(16) }).strict(),
  z
    .object({
      op: z.literal('date'),
      pattern: z.string().min(1).max(64),
      timeZone: text.optional(),
    })
    .strict(),
  z.object({ op: z.literal('number'), decimal: z.enum([',', '.']) }).strict(),
  z.object({ op: z.literal('duration') }).strict(),
  z.object({ op: z.literal('phone'), defaultCountry: z.string().length(2).optional() }).strict(),
  z.object({ op: z.literal('iban') }).strict(),
]);

const valueSchema = z.union([
  z.object({ column }).strict(),
  z.object({ columns: z.array(column).min(1).max(32), join: z.string().max(16) }).strict(),
  z.object({ constant: text }).strict(),
  z.object({ entity: name }).strict(),
]);

const identitySchema = z.discriminatedUnion('by', [
  z.object({ by: z.literal('phone') }).strict(),
  z.object({ by: z.literal('iban') }).strict(),
  z.object({ by: z.literal('passport') }).strict(),
  z.object({ by: z.literal('name-and-birth-date') }).strict(),
  z.object({ by: z.literal('property'), property: name }).strict(),
]);

const conditionSchema = z
  .object({
    column,
    op: z.enum(['equals', 'not-equals', 'contains', 'matches', 'empty', 'not-empty']),
    value: text.optional(),
  })
  .strict();

const specSchema = z
  .object({
    format: z.literal(IMPORT_SPEC_FORMAT),
    formatVersion: z.literal(IMPORT_SPEC_FORMAT_VERSION),
    name: name,
    version: z.number().int().min(1).max(1_000_000),
    description: z.string().max(10_000).optional(),
    source: z
      .object({
        kind: z.enum(['delimited', 'xlsx']),
        delimiter: z.enum([',', ';', '\t', '|', 'auto']).optional(),
        encoding: z.string().min(1).max(40).optional(),
        header: z.union([z.boolean(), z.literal('auto')]).optional(),
        skipRows: z.number().int().min(0).max(1000).optional(),
        sheet: text.optional(),
        defaultCountry: z.string().length(2).optional(),
        timeZone: text.optional(),
      })
      .strict(),
    include: z.array(conditionSchema).max(64).optional(),
    exclude: z.array(conditionSchema).max(64).optional(),
    entities: z
      .array(
        z
          .object({
            key: name,
            schema: name,
            properties: z
              .array(
                z
                  .object({
                    property: name,
                    value: valueSchema,
                    transforms: z.array(transformSchema).max(32).optional(),
                    required: z.boolean().optional(),
                  })
                  .strict(),
              )
              .max(256),
            identity: z.array(identitySchema).max(16).optional(),
            optional: z.boolean().optional(),
            when: z.array(conditionSchema).max(16).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(64),
  })
  .strict();

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function fail(path: string, message: string): never {
  throw new ImportSpecError('spec.invalid', `${path}: ${message}`, path);
}

/** What identity rules need of a schema: the property each reads. */
function identityProperty(schema: string, rule: NonNullable<EntityMapping['identity']>[number]) {
  switch (rule.by) {
    case 'phone':
      return schema === 'Phone' ? 'number' : 'phone';
    case 'iban':
      return 'iban';
    case 'passport':
      return getSchema(schema).getProperties().has('passportNumber') ? 'passportNumber' : 'number';
    case 'name-and-birth-date':
      return 'birthDate';
    case 'property':
      return rule.property;
  }
}

/** Mapping keys in an order where every entity comes after the ones it refers to. */
export function mappingOrder(spec: ImportSpec): string[] {
  const byKey = new Map(spec.entities.map((mapping) => [mapping.key, mapping]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string, path: string) => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting')
      fail(path, `entities refer to each other in a circle (${key})`);
    state.set(key, 'visiting');
    byKey.get(key)!.properties.forEach((property) => {
      if ('entity' in property.value) visit(property.value.entity, path);
    });
    state.set(key, 'done');
    order.push(key);
  };
  spec.entities.forEach((mapping, index) => visit(mapping.key, `entities[${index}]`));
  return order;
}

/** The checks against the model and between mappings that the schema cannot make. */
function checkSpec(spec: ImportSpec): void {
  const { source } = spec;
  if (source.timeZone !== undefined && !isTimeZone(source.timeZone))
    fail('source.timeZone', `"${source.timeZone}" is not an IANA time zone (e.g. Europe/Vienna)`);
  if (
    source.defaultCountry !== undefined &&
    !isSupportedCountry(source.defaultCountry.toUpperCase())
  )
    fail('source.defaultCountry', `"${source.defaultCountry}" is not a country code (e.g. AT)`);
  const conditions = [
    ...(spec.include ?? []).map((c, i) => [c, `include[${i}]`] as const),
    ...(spec.exclude ?? []).map((c, i) => [c, `exclude[${i}]`] as const),
    ...spec.entities.flatMap((m, e) =>
      (m.when ?? []).map((c, i) => [c, `entities[${e}].when[${i}]`] as const),
    ),
  ];
  conditions.forEach(([condition, where]) => {
    const needsValue = !['empty', 'not-empty'].includes(condition.op);
    if (needsValue && condition.value === undefined)
      fail(`${where}.value`, `${condition.op} needs a value`);
    if (condition.op === 'matches') {
      try {
        new RegExp(condition.value ?? '', 'iu');
      } catch {
        fail(`${where}.value`, `"${condition.value}" is not a regular expression`);
      }
    }
  });
  const keys = new Map<string, string>();
  spec.entities.forEach((mapping, index) => {
    const where = `entities[${index}]`;
    if (keys.has(mapping.key)) fail(`${where}.key`, `"${mapping.key}" is used twice`);
    keys.set(mapping.key, mapping.schema);
    if (!isKnownSchema(mapping.schema))
      fail(`${where}.schema`, `"${mapping.schema}" is not an entity type of the model`);
  });
  spec.entities.forEach((mapping, index) => {
    const where = `entities[${index}]`;
    const schema = getSchema(mapping.schema);
    const properties = schema.getProperties();
    mapping.properties.forEach((mapped, p) => {
      const at = `${where}.properties[${p}]`;
      const extra = mapped.property.startsWith(EXTRA_PREFIX);
      const property = properties.get(mapped.property);
      if (!extra && !property)
        fail(`${at}.property`, `${schema.label} has no property "${mapped.property}"`);
      if ('entity' in mapped.value) {
        if (!keys.has(mapped.value.entity))
          fail(`${at}.value.entity`, `no entity mapping has the key "${mapped.value.entity}"`);
        if (mapped.value.entity === mapping.key)
          fail(`${at}.value.entity`, 'an entity cannot refer to itself');
        if (!property?.type.isEntity)
          fail(`${at}.property`, `"${mapped.property}" does not refer to an entity`);
      } else if (property?.type.isEntity) {
        fail(
          `${at}.value`,
          `"${mapped.property}" refers to an entity: its value must be { "entity": key }`,
        );
      }
      mapped.transforms?.forEach((transform, t) => {
        const tat = `${at}.transforms[${t}]`;
        if (transform.op === 'date') {
          if (!compileDatePattern(transform.pattern))
            fail(
              `${tat}.pattern`,
              `"${transform.pattern}" needs yyyy, MM and dd (and HH before mm, mm before ss)`,
            );
          if (transform.timeZone !== undefined && !isTimeZone(transform.timeZone))
            fail(`${tat}.timeZone`, `"${transform.timeZone}" is not an IANA time zone`);
        }
        if (
          transform.op === 'phone' &&
          transform.defaultCountry &&
          !isSupportedCountry(transform.defaultCountry.toUpperCase())
        )
          fail(`${tat}.defaultCountry`, `"${transform.defaultCountry}" is not a country code`);
      });
    });
    mapping.identity?.forEach((rule, r) => {
      const property = identityProperty(mapping.schema, rule);
      if (!properties.has(property))
        fail(
          `${where}.identity[${r}]`,
          `${schema.label} has no property "${property}" for this rule`,
        );
      if (rule.by === 'name-and-birth-date' && !properties.has('name'))
        fail(`${where}.identity[${r}]`, `${schema.label} has no name`);
    });
  });
  mappingOrder(spec);
}

/** Parses a specification (already JSON-parsed); throws ImportSpecError with the path at fault. */
export function parseImportSpec(json: unknown): ImportSpec {
  const parsed = specSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = pathText(issue.path);
    throw new ImportSpecError(
      'spec.invalid',
      `${path || '(specification)'}: ${issue.message}`,
      path,
    );
  }
  const spec = parsed.data as ImportSpec;
  checkSpec(spec);
  return spec;
}

/** Parses a specification file's text. */
export function parseImportSpecText(textValue: string): ImportSpec {
  let json: unknown;
  try {
    json = JSON.parse(textValue);
  } catch (error) {
    throw new ImportSpecError(
      'spec.not-json',
      `the specification is not JSON: ${(error as Error).message}`,
    );
  }
  return parseImportSpec(json);
}

const spec = (fields: Omit<ImportSpec, 'format' | 'formatVersion'>): ImportSpec =>
  parseImportSpec({
    format: IMPORT_SPEC_FORMAT,
    formatVersion: IMPORT_SPEC_FORMAT_VERSION,
    ...fields,
  });

const phoneNumber = (columnName: string, required: boolean) => ({
  property: 'number',
  value: { column: columnName },
  transforms: [{ op: 'phone' as const }],
  required,
});

/** The specifications that come with Tessera (columns in docs/import.md). */
export const BUILT_IN_SPECS: Readonly<Record<'cdr' | 'bank' | 'entities', ImportSpec>> = {
  cdr: spec({
    name: 'cdr',
    version: 1,
    description:
      'Call detail records: one call per row between two phones, with start, duration and cell id.',
    source: { kind: 'delimited', header: true, timeZone: 'UTC' },
    entities: [
      {
        key: 'caller',
        schema: 'Phone',
        properties: [phoneNumber('caller', true)],
        identity: [{ by: 'phone' }],
      },
      {
        key: 'callee',
        schema: 'Phone',
        properties: [phoneNumber('callee', true)],
        identity: [{ by: 'phone' }],
      },
      {
        key: 'call',
        schema: 'Call',
        properties: [
          { property: 'caller', value: { entity: 'caller' } },
          { property: 'receiver', value: { entity: 'callee' } },
          { property: 'callerNumber', value: { column: 'caller' }, transforms: [{ op: 'phone' }] },
          {
            property: 'receiverNumber',
            value: { column: 'callee' },
            transforms: [{ op: 'phone' }],
          },
          {
            property: 'startDate',
            value: { column: 'start' },
            transforms: [{ op: 'date', pattern: 'yyyy-MM-dd HH:mm:ss' }],
            required: true,
          },
          { property: 'duration', value: { column: 'duration' }, transforms: [{ op: 'duration' }] },
          {
            property: `${EXTRA_PREFIX}cellId`,
            value: { column: 'cell_id' },
            transforms: [{ op: 'trim' }],
          },
        ],
      },
    ],
  }),
  bank: spec({
    name: 'bank',
    version: 1,
    description:
      'Bank statement lines: a payment from one account to another, with amount (decimal comma), currency, date and purpose.',
    source: { kind: 'delimited', delimiter: ';', header: true, timeZone: 'UTC' },
    entities: [
      {
        key: 'payerAccount',
        schema: 'BankAccount',
        properties: [
          {
            property: 'iban',
            value: { column: 'payer_iban' },
            transforms: [{ op: 'iban' }],
            required: true,
          },
          { property: 'name', value: { column: 'payer_name' }, transforms: [{ op: 'trim' }] },
        ],
        identity: [{ by: 'iban' }],
      },
      {
        key: 'beneficiaryAccount',
        schema: 'BankAccount',
        properties: [
          {
            property: 'iban',
            value: { column: 'beneficiary_iban' },
            transforms: [{ op: 'iban' }],
            required: true,
          },
          { property: 'name', value: { column: 'beneficiary_name' }, transforms: [{ op: 'trim' }] },
        ],
        identity: [{ by: 'iban' }],
      },
      {
        key: 'payment',
        schema: 'Payment',
        properties: [
          { property: 'payer', value: { entity: 'payerAccount' } },
          { property: 'beneficiary', value: { entity: 'beneficiaryAccount' } },
          { property: 'payerAccount', value: { entity: 'payerAccount' } },
          { property: 'beneficiaryAccount', value: { entity: 'beneficiaryAccount' } },
          {
            property: 'amount',
            value: { column: 'amount' },
            transforms: [{ op: 'number', decimal: ',' }],
            required: true,
          },
          {
            property: 'currency',
            value: { column: 'currency' },
            transforms: [{ op: 'trim' }, { op: 'upper' }],
          },
          {
            property: 'date',
            value: { column: 'date' },
            transforms: [{ op: 'date', pattern: 'dd.MM.yyyy' }],
            required: true,
          },
          { property: 'purpose', value: { column: 'purpose' }, transforms: [{ op: 'trim' }] },
        ],
      },
    ],
  }),
  entities: spec({
    name: 'entities',
    version: 1,
    description:
      'A plain list of people and companies: type, name, birth date, nationality, passport, phone, e-mail, registration number.',
    source: { kind: 'delimited', header: true },
    entities: [
      {
        key: 'person',
        schema: 'Person',
        when: [{ column: 'type', op: 'matches', value: '^person$' }],
        properties: [
          {
            property: 'name',
            value: { column: 'name' },
            transforms: [{ op: 'trim' }],
            required: true,
          },
          {
            property: 'birthDate',
            value: { column: 'birth_date' },
            transforms: [{ op: 'date', pattern: 'yyyy-MM-dd' }],
          },
          {
            property: 'nationality',
            value: { column: 'nationality' },
            transforms: [{ op: 'trim' }, { op: 'lower' }],
          },
          {
            property: 'passportNumber',
            value: { column: 'passport' },
            transforms: [{ op: 'trim' }],
          },
          {
            property: 'phone',
            value: { column: 'phone' },
            transforms: [{ op: 'split', separator: ';' }, { op: 'phone' }],
          },
          {
            property: 'email',
            value: { column: 'email' },
            transforms: [{ op: 'trim' }, { op: 'lower' }],
          },
        ],
        identity: [{ by: 'passport' }, { by: 'name-and-birth-date' }, { by: 'phone' }],
      },
      {
        key: 'company',
        schema: 'Company',
        when: [{ column: 'type', op: 'matches', value: '^(company|organi[sz]ation)$' }],
        properties: [
          {
            property: 'name',
            value: { column: 'name' },
            transforms: [{ op: 'trim' }],
            required: true,
          },
          {
            property: 'jurisdiction',
            value: { column: 'nationality' },
            transforms: [{ op: 'trim' }, { op: 'lower' }],
          },
          {
            property: 'registrationNumber',
            value: { column: 'registration_number' },
            transforms: [{ op: 'trim' }],
          },
          {
            property: 'email',
            value: { column: 'email' },
            transforms: [{ op: 'trim' }, { op: 'lower' }],
          },
        ],
        identity: [{ by: 'property', property: 'registrationNumber' }],
      },
    ],
  }),
};

export function specByName(specName: string): ImportSpec | undefined {
  return Object.hasOwn(BUILT_IN_SPECS, specName)
    ? BUILT_IN_SPECS[specName as keyof typeof BUILT_IN_SPECS]
    : undefined;
}
