import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../shared/contract/index.ts';
import { SETTINGS_FILE, SettingsService } from './settingsService.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-settings-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('SettingsService', () => {
  it('gives defaults when the file is missing', async () => {
    await expect(new SettingsService({ dataDir: dir }).get()).resolves.toEqual(DEFAULT_SETTINGS);
  });

  it('gives defaults when the file is corrupt', async () => {
    await writeFile(join(dir, SETTINGS_FILE), '{"userName": "ann", trunc');
    await expect(new SettingsService({ dataDir: dir }).get()).resolves.toEqual(DEFAULT_SETTINGS);
    await writeFile(join(dir, SETTINGS_FILE), '[1,2]');
    await expect(new SettingsService({ dataDir: dir }).get()).resolves.toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the fields that are still valid', async () => {
    await writeFile(
      join(dir, SETTINGS_FILE),
      JSON.stringify({ userName: 'ann', theme: 'neon', agencyId: 'bad id!' }),
    );
    await expect(new SettingsService({ dataDir: dir }).get()).resolves.toEqual({
      ...DEFAULT_SETTINGS,
      userName: 'ann',
    });
  });

  it('gives a settings file from before the idle lock the 15-minute default (issue 10)', async () => {
    const older = { userName: 'ann', agencyId: 'ro.dcco', agencyName: 'DCCO', theme: 'dark' };
    await writeFile(join(dir, SETTINGS_FILE), JSON.stringify(older));
    const service = new SettingsService({ dataDir: dir });
    await expect(service.get()).resolves.toEqual({ ...older, idleLockMinutes: 15 });
    await expect(service.update({ idleLockMinutes: 0 })).rejects.toThrow();
    await expect(service.update({ idleLockMinutes: 5 })).resolves.toMatchObject({
      idleLockMinutes: 5,
    });
  });

  it('persists updates atomically and leaves no temporary files', async () => {
    const service = new SettingsService({ dataDir: join(dir, 'nested') });
    const results = await Promise.all([
      service.update({ userName: 'ann' }),
      service.update({ theme: 'dark' }),
      service.update({ agencyName: 'Bundeskriminalamt' }),
    ]);
    expect(results[2]).toEqual({
      ...DEFAULT_SETTINGS,
      userName: 'ann',
      theme: 'dark',
      agencyName: 'Bundeskriminalamt',
    });
    const onDisk: unknown = JSON.parse(await readFile(join(dir, 'nested', SETTINGS_FILE), 'utf8'));
    expect(onDisk).toEqual(results[2]);
    expect(await readdir(join(dir, 'nested'))).toEqual([SETTINGS_FILE]);
    await expect(new SettingsService({ dataDir: join(dir, 'nested') }).get()).resolves.toEqual(
      results[2],
    );
  });

  it('rejects an invalid update and keeps the file as it was', async () => {
    const service = new SettingsService({ dataDir: dir });
    await service.update({ userName: 'ann' });
    await expect(service.update({ userName: '' })).rejects.toThrow();
    await expect(service.get()).resolves.toMatchObject({ userName: 'ann' });
    await expect(service.update({ agencyName: 'Europol' })).resolves.toMatchObject({
      agencyName: 'Europol',
    });
  });
});
