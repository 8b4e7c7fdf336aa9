/**
 * The one schema of transport settings (kind → fields), read by the transport registry on the Node
 * side (which builds transports from it) and by the service contract (what the UI sends and sees).
 * A kind is added here and in the registry (electron/services/transports/registry.ts) only.
 */
import { z } from 'zod';

/** S3 multipart parts: S3's own minimum, and the size used when none is set. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export const fileTransportConfigSchema = z.object({ kind: z.literal('file') });

export const folderTransportConfigSchema = z.object({
  kind: z.literal('folder'),
  /** Absolute path of the shared folder (mounted network drive). */
  root: z.string().min(1),
});

export const s3TransportConfigSchema = z.object({
  kind: z.literal('s3'),
  /** Omit for AWS S3 itself. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  region: z.string().min(1).default('us-east-1'),
  bucket: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'invalid bucket name'),
  prefix: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9._/-]*$/, 'invalid key prefix')
    .refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), 'invalid key prefix')
    .default(''),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
  forcePathStyle: z.boolean().default(true),
  partSize: z
    .number()
    .int()
    .min(MIN_PART_SIZE)
    .max(5 * 1024 ** 3)
    .default(DEFAULT_PART_SIZE),
  concurrency: z.number().int().min(1).max(16).default(3),
  conditionalWrites: z.boolean().default(true),
  connectTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
  maxAttempts: z.number().int().min(1).max(10).default(3),
});

export const transportConfigSchema = z.discriminatedUnion('kind', [
  fileTransportConfigSchema,
  folderTransportConfigSchema,
  s3TransportConfigSchema,
]);
export type TransportConfig = z.infer<typeof transportConfigSchema>;
export type TransportConfigInput = z.input<typeof transportConfigSchema>;
export type TransportKind = TransportConfig['kind'];

/**
 * Transport settings as the UI sends and sees them: the same schema, except that for `s3` an empty
 * or '********' `secretAccessKey` keeps the stored secret (the UI never holds it after saving).
 */
export const transportSettingsSchema = z.discriminatedUnion('kind', [
  fileTransportConfigSchema,
  folderTransportConfigSchema,
  s3TransportConfigSchema.extend({ secretAccessKey: z.string() }),
]);
export type TransportSettings = z.input<typeof transportSettingsSchema>;
/** What the service shows: every default filled in, secrets redacted. */
export type TransportSettingsView = z.output<typeof transportSettingsSchema>;
