/**
 * The shape of a generated case, before any text is put into it: which records exist, who
 * originated them, how they are marked, what refers to what. fast-check generates and shrinks
 * plans; `materialize.ts` turns a plan into a real case file with a unique canary in every field,
 * and `oracle.ts` says, per partner, which canaries must never leave.
 *
 * References between records are plain natural numbers taken modulo the number of entities at
 * materialisation, so that shrinking a list never leaves a dangling index.
 */
import fc from 'fast-check';
import type { Markings } from '../../shared/model/markings.ts';
import { TLP_LEVELS } from '../../shared/model/markings.ts';

/** The agencies of every generated case: we seal, two partners receive, a third originated some. */
export const OWN = 'own-agency';
export const PARTNER_ONE = 'partner-one';
export const PARTNER_TWO = 'partner-two';
export const THIRD = 'third-agency';
export const PARTNERS = [PARTNER_ONE, PARTNER_TWO] as const;
export type PartnerId = (typeof PARTNERS)[number];

/** Node schemata and the properties generated for each (entity references listed separately). */
export const NODE_PROPERTIES = {
  Person: ['name', 'firstName', 'lastName', 'alias', 'birthDate', 'idNumber', 'phone', 'notes'],
  Organization: ['name', 'alias', 'registrationNumber', 'notes'],
  Company: ['name', 'registrationNumber', 'jurisdiction', 'summary'],
  Phone: ['number', 'provider', 'notes'],
  Passport: ['number', 'givenName', 'surname', 'authority', 'summary'],
  Identification: ['number', 'type', 'authority'],
  BankAccount: ['iban', 'accountNumber', 'bankName', 'notes'],
  Vehicle: ['registrationNumber', 'model', 'notes'],
  Address: ['full', 'city', 'street', 'remarks'],
} as const satisfies Record<string, readonly string[]>;
export type NodeSchema = keyof typeof NODE_PROPERTIES;
export const NODE_SCHEMATA = Object.keys(NODE_PROPERTIES) as NodeSchema[];

/** The reference property by which an identifying entity points at whom it identifies. */
export const HOLDER_PROPERTY: Partial<Record<NodeSchema, string>> = {
  Phone: 'owner',
  Passport: 'holder',
  Identification: 'holder',
  Vehicle: 'owner',
};

/** Relationship schemata with their source and target properties and extra properties. */
export const EDGE_SHAPES = {
  Family: { source: 'person', target: 'relative', extra: ['relationship', 'summary'] },
  Ownership: { source: 'owner', target: 'asset', extra: ['percentage', 'description'] },
  Directorship: { source: 'director', target: 'organization', extra: ['role'] },
  Payment: { source: 'payer', target: 'beneficiary', extra: ['amount', 'purpose'] },
  UnknownLink: { source: 'subject', target: 'object', extra: ['role', 'description'] },
  Call: { source: 'caller', target: 'receiver', extra: ['callerNumber', 'duration'] },
} as const;
export type EdgeSchema = keyof typeof EDGE_SHAPES;
export const EDGE_SCHEMATA = Object.keys(EDGE_SHAPES) as EdgeSchema[];

/** Handling codes the generator uses; every one of them withholds (see oracle.ts). */
export const WITHHOLDING_CODES = ['NOFORN', 'ORCON; NOFORN', 'ZZ-UNKNOWN-CODE'] as const;

export interface ItemPlan {
  readonly origin: string;
  readonly markings: Markings;
  readonly deleted: boolean;
}

export interface NodePlan extends ItemPlan {
  readonly schema: NodeSchema;
  /** Property → its own markings, for some properties. */
  readonly propertyMarkings: Readonly<Record<string, Markings>>;
  /** Index of the entity this one identifies (holder / owner), for identifying schemata. */
  readonly holder: number | null;
  /** Entities whose id this entity's free text mentions. */
  readonly mentions: readonly number[];
  /** Entities whose first property value this entity's free text quotes. */
  readonly quotes: readonly number[];
}

export interface EdgePlan extends ItemPlan {
  readonly schema: EdgeSchema;
  readonly source: number;
  readonly target: number;
  readonly propertyMarkings: Readonly<Record<string, Markings>>;
}

export interface AboutPlan extends ItemPlan {
  /** The entity it is about (note, attachment) or its subject (notice). */
  readonly about: number | null;
  readonly mentions: readonly number[];
  readonly quotes: readonly number[];
}

export interface ChartPlan extends ItemPlan {
  readonly nodes: readonly number[];
}

export interface DeltaPlan {
  /** Entity deleted after the first bundle. */
  readonly deleteIndex: number;
  /** Entity whose marking is raised to TLP:RED (with a changed value) after the first bundle. */
  readonly raiseIndex: number;
  /** A new note quoting the raised entity's new value. */
  readonly newNote: boolean;
  /** Seal the delta with field clocks (per-field set and tombstone operations) or without. */
  readonly withMeta: boolean;
}

export interface CasePlan {
  readonly markings: Markings;
  /** Both crime areas: partner two's agreement covers only the first, so the case cannot go to it. */
  readonly wideCrimeAreas: boolean;
  readonly descriptionQuotes: readonly number[];
  readonly nodes: readonly NodePlan[];
  readonly edges: readonly EdgePlan[];
  readonly notes: readonly AboutPlan[];
  readonly attachments: readonly AboutPlan[];
  readonly notices: readonly AboutPlan[];
  readonly charts: readonly ChartPlan[];
  readonly delta: DeltaPlan;
}

const origins = fc.constantFrom(OWN, OWN, OWN, OWN, PARTNER_ONE, PARTNER_TWO, THIRD);

/** Markings that plainly let an item go to both partners. */
const permissive = fc.record({
  classification: fc.constantFrom('UNCLASSIFIED', 'RESTRICTED'),
  tlp: fc.constantFrom('CLEAR', 'GREEN', 'AMBER' as const),
  releasableTo: fc.constant([PARTNER_ONE, PARTNER_TWO]),
  referToOriginator: fc.constant(false),
});

/**
 * Any marking. Refer-to-originator is only put on material we did not originate, and ORCON only
 * on third-agency material: on our own material (or, for ORCON, back to the partner that
 * originated it) they are the originator's own decision, which the rules leave open.
 */
function anyMarkings(origin: string): fc.Arbitrary<Markings> {
  const codes: string[] = [...WITHHOLDING_CODES, ...(origin === THIRD ? ['ORCON'] : [])];
  return fc
    .record({
      classification: fc.constantFrom(
        'UNCLASSIFIED',
        'RESTRICTED',
        'CONFIDENTIAL',
        'SECRET',
        'TOP SECRET',
      ),
      tlp: fc.constantFrom(...TLP_LEVELS),
      releasableTo: fc.subarray([PARTNER_ONE, PARTNER_TWO, THIRD]),
      referToOriginator: origin === OWN ? fc.constant(false) : fc.boolean(),
      handlingCode: fc.option(fc.constantFrom(...codes), { freq: 4, nil: undefined }),
    })
    .map(({ handlingCode, ...rest }) => ({
      ...rest,
      ...(handlingCode === undefined ? {} : { handlingCode }),
    }));
}

function markingsFor(origin: string): fc.Arbitrary<Markings> {
  return fc.oneof(
    { weight: 3, arbitrary: permissive },
    { weight: 2, arbitrary: anyMarkings(origin) },
  );
}

const index = fc.nat({ max: 1000 });
const indices = fc.array(index, { maxLength: 2 });
const deleted = fc.boolean().chain((maybe) => (maybe ? fc.boolean() : fc.constant(false)));

function item<T>(extra: (origin: string) => fc.Arbitrary<T>): fc.Arbitrary<ItemPlan & T> {
  return origins.chain((origin) =>
    fc
      .record({ markings: markingsFor(origin), deleted, extra: extra(origin) })
      .map(({ markings, deleted: gone, extra: rest }) => ({
        origin,
        markings,
        deleted: gone,
        ...rest,
      })),
  );
}

function propertyMarkings(
  properties: readonly string[],
  origin: string,
): fc.Arbitrary<Record<string, Markings>> {
  return fc
    .array(fc.tuple(fc.constantFrom(...properties), anyMarkings(origin)), { maxLength: 2 })
    .map((pairs) => Object.fromEntries(pairs));
}

const nodePlan: fc.Arbitrary<NodePlan> = fc.constantFrom(...NODE_SCHEMATA).chain((schema) =>
  item((origin) =>
    fc.record({
      propertyMarkings: propertyMarkings(NODE_PROPERTIES[schema], origin),
      holder: HOLDER_PROPERTY[schema] ? fc.option(index, { nil: null }) : fc.constant(null),
      mentions: indices,
      quotes: indices,
    }),
  ).map((plan) => ({ ...plan, schema })),
);

const edgePlan: fc.Arbitrary<EdgePlan> = fc.constantFrom(...EDGE_SCHEMATA).chain((schema) => {
  const shape = EDGE_SHAPES[schema];
  return item((origin) =>
    fc.record({
      source: index,
      target: index,
      propertyMarkings: propertyMarkings(
        [shape.source, shape.target, ...shape.extra] as string[],
        origin,
      ),
    }),
  ).map((plan) => ({ ...plan, schema }));
});

const aboutPlan: fc.Arbitrary<AboutPlan> = item(() =>
  fc.record({ about: fc.option(index, { nil: null }), mentions: indices, quotes: indices }),
);

const chartPlan: fc.Arbitrary<ChartPlan> = item(() =>
  fc.record({ nodes: fc.array(index, { maxLength: 5 }) }),
);

/** A whole case. The case record is our own; its markings usually let it go to both partners. */
export const casePlan: fc.Arbitrary<CasePlan> = fc.record({
  markings: fc.oneof(
    { weight: 6, arbitrary: permissive },
    { weight: 1, arbitrary: anyMarkings(OWN) },
  ),
  wideCrimeAreas: fc.boolean().chain((maybe) => (maybe ? fc.boolean() : fc.constant(false))),
  descriptionQuotes: indices,
  nodes: fc.array(nodePlan, { minLength: 1, maxLength: 8 }),
  edges: fc.array(edgePlan, { maxLength: 5 }),
  notes: fc.array(aboutPlan, { maxLength: 3 }),
  attachments: fc.array(aboutPlan, { maxLength: 2 }),
  notices: fc.array(aboutPlan, { maxLength: 2 }),
  charts: fc.array(chartPlan, { maxLength: 2 }),
  delta: fc.record({
    deleteIndex: index,
    raiseIndex: index,
    newNote: fc.boolean(),
    withMeta: fc.boolean(),
  }),
});
