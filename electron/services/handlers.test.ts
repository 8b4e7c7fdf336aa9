import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, dispatch, ServiceError } from '../../shared/contract/index.ts';
import type { ServiceHandlers } from '../../shared/contract/index.ts';
import { createServiceHandlers, createServices } from './handlers.ts';

let dir: string;
let handlers: ServiceHandlers;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-handlers-'));
  handlers = createServiceHandlers(
    createServices({
      name: 'Tessera',
      version: '9.9.9',
      carrier: 'web',
      platform: 'linux',
      dataDir: dir,
      chooseSavePath: (name) => Promise.resolve(join(dir, name)),
    }),
  );
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('dispatch over the standard handlers', () => {
  it('answers app.info', async () => {
    await expect(dispatch(handlers, 'app.info', {})).resolves.toEqual({
      name: 'Tessera',
      version: '9.9.9',
      carrier: 'web',
      platform: 'linux',
      dataDir: dir,
    });
  });

  it('refuses an unknown method', async () => {
    await expect(dispatch(handlers, 'fs.readFile', {})).rejects.toMatchObject({
      code: 'unknown-method',
    });
    await expect(dispatch(handlers, '__proto__', {})).rejects.toMatchObject({
      code: 'unknown-method',
    });
    await expect(dispatch(handlers, 42, {})).rejects.toBeInstanceOf(ServiceError);
  });

  it('refuses invalid input before any handler runs', async () => {
    await expect(dispatch(handlers, 'settings.update', { theme: 'neon' })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    await expect(dispatch(handlers, 'settings.update', { unknownKey: 1 })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    await expect(
      dispatch(handlers, 'files.export', { suggestedName: '../x', contentBase64: '' }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(dispatch(handlers, 'settings.get', {})).resolves.toEqual(DEFAULT_SETTINGS);
  });

  it('refuses an invalid result and reports a failing handler', async () => {
    const broken = {
      ...handlers,
      'app.info': () => Promise.resolve({ name: 'x' }),
      'settings.get': () => Promise.reject(new Error('disk on fire')),
    } as unknown as ServiceHandlers;
    await expect(dispatch(broken, 'app.info', {})).rejects.toMatchObject({
      code: 'invalid-output',
    });
    await expect(dispatch(broken, 'settings.get', {})).rejects.toMatchObject({
      code: 'failed',
      message: 'settings.get: disk on fire',
    });
  });
});
