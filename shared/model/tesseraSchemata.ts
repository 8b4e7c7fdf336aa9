/**
 * Tessera's additions to the FollowTheMoney model, written in FtM's own schema format so the same
 * code handles them. They cover what investigators record and FtM has no schema for. On export to
 * Aleph they travel under their own names; FtM tools that do not know them keep them as opaque data.
 */
import type { IModelDatum } from '@alephdata/followthemoney';

type SchemaDatum = IModelDatum['schemata'][string];
type PropertyDatum = SchemaDatum['properties'][string];

function prop(
  schema: string,
  name: string,
  label: string,
  type: string,
  extra: Partial<PropertyDatum> = {},
): PropertyDatum {
  return { name, qname: `${schema}:${name}`, label, type, maxLength: 1024, ...extra };
}

const phone: SchemaDatum = {
  label: 'Phone',
  plural: 'Phones',
  description: 'A phone line or handset seen in the investigation (Tessera extension).',
  extends: ['Thing'],
  schemata: ['Phone', 'Thing'],
  matchable: true,
  required: ['number'],
  caption: ['number', 'name'],
  featured: ['number', 'owner', 'provider', 'imei'],
  properties: {
    number: prop('Phone', 'number', 'Number', 'phone', { matchable: true, maxLength: 32 }),
    imei: prop('Phone', 'imei', 'IMEI', 'identifier', { matchable: true, maxLength: 32 }),
    imsi: prop('Phone', 'imsi', 'IMSI', 'identifier', { matchable: true, maxLength: 32 }),
    provider: prop('Phone', 'provider', 'Provider', 'string'),
    owner: prop('Phone', 'owner', 'Owner', 'entity', { range: 'LegalEntity' }),
  },
};

const stolenProperty: SchemaDatum = {
  label: 'Stolen property',
  plural: 'Stolen property',
  description:
    'An item reported stolen: artwork, firearm, vehicle part, document (Tessera extension).',
  extends: ['Thing'],
  schemata: ['StolenProperty', 'Thing'],
  matchable: true,
  required: ['name'],
  caption: ['name', 'serialNumber'],
  featured: ['name', 'serialNumber', 'stolenStatus', 'reportReference'],
  properties: {
    itemType: prop('StolenProperty', 'itemType', 'Item type', 'string'),
    serialNumber: prop(
      'StolenProperty',
      'serialNumber',
      'Serial number / identifier',
      'identifier',
      {
        matchable: true,
        maxLength: 64,
      },
    ),
    stolenStatus: prop('StolenProperty', 'stolenStatus', 'Status', 'string', { maxLength: 64 }),
    reportReference: prop(
      'StolenProperty',
      'reportReference',
      'Theft report reference',
      'identifier',
    ),
    stolenDate: prop('StolenProperty', 'stolenDate', 'Date stolen', 'date', { maxLength: 32 }),
    owner: prop('StolenProperty', 'owner', 'Rightful owner', 'entity', { range: 'LegalEntity' }),
  },
};

const biometricRecord: SchemaDatum = {
  label: 'Biometric record',
  plural: 'Biometric records',
  description:
    'A reference to a fingerprint or DNA record held by a forensic service; the file is attached, ' +
    'stored and shared, never matched by Tessera (Tessera extension).',
  extends: ['Thing'],
  schemata: ['BiometricRecord', 'Thing'],
  required: ['recordReference', 'biometricType'],
  caption: ['recordReference', 'biometricType'],
  featured: ['biometricType', 'recordReference', 'subject', 'holdingAgency'],
  properties: {
    biometricType: prop('BiometricRecord', 'biometricType', 'Type (fingerprint, DNA)', 'string', {
      maxLength: 32,
    }),
    recordReference: prop('BiometricRecord', 'recordReference', 'Record reference', 'identifier', {
      matchable: true,
    }),
    holdingAgency: prop('BiometricRecord', 'holdingAgency', 'Holding agency', 'string'),
    collectedDate: prop('BiometricRecord', 'collectedDate', 'Date collected', 'date', {
      maxLength: 32,
    }),
    subject: prop('BiometricRecord', 'subject', 'Subject', 'entity', { range: 'Person' }),
  },
};

export const TESSERA_SCHEMATA: Readonly<Record<string, SchemaDatum>> = {
  Phone: phone,
  StolenProperty: stolenProperty,
  BiometricRecord: biometricRecord,
};

/**
 * FtM 3.8 does not mark Call as an edge; investigators chart calls as links between the parties,
 * so Tessera adds the edge specification (caller → receiver) without changing the properties.
 */
export const TESSERA_EDGE_OVERLAYS: Readonly<Record<string, NonNullable<SchemaDatum['edge']>>> = {
  Call: { source: 'caller', target: 'receiver', directed: true, caption: ['date'] },
};
