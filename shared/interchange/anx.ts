/**
 * i2 Analyst's Notebook exchange charts (ANX, XML) ↔ Tessera cases. An ANX chart is
 *
 *   <Chart IdReferenceLinking="false">
 *     <StrengthCollection> <Strength Id Name DotStyle/> … </StrengthCollection>
 *     <AttributeClassCollection> <AttributeClass Id Name Type/> … </AttributeClassCollection>
 *     <EntityTypeCollection> <EntityType Name IconFile/> … </EntityTypeCollection>
 *     <LinkTypeCollection> <LinkType Name/> … </LinkTypeCollection>
 *     <ChartItemCollection>
 *       <ChartItem Label Description DateSet DateTime TimeSet SourceReference SourceType XPosition>
 *         <End X Y> <Entity EntityId Identity> <Icon> <IconStyle Type/> </Icon> </Entity> </End>
 *         <AttributeCollection> <Attribute AttributeClass Value/> … </AttributeCollection>
 *       </ChartItem>
 *       <ChartItem Label> <Link End1Id End2Id> <LinkStyle Type ArrowStyle Strength/> </Link> </ChartItem>
 *     </ChartItemCollection>
 *   </Chart>
 *
 * End1Id/End2Id name an entity's EntityId (its Identity is accepted too); End1Reference and
 * End2Reference name a chart item's Id. The mapping (tables below and in
 * docs/interchange-anx-stix.md):
 *
 * - the entity's type (IconStyle Type, or the type of a box, circle, theme line or event frame)
 *   ↔ an FtM schema by ICON_TYPES; an unknown type becomes a LegalEntity that keeps the type as
 *   the keyword "i2 icon: TYPE", which the export writes back;
 * - Label (else Identity) ↔ the schema's caption property (name, number, full address…);
 *   Description ↔ description; the date and time ↔ `date` where the schema has one, else the
 *   notes line "i2 date: …";
 * - attributes ↔ the property whose name or label matches the attribute class (multi values
 *   joined with "; "), else a notes line "Class: value" (links: a description line);
 * - links: LinkStyle Type ↔ an FtM relationship by LINK_TYPES when the ends fit, else UnknownLink
 *   with the type as its role; ArrowOnTail turns the link round; Strength ↔ `status`;
 * - X/Y of each entity ↔ the positions of the case's chart (the first chart on export).
 *
 * Safety: a document type declaration is refused before parsing, so no declared entity exists
 * and nothing can expand; the parser decodes XML's predefined and numeric character references
 * (and, leniently, HTML's named ones such as &nbsp;, which strict XML would refuse).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CaseFile } from '../caseFile.ts';
import type { ChartNodeView, EntityRecord } from '../model/index.ts';
import {
  captionOf,
  edgeEnds,
  edgeEndRange,
  getSchema,
  isEdgeSchema,
  NODE_SCHEMATA,
  parseDate,
} from '../model/index.ts';
import { assertNotTooLarge, InterchangeError, MAX_INTERCHANGE_TEXT } from './importError.ts';
import type { ImportedEntity } from './importedCase.ts';
import { buildImportedCase, recordIdFrom } from './importedCase.ts';
import type { ImportIssue, ImportOptions, InterchangeFormat, InterchangeImport } from './types.ts';
import { valueBag } from './valueBag.ts';

/** i2 entity types (the standard palette's names and common variants) ↔ FtM schema; first is written. */
export const ICON_TYPES: Readonly<Record<string, readonly string[]>> = {
  Person: [
    'Person',
    'Man',
    'Woman',
    'Person (Faceless)',
    'Suspect',
    'Offender',
    'Victim',
    'Witness',
  ],
  Organization: ['Organisation', 'Organization', 'Group', 'Gang'],
  Company: ['Company', 'Business'],
  Phone: ['Telephone', 'Phone', 'Mobile Phone', 'Mobile', 'Cell Phone', 'SIM Card'],
  Email: ['Email', 'E-mail', 'Email Address', 'E-mail Address'],
  Address: ['Address', 'House', 'Building', 'Location', 'Place', 'Premises'],
  Vehicle: [
    'Vehicle',
    'Car',
    'Motor vehicle',
    'Van',
    'Truck',
    'Lorry',
    'Motorcycle',
    'Bus',
    'Minibus',
  ],
  Vessel: ['Vessel', 'Boat', 'Ship'],
  Airplane: ['Aircraft', 'Airplane', 'Plane'],
  BankAccount: ['Account', 'Bank Account'],
  CryptoWallet: ['Crypto Wallet', 'Bitcoin Wallet'],
  Event: ['Event', 'Meeting', 'Incident'],
  Document: ['Document'],
};

/** i2 link types ↔ FtM relationship; first is written. Used only when the ends fit the relationship. */
export const LINK_TYPES: Readonly<Record<string, readonly string[]>> = {
  Ownership: ['Ownership', 'Owns', 'Owner'],
  Directorship: ['Directorship', 'Director'],
  Family: ['Family', 'Relative'],
  Associate: ['Associate', 'Associates', 'Known associate'],
  Membership: ['Membership', 'Member'],
  Employment: ['Employment', 'Employee', 'Works for'],
  Payment: ['Payment', 'Transaction', 'Transfer'],
  Call: ['Call', 'Telephone Call', 'Phone Call'],
};

const FALLBACK_SCHEMA = 'LegalEntity';
const ICON_KEYWORD = 'i2 icon: ';
const DATE_NOTE = 'i2 date: ';
const STRENGTHS = ['Confirmed', 'Unconfirmed', 'Tentative'] as const;

const normalise = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

function lookup(table: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [schema, names] of Object.entries(table)) {
    for (const name of names) map.set(normalise(name), schema);
  }
  return map;
}
/**
 * Besides the table, an entity type named like a Tessera node type (its name or label, as the
 * export writes types the table lacks) reads as that type, unless the type needs a reference to
 * another entity to stand (a Passport needs its holder, which an i2 entity cannot carry).
 */
const SCHEMA_OF_ICON = (() => {
  const map = lookup(ICON_TYPES);
  for (const name of NODE_SCHEMATA) {
    const schema = getSchema(name);
    const needsReference = schema.required.some(
      (property) => schema.getProperty(property).type.isEntity,
    );
    if (needsReference) continue;
    for (const text of [name, schema.label])
      if (!map.has(normalise(text))) map.set(normalise(text), name);
  }
  return map;
})();
const SCHEMA_OF_LINK = lookup(LINK_TYPES);

// ---------------------------------------------------------------------------------------------
// Reading the XML

type XmlNode = { readonly [key: string]: unknown };

/** Elements that may repeat; everything else is read as one. */
const REPEATED = new Set([
  'ChartItem',
  'Attribute',
  'AttributeClass',
  'EntityType',
  'LinkType',
  'Strength',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => REPEATED.has(name),
  // No callback reads element paths; building them costs a large chart a good part of its parse.
  jPath: false,
  // Numeric character references (&#10;) are XML; the DOCTYPE is refused before parsing, so no
  // declared entity can exist and the expansion limits only need to allow a whole chart's text.
  htmlEntities: true,
  processEntities: { maxExpandedLength: MAX_INTERCHANGE_TEXT },
});

const isNode = (value: unknown): value is XmlNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const value = node?.[name];
  const item: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  return isNode(item) ? item : undefined;
}

function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return (Array.isArray(value) ? (value as unknown[]) : [value]).filter(isNode);
}

function parseChart(text: string): XmlNode {
  assertNotTooLarge(text);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new InterchangeError(
      'anx.doctype',
      'the chart declares a document type; ANX never needs one, and it is refused for safety',
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new InterchangeError(
      'anx.not-xml',
      `not an ANX chart: the XML is not well-formed (line ${valid.err.line}: ${valid.err.msg})`,
    );
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    throw new InterchangeError(
      'anx.not-xml',
      `not an ANX chart: ${error instanceof Error ? error.message : 'unreadable XML'}`,
    );
  }
  // An empty <Chart/> (or one holding only text) parses to a string: a chart without items.
  const root = isNode(document) ? document.Chart : undefined;
  const chart =
    typeof root === 'string' ? {} : isNode(document) ? child(document, 'Chart') : undefined;
  if (!chart) {
    throw new InterchangeError('anx.not-a-chart', 'not an ANX chart: no <Chart> element');
  }
  return chart;
}

// ---------------------------------------------------------------------------------------------
// Import

/** The entity's type, whatever its representation (icon, box, circle, theme line, event frame). */
function entityType(entity: XmlNode): string | undefined {
  for (const [key, value] of Object.entries(entity)) {
    if (key.startsWith('@') || !isNode(value)) continue;
    for (const [styleKey, style] of Object.entries(value)) {
      if (styleKey.endsWith('Style') && isNode(style)) {
        const type = attr(style, 'Type');
        if (type) return type;
      }
    }
  }
  return undefined;
}

/**
 * A schema's properties, looked up once: FtM builds the map (inherited properties included) anew
 * on every call, which a chart of thousands of items would pay for each attribute.
 */
const propertiesOf = (() => {
  const cache = new Map<string, ReturnType<ReturnType<typeof getSchema>['getProperties']>>();
  return (schemaName: string) => {
    let properties = cache.get(schemaName);
    if (!properties) {
      properties = getSchema(schemaName).getProperties();
      cache.set(schemaName, properties);
    }
    return properties;
  };
})();

/** The property an attribute class names (by name or label, case and spaces aside). */
function propertyFor(schemaName: string, attributeClass: string): string | undefined {
  const wanted = normalise(attributeClass).replace(/ /g, '');
  for (const property of propertiesOf(schemaName).values()) {
    if (property.type.isEntity || property.stub || property.hidden) continue;
    if (
      normalise(property.name) === wanted ||
      normalise(property.label).replace(/ /g, '') === wanted
    ) {
      return property.name;
    }
  }
  return undefined;
}

/** The property a chart item's label goes to: the schema's first caption property. */
function labelProperty(schemaName: string): string {
  return getSchema(schemaName).caption.find((name) => propertiesOf(schemaName).has(name)) ?? 'name';
}

function hasProperty(schemaName: string, name: string): boolean {
  return propertiesOf(schemaName).has(name);
}

/** "2026-02-14T09:30:00.000" with DateSet/TimeSet → an FtM date ("2026-02-14" or with the time). */
function itemDate(item: XmlNode): string | undefined {
  if (attr(item, 'DateSet') !== 'true') return undefined;
  const dateTime = attr(item, 'DateTime')?.trim() ?? '';
  const value = attr(item, 'TimeSet') === 'true' ? dateTime.slice(0, 19) : dateTime.slice(0, 10);
  return parseDate(value) ? value : undefined;
}

interface ItemContext {
  readonly classNames: ReadonlyMap<string, string>;
  readonly issues: ImportIssue[];
  readonly reported: Set<string>;
}

/** The item's attributes as properties of `schema`; the rest as "Class: value" lines. */
function readAttributes(
  item: XmlNode,
  schema: string,
  where: string,
  context: ItemContext,
): { properties: Record<string, string[]>; lines: string[] } {
  const properties = valueBag();
  const lines: string[] = [];
  for (const attribute of children(child(item, 'AttributeCollection'), 'Attribute')) {
    const className =
      attr(attribute, 'AttributeClass') ??
      context.classNames.get(attr(attribute, 'AttributeClassReference') ?? '') ??
      'Attribute';
    const value = attr(attribute, 'Value') ?? '';
    const property = propertyFor(schema, className);
    if (property) {
      (properties[property] ??= []).push(...value.split('; '));
      continue;
    }
    lines.push(`${className}: ${value}`);
    if (!context.reported.has(`${schema}/${className}`)) {
      context.reported.add(`${schema}/${className}`);
      context.issues.push({
        code: 'anx.attribute-kept-as-text',
        message: `${getSchema(schema).label} has no property for the attribute "${className}"; it was kept as a line of text`,
        where,
      });
    }
  }
  return { properties, lines };
}

function sourceOf(item: XmlNode): string | undefined {
  const reference = attr(item, 'SourceReference')?.trim();
  const type = attr(item, 'SourceType')?.trim();
  if (!reference && !type) return undefined;
  return `i2 chart item source: ${[reference, type && `(${type})`].filter(Boolean).join(' ')}`;
}

function readNumber(value: string | undefined): number | undefined {
  const number = value === undefined ? NaN : Number(value);
  return Number.isFinite(number) ? number : undefined;
}

export function importAnx(text: string, options: ImportOptions): InterchangeImport {
  const chart = parseChart(text);
  const issues: ImportIssue[] = [];
  const context: ItemContext = {
    classNames: new Map(
      children(child(chart, 'AttributeClassCollection'), 'AttributeClass').flatMap((node) => {
        const id = attr(node, 'Id');
        const name = attr(node, 'Name');
        return id && name ? [[id, name] as const] : [];
      }),
    ),
    issues,
    reported: new Set(),
  };
  const items = [
    ...children(child(chart, 'ChartItemCollection'), 'ChartItem'),
    ...children(chart, 'ChartItem'),
  ];
  const taken = new Set<string>();
  const byEntityId = new Map<string, string>();
  const byIdentity = new Map<string, string>();
  const byItemId = new Map<string, string>();
  const schemaOf = new Map<string, string>();
  const entities: ImportedEntity[] = [];
  const nodes: Record<string, ChartNodeView> = {};

  items.forEach((item, index) => {
    const end = child(item, 'End');
    const entity = child(end, 'Entity');
    if (!entity) return;
    const entityId = attr(entity, 'EntityId');
    const identity = attr(entity, 'Identity')?.trim() ?? '';
    const id = recordIdFrom('anx-', entityId ?? identity ?? String(index + 1), taken);
    const where = `ChartItem ${index + 1} (EntityId ${entityId ?? '?'})`;
    const type = entityType(entity) ?? '';
    const known = SCHEMA_OF_ICON.get(normalise(type));
    const schema = known ?? FALLBACK_SCHEMA;
    if (!known) {
      issues.push({
        code: 'anx.unknown-icon-type',
        message: `the entity type "${type}" has no FtM equivalent; imported as ${getSchema(schema).label}, keeping the type`,
        where,
      });
    }
    const label = attr(item, 'Label')?.trim() || identity;
    const { properties, lines } = readAttributes(item, schema, where, context);
    const date = itemDate(item);
    const dateInProperty = date !== undefined && hasProperty(schema, 'date');
    entities.push({
      id,
      schema,
      properties: {
        ...properties,
        [labelProperty(schema)]: [label, ...(properties[labelProperty(schema)] ?? [])],
        description: [attr(item, 'Description') ?? '', ...(properties.description ?? [])],
        ...(dateInProperty ? { date: [date] } : {}),
        keywords: [...(known ? [] : [`${ICON_KEYWORD}${type}`]), ...(properties.keywords ?? [])],
        notes: [
          ...(date !== undefined && !dateInProperty ? [`${DATE_NOTE}${date}`] : []),
          ...lines,
          ...(properties.notes ?? []),
        ],
      },
      ...(sourceOf(item) ? { source: sourceOf(item) } : {}),
      where,
    });
    schemaOf.set(id, schema);
    if (entityId !== undefined) byEntityId.set(entityId, id);
    if (identity) byIdentity.set(identity, id);
    const itemId = attr(item, 'Id');
    if (itemId !== undefined) byItemId.set(itemId, id);
    const x = readNumber(attr(end, 'X') ?? attr(item, 'XPosition'));
    const y = readNumber(attr(end, 'Y'));
    if (x !== undefined && y !== undefined) nodes[id] = { x, y };
  });

  items.forEach((item, index) => {
    const link = child(item, 'Link');
    if (!link) return;
    const where = `ChartItem ${index + 1} (link)`;
    const end = (n: 1 | 2) => {
      const reference = attr(link, `End${n}Reference`);
      if (reference !== undefined) return byItemId.get(reference);
      const endId = attr(link, `End${n}Id`) ?? '';
      return byEntityId.get(endId) ?? byIdentity.get(endId.trim());
    };
    let source = end(1);
    let target = end(2);
    if (source === undefined || target === undefined) {
      issues.push({
        code: 'anx.link-end-missing',
        message: 'the link does not end at an entity of the chart; it was not imported',
        where,
      });
      return;
    }
    const style = child(link, 'LinkStyle');
    if (attr(style, 'ArrowStyle') === 'ArrowOnTail') [source, target] = [target, source];
    const type = attr(style, 'Type')?.trim() || 'Link';
    const named = SCHEMA_OF_LINK.get(normalise(type));
    const fits =
      named !== undefined &&
      getSchema(schemaOf.get(source)!).isA(edgeEndRange(named, 'source')) &&
      getSchema(schemaOf.get(target)!).isA(edgeEndRange(named, 'target'));
    const schema = fits ? named : 'UnknownLink';
    const edge = getSchema(schema).edge!;
    const { properties, lines } = readAttributes(item, schema, where, context);
    const strength = attr(style, 'Strength');
    const date = itemDate(item);
    entities.push({
      id: recordIdFrom('anx-link-', attr(item, 'Id') ?? String(index + 1), taken),
      schema,
      properties: {
        ...properties,
        [edge.source]: [source],
        [edge.target]: [target],
        ...(schema === 'UnknownLink' ? { role: [type] } : {}),
        summary: [attr(item, 'Label') ?? ''],
        description: [attr(item, 'Description') ?? '', ...lines],
        ...(date !== undefined && hasProperty(schema, 'date') ? { date: [date] } : {}),
        ...(strength && hasProperty(schema, 'status') ? { status: [strength] } : {}),
      },
      ...(sourceOf(item) ? { source: sourceOf(item) } : {}),
      where,
    });
  });

  const file = buildImportedCase(
    {
      format: 'anx',
      sourceLabel: "i2 Analyst's Notebook chart (ANX)",
      entities,
      chart: { name: options.caseTitle || 'i2 chart', nodes },
    },
    options,
    issues,
  );
  return { file, issues };
}

// ---------------------------------------------------------------------------------------------
// Export

/** XML attribute text: escaped, line breaks as character references, XML-invalid characters dropped. */
function xmlAttribute(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- XML 1.0 has no place for these characters.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  );
}

function element(
  name: string,
  attributes: Record<string, string | number | undefined>,
  body?: string[],
): string {
  const text = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`)
    .join('');
  return body === undefined || body.length === 0
    ? `<${name}${text}/>`
    : `<${name}${text}>\n${body.map((line) => `  ${line.replace(/\n/g, '\n  ')}`).join('\n')}\n</${name}>`;
}

/** DateSet/DateTime/TimeSet of a chart item for an FtM date. */
function dateAttributes(value: string | undefined): Record<string, string> {
  const date = value === undefined ? undefined : parseDate(value);
  if (!date) return { DateSet: 'false', TimeSet: 'false' };
  const hasTime = !['year', 'month', 'day'].includes(date.precision);
  // A date without a time names a day (a year or month: its first day); a time is written as
  // given, without its zone, as i2 shows chart times in one zone.
  const written = hasTime
    ? `${value!
        .trim()
        .replace(' ', 'T')
        .replace(/(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/, '')
        .padEnd(19, ':00')
        .slice(0, 19)}.000`
    : `${new Date(date.start).toISOString().slice(0, 10)}T00:00:00.000`;
  return { DateSet: 'true', DateTime: written, TimeSet: hasTime ? 'true' : 'false' };
}

const first = (entity: EntityRecord, name: string) => entity.properties[name]?.[0];

/** Properties written as attributes: all but those the item's own fields already carry. */
function attributeProperties(entity: EntityRecord, used: ReadonlySet<string>): [string, string][] {
  return Object.entries(entity.properties).flatMap(([name, values]) => {
    const property = propertiesOf(entity.schema).get(name);
    if (!property || property.type.isEntity || used.has(name)) return [];
    const kept =
      name === 'notes'
        ? values.filter((line) => !line.startsWith(DATE_NOTE))
        : name === 'keywords'
          ? values.filter((word) => !word.startsWith(ICON_KEYWORD))
          : values;
    return kept.length > 0 ? [[property.label, kept.join('; ')] as [string, string]] : [];
  });
}

export function exportAnx(file: CaseFile): string {
  const live = file.entities.filter((entity) => !entity.deleted);
  const nodes = live.filter((entity) => !isEdgeSchema(entity.schema));
  const chart = file.charts.find((candidate) => !candidate.deleted);
  const placed = nodes.filter((entity) => chart?.nodes[entity.id]);
  const bottom = Math.max(0, ...placed.map((entity) => chart!.nodes[entity.id]!.y));
  const unplaced = new Map(
    nodes.filter((entity) => !chart?.nodes[entity.id]).map((entity, index) => [entity.id, index]),
  );
  const position = (entity: EntityRecord) => {
    const view = chart?.nodes[entity.id];
    if (view) return { x: Math.round(view.x), y: Math.round(view.y) };
    // Entities not on the chart go in rows below it, ten to a row.
    const index = unplaced.get(entity.id) ?? 0;
    return { x: (index % 10) * 120, y: Math.round(bottom) + 160 + Math.floor(index / 10) * 120 };
  };

  const attributeClasses = new Map<string, string>();
  const entityTypes = new Set<string>();
  const linkTypes = new Set<string>();
  const entityIds = new Map<string, number>();
  const attributesOf = (entity: EntityRecord, used: ReadonlySet<string>) => {
    const attributes = attributeProperties(entity, used).map(([className, value]) => {
      if (!attributeClasses.has(className))
        attributeClasses.set(className, `AC${attributeClasses.size + 1}`);
      return element('Attribute', {
        AttributeClass: className,
        AttributeClassReference: attributeClasses.get(className),
        Value: value,
      });
    });
    return attributes.length > 0 ? [element('AttributeCollection', {}, attributes)] : [];
  };

  const items: string[] = [];
  for (const entity of nodes) {
    const entityId = entityIds.size + 1;
    entityIds.set(entity.id, entityId);
    const type =
      entity.properties.keywords
        ?.find((word) => word.startsWith(ICON_KEYWORD))
        ?.slice(ICON_KEYWORD.length) ??
      ICON_TYPES[entity.schema]?.[0] ??
      getSchema(entity.schema).label;
    entityTypes.add(type);
    const { x, y } = position(entity);
    const labelName = labelProperty(entity.schema);
    const date =
      first(entity, 'date') ??
      entity.properties.notes?.find((line) => line.startsWith(DATE_NOTE))?.slice(DATE_NOTE.length);
    const label = first(entity, labelName) ?? captionOf(entity.schema, entity.properties);
    const used = new Set([labelName, 'description', 'date']);
    items.push(
      element(
        'ChartItem',
        {
          Label: label,
          Description: first(entity, 'description') ?? '',
          ...dateAttributes(date),
          XPosition: x,
        },
        [
          element('End', { X: x, Y: y, Z: 0 }, [
            element(
              'Entity',
              { EntityId: entityId, Identity: entity.id, LabelIsIdentity: 'false' },
              [element('Icon', {}, [element('IconStyle', { Type: type })])],
            ),
          ]),
          ...attributesOf(
            {
              ...entity,
              // The label's other values (a second name…) travel as an attribute.
              properties: {
                ...entity.properties,
                [labelName]: entity.properties[labelName]?.slice(1) ?? [],
              },
            },
            new Set([...used].filter((name) => name !== labelName)),
          ),
        ],
      ),
    );
  }
  for (const entity of live) {
    if (!isEdgeSchema(entity.schema)) continue;
    const ends = edgeEnds(entity.schema, entity.properties);
    const end1 = ends && entityIds.get(ends.source);
    const end2 = ends && entityIds.get(ends.target);
    if (end1 === undefined || end2 === undefined) continue;
    const schema = getSchema(entity.schema);
    const type =
      entity.schema === 'UnknownLink'
        ? first(entity, 'role') || 'Link'
        : (LINK_TYPES[entity.schema]?.[0] ?? schema.label);
    linkTypes.add(type);
    const status = first(entity, 'status');
    const used = new Set([
      schema.edge!.source,
      schema.edge!.target,
      'summary',
      'description',
      'date',
      'role',
      'status',
    ]);
    items.push(
      element(
        'ChartItem',
        {
          Label: first(entity, 'summary') ?? '',
          Description: first(entity, 'description') ?? '',
          ...dateAttributes(first(entity, 'date') ?? first(entity, 'startDate')),
        },
        [
          element('Link', { End1Id: end1, End2Id: end2 }, [
            element('LinkStyle', {
              Type: type,
              ArrowStyle: schema.edge!.directed ? 'ArrowOnHead' : 'ArrowNone',
              Strength: (STRENGTHS as readonly string[]).includes(status ?? '')
                ? status
                : 'Confirmed',
            }),
          ]),
          ...attributesOf(entity, used),
        ],
      ),
    );
  }

  const body = [
    element(
      'StrengthCollection',
      {},
      STRENGTHS.map((name, index) =>
        element('Strength', {
          Id: name,
          Name: name,
          DotStyle: ['DotStyleSolid', 'DotStyleDashed', 'DotStyleDotted'][index],
        }),
      ),
    ),
    element(
      'AttributeClassCollection',
      {},
      [...attributeClasses].map(([name, id]) =>
        element('AttributeClass', { Id: id, Name: name, Type: 'AttText', ShowValue: 'true' }),
      ),
    ),
    element(
      'EntityTypeCollection',
      {},
      [...entityTypes].map((name) =>
        element('EntityType', {
          Name: name,
          IconFile: name,
          PreferredRepresentation: 'RepresentAsIcon',
        }),
      ),
    ),
    element(
      'LinkTypeCollection',
      {},
      [...linkTypes].map((name) => element('LinkType', { Name: name, Colour: 0 })),
    ),
    element('ChartItemCollection', {}, items),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(
    'Chart',
    { IdReferenceLinking: 'false', Rigorous: 'true' },
    body,
  )}\n`;
}

function sniffAnx(text: string): boolean {
  const head = text.slice(0, 4096);
  return (
    /<(?:\w+:)?Chart[\s>/]/.test(head) && /<(?:\w+:)?ChartItem[\s>/]/.test(text.slice(0, 1 << 20))
  );
}

export const anxFormat: InterchangeFormat = {
  id: 'anx',
  label: "i2 Analyst's Notebook chart (ANX)",
  extensions: ['.anx', '.xml'],
  sniff: sniffAnx,
  importText: importAnx,
  exportText: exportAnx,
};
