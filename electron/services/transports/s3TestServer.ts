/**
 * A real S3-compatible server for tests: s3rver (npm, devDependency), listening on 127.0.0.1 on a
 * free port, storing objects in a fresh temporary folder. Its fixed credentials are S3RVER/S3RVER.
 * It enforces SigV4 signatures, multipart uploads and ListObjectsV2, but not `If-None-Match` on
 * writes, so the transport's HEAD check is what refuses a taken name there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3TransportConfig } from './s3Transport.ts';

export interface S3TestServer {
  readonly endpoint: string;
  readonly bucket: string;
  /** A transport configuration pointing at this server. */
  readonly config: S3TransportConfig;
  close(): Promise<void>;
}

export async function startS3TestServer(bucket = 'tessera-exchange'): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'tessera-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    config: {
      endpoint,
      region: 'us-east-1',
      bucket,
      prefix: 'tessera',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
