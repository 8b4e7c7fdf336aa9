/**
 * Sharing agreements: what one partner agency may receive from us, under which legal basis, for how
 * long. The release policy (policy.ts) reads them; the partner directory stores one per partner.
 *
 * Data categories group FollowTheMoney schemata into the classes that memoranda of understanding and
 * data-protection rules speak of ("personal data", "financial data", "biometric data", …). The
 * mapping is one table, SCHEMA_CATEGORIES; a schema not in it takes the category of its nearest
 * listed ancestor in FALLBACK_ANCESTORS, and a schema with neither has no category and never goes.
 */
import { z } from 'zod';
import type { RecordKind } from '../model/records.ts';
import { RECORD_KINDS } from '../model/recordKinds.ts';
import { model } from '../model/schema.ts';

export const DATA_CATEGORIES = [
  'persons',
  'organisations',
  'communications',
  'financial',
  'vehicles',
  'documents',
  'biometrics',
  'locations',
  'events',
  'property',
  'attachments',
  'notes',
  'notices',
  'charts',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const DATA_CATEGORY_LABELS: Readonly<Record<DataCategory, string>> = {
  persons: 'Persons and links between them',
  organisations: 'Organisations, companies and roles in them',
  communications: 'Phones, e-mail, messages and calls',
  financial: 'Accounts, wallets, payments and assets',
  vehicles: 'Vehicles, vessels and aircraft',
  documents: 'Documents and identity papers',
  biometrics: 'Biometric records (fingerprints, DNA)',
  locations: 'Addresses and places',
  events: 'Events and trips',
  property: 'Stolen property',
  attachments: 'Attached files',
  notes: 'Investigator notes',
  notices: 'Notices and alerts',
  charts: 'Saved link charts',
};

/** FtM schema → data category. Relationships take the category of what they tell about. */
export const SCHEMA_CATEGORIES: Readonly<Record<string, DataCategory>> = {
  Person: 'persons',
  Associate: 'persons',
  Family: 'persons',
  UnknownLink: 'persons',
  Organization: 'organisations',
  Company: 'organisations',
  PublicBody: 'organisations',
  LegalEntity: 'organisations',
  Directorship: 'organisations',
  Membership: 'organisations',
  Employment: 'organisations',
  Representation: 'organisations',
  Succession: 'organisations',
  Phone: 'communications',
  Email: 'communications',
  Message: 'communications',
  UserAccount: 'communications',
  Call: 'communications',
  BankAccount: 'financial',
  CryptoWallet: 'financial',
  Payment: 'financial',
  Ownership: 'financial',
  Debt: 'financial',
  Security: 'financial',
  RealEstate: 'financial',
  Asset: 'financial',
  Vehicle: 'vehicles',
  Vessel: 'vehicles',
  Airplane: 'vehicles',
  Document: 'documents',
  Passport: 'documents',
  Identification: 'documents',
  BiometricRecord: 'biometrics',
  Address: 'locations',
  Occupancy: 'locations',
  Event: 'events',
  Trip: 'events',
  StolenProperty: 'property',
};

/** Ancestors consulted, in this order, for schemata missing from SCHEMA_CATEGORIES. */
const FALLBACK_ANCESTORS = [
  'Vehicle',
  'Organization',
  'Document',
  'Identification',
  'Event',
  'Asset',
] as const;

/** The data category of an entity schema, or undefined when it has none (such entities never go). */
export function categoryOfSchema(schemaName: string): DataCategory | undefined {
  const direct = SCHEMA_CATEGORIES[schemaName];
  if (direct) return direct;
  const schema = model.schemata[schemaName];
  if (!schema) return undefined;
  const ancestors = new Set(schema.getParents().map((parent) => parent.name));
  for (const name of FALLBACK_ANCESTORS) {
    if (ancestors.has(name)) return SCHEMA_CATEGORIES[name];
  }
  return undefined;
}

/**
 * The category of any case item, as the registry of record kinds names it (`release.category`);
 * the case record itself has none (it is the container).
 */
export function categoryOf(record: {
  readonly kind: RecordKind;
  readonly schema?: string;
}): DataCategory | undefined {
  const category: KindCategory = RECORD_KINDS[record.kind].release.category;
  if (category === 'none') return undefined;
  if (category === 'schema') {
    return record.schema === undefined ? undefined : categoryOfSchema(record.schema);
  }
  return category;
}

/** The categories the registry names; the assignment above fails to compile unless each is one. */
type KindCategory = 'none' | 'schema' | DataCategory;

const agencyId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid agency id');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/, 'expected an ISO date');

export const sharingAgreementSchema = z
  .object({
    /** The partner agency this agreement lets us share with. */
    partnerAgencyId: agencyId,
    /** Legal basis or MOU reference, e.g. "Art. 3 Prüm Decision" or "MOU NCA-BKA 2023/4". */
    legalBasis: z.string().min(1).max(500),
    /** Crime areas the agreement covers; compared without regard to case or surrounding spaces. */
    crimeAreas: z.array(z.string().min(1).max(200)).max(100),
    /** Highest classification that may go to the partner, a rung of the agency's ladder. */
    highestClassification: z.string().min(1).max(64),
    categories: z.array(z.enum(DATA_CATEGORIES)).max(DATA_CATEGORIES.length),
    /** How long the partner may keep what it receives. */
    retentionDays: z
      .number()
      .int()
      .positive()
      .max(365 * 100),
    /**
     * True when the partner is an agency of our own country. Absent or false: the partner is
     * foreign, and material marked NOFORN never goes to it (policy.ts rule M7).
     */
    domestic: z.boolean().optional(),
    validFrom: isoDate,
    /** Absent: open-ended. */
    validTo: isoDate.optional(),
    note: z.string().max(2000).optional(),
  })
  .refine(
    (agreement) => agreement.validTo === undefined || agreement.validTo >= agreement.validFrom,
    {
      message: 'validTo is before validFrom',
      path: ['validTo'],
    },
  );
export type SharingAgreement = z.infer<typeof sharingAgreementSchema>;

/** Parses an agreement from outside (a settings file, the partner directory); throws naming issues. */
export function parseSharingAgreement(input: unknown): SharingAgreement {
  const result = sharingAgreementSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(agreement)'}: ${issue.message}`);
    throw new Error(`not a valid sharing agreement: ${issues.join('; ')}`);
  }
  return result.data;
}

export function normaliseCrimeArea(area: string): string {
  return area.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Whether the agreement is in force at `nowIso` (dates compare by their day). */
export function isAgreementInForce(agreement: SharingAgreement, nowIso: string): boolean {
  const today = nowIso.slice(0, 10);
  if (today < agreement.validFrom.slice(0, 10)) return false;
  return agreement.validTo === undefined || today <= agreement.validTo.slice(0, 10);
}

/** The date (ISO day) until which material received on `receivedOnIso` may be kept. */
export function retentionEnd(agreement: SharingAgreement, receivedOnIso: string): string {
  const start = Date.parse(receivedOnIso.slice(0, 10));
  if (Number.isNaN(start)) throw new Error(`not a date: ${receivedOnIso}`);
  return new Date(start + agreement.retentionDays * 86_400_000).toISOString().slice(0, 10);
}
