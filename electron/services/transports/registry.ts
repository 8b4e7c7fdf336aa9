/**
 * The one place transports are registered: kind → label, configuration schema (zod) and factory.
 * Settings store a `TransportConfig`; `createTransport` validates it and builds the transport.
 * A new kind is added here and nowhere else.
 */
import { z } from 'zod';
import type { FileTransportDeps } from './fileTransport.ts';
import { FileTransport } from './fileTransport.ts';
import { FolderTransport } from './folderTransport.ts';
import { DEFAULT_PART_SIZE, MIN_PART_SIZE, S3Transport } from './s3Transport.ts';
import type { Transport } from './transport.ts';

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

/** What factories may need from the host (Electron's dialogs, the web host's folders). */
export interface TransportHostDeps {
  /** Required by the `file` kind. */
  readonly fileDialogs?: FileTransportDeps;
}

interface Registration<K extends TransportKind> {
  readonly label: string;
  readonly schema: z.ZodType<Extract<TransportConfig, { kind: K }>>;
  create(config: Extract<TransportConfig, { kind: K }>, deps: TransportHostDeps): Transport;
}

const registry: { readonly [K in TransportKind]: Registration<K> } = {
  file: {
    label: 'File (USB stick, e-mail)',
    schema: fileTransportConfigSchema,
    create: (_config, deps) => {
      if (!deps.fileDialogs) throw new Error('The file transport needs save and open dialogs');
      return new FileTransport(deps.fileDialogs);
    },
  },
  folder: {
    label: 'Shared folder (network drive)',
    schema: folderTransportConfigSchema,
    create: (config) => new FolderTransport({ root: config.root }),
  },
  s3: {
    label: 'S3-compatible object storage',
    schema: s3TransportConfigSchema,
    create: ({ kind: _kind, ...config }) => new S3Transport(config),
  },
};

export function transportKinds(): { kind: TransportKind; label: string }[] {
  return (Object.keys(registry) as TransportKind[]).map((kind) => ({
    kind,
    label: registry[kind].label,
  }));
}

/** Validates `config` (throws a ZodError on a bad one) and builds its transport. */
export function createTransport(config: unknown, deps: TransportHostDeps = {}): Transport {
  const parsed = transportConfigSchema.parse(config);
  return create(parsed.kind, parsed, deps);
}

function create<K extends TransportKind>(
  kind: K,
  config: TransportConfig,
  deps: TransportHostDeps,
): Transport {
  const registration = registry[kind];
  return registration.create(registration.schema.parse(config), deps);
}

/** Settings shown back to the UI: the S3 secret is never echoed. */
export function redactTransportConfig(config: TransportConfig): TransportConfig {
  return config.kind === 's3'
    ? {
        ...config,
        secretAccessKey: '********',
        ...(config.sessionToken ? { sessionToken: '********' } : {}),
      }
    : config;
}
