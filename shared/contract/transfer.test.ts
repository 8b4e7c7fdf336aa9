import { describe, expect, it } from 'vitest';
import { contract } from './contract.ts';
import { dispatch, reasonOf, ServiceError } from './dispatch.ts';
import type { ServiceHandlers } from './contract.ts';
import { TRANSFER_CHUNK_BASE64, TRANSFER_CHUNK_BYTES, UPLOAD_CAPS } from './transfer.ts';

const uploadId = `u${'a'.repeat(32)}`;
const valid = (method: keyof typeof contract, input: unknown) =>
  contract[method].input.safeParse(input).success;

describe('transfer contract', () => {
  it('bounds a piece to 1 MiB of bytes (as base64) and names files, not paths', () => {
    expect(TRANSFER_CHUNK_BASE64).toBe(Math.ceil(TRANSFER_CHUNK_BYTES / 3) * 4);
    const piece = (length: number) => ({ uploadId, offset: 0, contentBase64: 'A'.repeat(length) });
    expect(valid('transfer.upload.chunk', piece(TRANSFER_CHUNK_BASE64))).toBe(true);
    expect(valid('transfer.upload.chunk', piece(TRANSFER_CHUNK_BASE64 + 4))).toBe(false);
    expect(valid('transfer.upload.chunk', { ...piece(4), contentBase64: '<script>' })).toBe(false);
    expect(valid('transfer.upload.chunk', { ...piece(4), offset: -1 })).toBe(false);
    const begin = (fileName: string) => ({ purpose: 'bundle-import', fileName, size: 1 });
    expect(valid('transfer.upload.begin', begin('case-AGB-1.tessera'))).toBe(true);
    for (const bad of ['../../etc/shadow', '/etc/shadow', 'a\\b', '..', '', 'x'.repeat(256)]) {
      expect(valid('transfer.upload.begin', begin(bad)), bad).toBe(false);
    }
    expect(valid('transfer.upload.begin', { ...begin('a'), purpose: 'anything' })).toBe(false);
    expect(UPLOAD_CAPS['bundle-import']).toBeGreaterThanOrEqual(1024 ** 3);
  });

  it('takes only opaque references: no path, no unknown kind, no extra field', () => {
    const ok = { ref: { kind: 'upload', uploadId } };
    expect(valid('exchange.import.fromFile', ok)).toBe(true);
    expect(
      valid('exchange.import.fromFile', { ref: { kind: 'chosen', id: `c${'0'.repeat(32)}` } }),
    ).toBe(true);
    for (const bad of [
      { path: '/etc/shadow', fileName: 'shadow' },
      { ref: { kind: 'upload', uploadId: '../../etc/shadow' } },
      { ref: { kind: 'upload', uploadId, path: '/dev/zero' } },
      { ref: { kind: 'file', path: '/dev/zero' } },
      { ...ok, path: '/etc/shadow' },
    ]) {
      expect(valid('exchange.import.fromFile', bad), JSON.stringify(bad)).toBe(false);
    }
    expect(valid('transfer.download.begin', { ref: { kind: 'export', name: '../secret' } })).toBe(
      false,
    );
    expect(
      valid('transfer.download.chunk', {
        downloadId: `d${'0'.repeat(32)}`,
        offset: 0,
        length: TRANSFER_CHUNK_BYTES + 1,
      }),
    ).toBe(false);
  });

  it("passes a handler's kebab-case code on as the reason, not Node's own codes", async () => {
    const coded = (code: string) => Object.assign(new Error('no'), { code });
    expect(reasonOf(coded('too-large'))).toBe('too-large');
    expect(reasonOf(coded('ENOENT'))).toBeUndefined();
    expect(reasonOf('text')).toBeUndefined();
    const handlers = {
      'app.info': () => Promise.reject(coded('disk-full')),
    } as unknown as ServiceHandlers;
    const error = await dispatch(handlers, 'app.info', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'failed', reason: 'disk-full' });
  });
});
