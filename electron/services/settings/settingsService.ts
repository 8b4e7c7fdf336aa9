import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, settingsSchema } from '../../../shared/contract/index.ts';
import type { MethodInput, Settings } from '../../../shared/contract/index.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';

export const SETTINGS_FILE = 'settings.json';

export interface SettingsServiceDeps {
  readonly dataDir: string;
}

/**
 * Settings live in `<dataDir>/settings.json`. A missing file means defaults; a damaged one is not
 * fatal either: every field that still validates is kept and the rest fall back to defaults, so a
 * hand edit gone wrong never locks the user out of the app.
 */
export class SettingsService {
  readonly path: string;
  /** Updates run one after another so two quick patches cannot lose each other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: SettingsServiceDeps) {
    this.path = join(deps.dataDir, SETTINGS_FILE);
  }

  async get(): Promise<Settings> {
    await this.queue.catch(() => undefined);
    return this.read();
  }

  update(patch: MethodInput<'settings.update'>): Promise<Settings> {
    const next = this.queue
      .catch(() => undefined)
      .then(async () => {
        const merged = settingsSchema.parse({ ...(await this.read()), ...patch });
        await writeFileAtomic(this.path, `${JSON.stringify(merged, null, 2)}\n`);
        return merged;
      });
    this.queue = next;
    return next;
  }

  private async read(): Promise<Settings> {
    let raw: string;
    try {
      raw = await readFile(this.path, 'utf8');
    } catch {
      return { ...DEFAULT_SETTINGS };
    }
    return salvageSettings(raw);
  }
}

export function salvageSettings(raw: string): Settings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  const whole = settingsSchema.safeParse(parsed);
  if (whole.success) return whole.data;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ...DEFAULT_SETTINGS };
  }
  const record = parsed as Record<string, unknown>;
  const result: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, field] of Object.entries(settingsSchema.shape)) {
    const value = field.safeParse(record[key]);
    if (value.success) result[key] = value.data;
  }
  return settingsSchema.parse(result);
}
