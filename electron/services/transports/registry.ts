/**
 * The one place transports are registered: kind → label, configuration schema (zod) and factory.
 * Settings store a `TransportConfig`; `createTransport` validates it and builds the transport.
 * A new kind is added here and nowhere else.
 */
import type { z } from 'zod';
import {
  fileTransportConfigSchema,
  folderTransportConfigSchema,
  s3TransportConfigSchema,
  transportConfigSchema,
  type TransportConfig,
  type TransportKind,
} from '../../../shared/exchange/transportConfig.ts';

export {
  fileTransportConfigSchema,
  folderTransportConfigSchema,
  s3TransportConfigSchema,
  transportConfigSchema,
};
export type {
  TransportConfig,
  TransportConfigInput,
  TransportKind,
} from '../../../shared/exchange/transportConfig.ts';
import type { FileTransportDeps } from './fileTransport.ts';
import { FileTransport } from './fileTransport.ts';
import { FolderTransport } from './folderTransport.ts';
import { S3Transport } from './s3Transport.ts';
import type { Transport } from './transport.ts';

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
