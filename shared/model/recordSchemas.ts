/**
 * zod schemas for every record, used wherever records cross a boundary (case files, bundles, the
 * service contract): outside data is parsed, never trusted. The union of them all, `anyRecordSchema`,
 * is derived from the registry of record kinds (recordKinds.ts), whose typing checks that each
 * schema parses into its record type.
 */
import { z } from 'zod';
import { isHlc } from './hlc.ts';
import { TLP_LEVELS } from './markings.ts';
import { NOTE_BODY_LIMIT, SHORT_TEXT_LIMIT } from './limits.ts';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid id');
const hlc = z.string().refine(isHlc, 'invalid hybrid logical clock timestamp');
const isoDate = z.string().min(4).max(40);
const shortText = z.string().max(SHORT_TEXT_LIMIT);

export const markingsSchema = z.object({
  classification: z.string().min(1).max(64),
  tlp: z.enum(TLP_LEVELS),
  handlingCode: z.string().max(64).optional(),
  releasableTo: z.array(id).max(1000),
  referToOriginator: z.boolean(),
  retainUntil: isoDate.optional(),
});

export const provenanceSchema = z.object({
  source: shortText,
  originAgency: id,
  recordedBy: shortText,
  recordedAt: isoDate,
  imported: z
    .object({
      fileName: shortText,
      fileSha256: z.string().regex(/^[0-9a-f]{64}$/),
      row: z.number().int().min(1),
      spec: shortText,
      specVersion: z.number().int().min(1),
      importId: id.optional(),
    })
    .optional(),
});

export const gradingSchema = z.object({
  source: z.enum(['A', 'B', 'C', 'D', 'E', 'F']),
  information: z.enum(['1', '2', '3', '4', '5', '6']),
});

const base = {
  id,
  updatedAt: hlc,
  createdAt: hlc,
  deleted: z.boolean(),
  originAgency: id,
  markings: markingsSchema,
};

export const caseRecordSchema = z.object({
  ...base,
  kind: z.literal('case'),
  reference: shortText,
  title: shortText,
  status: z.enum(['open', 'suspended', 'closed', 'archived']),
  leadInvestigator: shortText,
  crimeAreas: z.array(shortText).max(100),
  jurisdictions: z.array(z.string().max(16)).max(300),
  openedOn: isoDate,
  closedOn: isoDate.optional(),
  description: z.string().max(100_000).optional(),
});

export const entityPropertiesSchema = z.record(
  z.string().max(128),
  z.array(z.string().max(100_000)).max(10_000),
);

export const externalEntitySchema = z.object({
  id: z.string().min(1).max(1024),
  format: z.string().min(1).max(32),
  caption: z.string().max(1024).optional(),
  datasets: z.array(z.string().max(256)).max(1000).optional(),
  referents: z.array(z.string().max(1024)).max(10_000).optional(),
  firstSeen: isoDate.optional(),
  lastSeen: isoDate.optional(),
  lastChange: isoDate.optional(),
  target: z.boolean().optional(),
  extra: entityPropertiesSchema.optional(),
  unresolved: z.boolean().optional(),
});

export const entityRecordSchema = z.object({
  ...base,
  kind: z.literal('entity'),
  caseId: id,
  schema: z.string().min(1).max(128),
  properties: entityPropertiesSchema,
  provenance: provenanceSchema,
  grading: gradingSchema,
  propertyMarkings: z.record(z.string().max(128), markingsSchema).optional(),
  external: externalEntitySchema.optional(),
});

export const noteRecordSchema = z.object({
  ...base,
  kind: z.literal('note'),
  caseId: id,
  entityId: id.optional(),
  title: shortText,
  body: z.string().max(NOTE_BODY_LIMIT),
  author: shortText,
});

export const attachmentRecordSchema = z.object({
  ...base,
  kind: z.literal('attachment'),
  caseId: id,
  entityId: id.optional(),
  fileName: z.string().min(1).max(255),
  mediaType: z.string().max(255),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  description: z.string().max(10_000).optional(),
  provenance: provenanceSchema,
});

export const noticeRecordSchema = z.object({
  ...base,
  kind: z.literal('notice'),
  caseId: id,
  noticeType: z.enum([
    'red',
    'yellow',
    'blue',
    'black',
    'green',
    'orange',
    'purple',
    'diffusion',
    'warrant',
    'alert',
  ]),
  subjectId: id.optional(),
  reference: shortText,
  issuingAgency: shortText,
  status: z.enum(['requested', 'issued', 'hit-reported', 'cancelled', 'expired']),
  issuedOn: isoDate.optional(),
  expiresOn: isoDate.optional(),
  summary: z.string().max(100_000),
});

export const chartRecordSchema = z.object({
  ...base,
  kind: z.literal('chart'),
  caseId: id,
  name: shortText,
  nodes: z.record(
    id,
    z.object({
      x: z.number().finite(),
      y: z.number().finite(),
      color: z.string().max(32).optional(),
      size: z.number().positive().max(1000).optional(),
    }),
  ),
  layout: z.string().max(64),
  viewport: z
    .object({ zoom: z.number().positive(), panX: z.number().finite(), panY: z.number().finite() })
    .optional(),
});
