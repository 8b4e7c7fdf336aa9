import { describe, expect, it } from 'vitest';
import { FolderTransport } from './folderTransport.ts';
import {
  createTransport,
  redactTransportConfig,
  transportConfigSchema,
  transportKinds,
} from './registry.ts';
import { transportSettingsSchema } from '../../../shared/contract/exchange.ts';
import { S3Transport } from './s3Transport.ts';

describe('transport registry', () => {
  it('lists every kind once', () => {
    expect(transportKinds().map((k) => k.kind)).toEqual(['file', 'folder', 's3']);
  });

  it('shares one schema with the contract: the UI may only leave the stored secret out', () => {
    const settings = {
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'exchange',
      accessKeyId: 'AKIA',
      secretAccessKey: '',
    };
    expect(transportSettingsSchema.safeParse(settings).success).toBe(true);
    expect(transportConfigSchema.safeParse(settings).success).toBe(false);
    // Checks the registry applies are the contract's too (they were two schemas before).
    for (const bad of [
      { ...settings, endpoint: 'ftp://x' },
      { ...settings, bucket: 'Bad_Bucket' },
      { ...settings, prefix: 'a/../b' },
      { ...settings, partSize: 1024 },
    ]) {
      expect(transportSettingsSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('builds each kind from a validated configuration', () => {
    expect(createTransport({ kind: 'folder', root: '/mnt/exchange' })).toBeInstanceOf(
      FolderTransport,
    );
    const s3 = createTransport({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'tessera',
      accessKeyId: 'a',
      secretAccessKey: 'b',
    });
    expect(s3).toBeInstanceOf(S3Transport);
    expect(s3.describe()).toMatchObject({
      kind: 's3',
      automatic: true,
      acknowledgement: 'deleted',
    });
    s3.destroy?.();
    const dialogs = {
      chooseSavePath: () => Promise.resolve(null),
      chooseOpenPaths: () => Promise.resolve([]),
    };
    expect(createTransport({ kind: 'file' }, { fileDialogs: dialogs }).describe().kind).toBe(
      'file',
    );
    expect(() => createTransport({ kind: 'file' })).toThrow(/dialogs/);
  });

  it('refuses bad configurations', () => {
    for (const bad of [
      { kind: 'ftp' },
      { kind: 'folder' },
      { kind: 's3', bucket: 'Bad_Bucket', accessKeyId: 'a', secretAccessKey: 'b' },
      { kind: 's3', bucket: 'ok-bucket', prefix: '../x', accessKeyId: 'a', secretAccessKey: 'b' },
      {
        kind: 's3',
        bucket: 'ok-bucket',
        endpoint: 'file:///etc',
        accessKeyId: 'a',
        secretAccessKey: 'b',
      },
      { kind: 's3', bucket: 'ok-bucket', partSize: 1024, accessKeyId: 'a', secretAccessKey: 'b' },
    ]) {
      expect(transportConfigSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('never echoes the S3 secret', () => {
    const config = transportConfigSchema.parse({
      kind: 's3',
      bucket: 'tessera',
      accessKeyId: 'a',
      secretAccessKey: 'secret',
    });
    expect(JSON.stringify(redactTransportConfig(config))).not.toContain('secret"');
  });
});
