#!/usr/bin/env node
// Starts s3rver, a real S3-compatible server from the npm registry, on 127.0.0.1 for manual and
// end-to-end tests of the S3 transport. Usage:
//   node scripts/s3-test-server.mjs [--port N] [--dir DIR] [--bucket NAME]
// Prints one JSON line {endpoint, bucket, region, accessKeyId, secretAccessKey} and serves until
// SIGINT or SIGTERM. Without --dir the objects live in a temporary folder removed on exit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    dir: { type: 'string' },
    bucket: { type: 'string', default: 'tessera-exchange' },
  },
});
const temporary = values.dir === undefined;
const directory = values.dir ?? (await mkdtemp(join(tmpdir(), 'tessera-s3-')));
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(values.port),
  directory,
  silent: true,
  configureBuckets: [{ name: values.bucket }],
});
const address = await server.run();
console.log(
  JSON.stringify({
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: values.bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  }),
);
const stop = async () => {
  await server.close();
  if (temporary) await rm(directory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
