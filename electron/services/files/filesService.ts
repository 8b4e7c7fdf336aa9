import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { MethodInput, MethodOutput } from '../../../shared/contract/index.ts';
import { writeFileAtomic } from './atomicWrite.ts';

/** Where to save: a dialog in Electron, the exports folder in the web host; null = cancelled. */
export type ChooseSavePath = (suggestedName: string) => Promise<string | null>;

export interface FilesServiceDeps {
  readonly chooseSavePath: ChooseSavePath;
}

export class FilesService {
  constructor(private readonly deps: FilesServiceDeps) {}

  async export(input: MethodInput<'files.export'>): Promise<MethodOutput<'files.export'>> {
    const target = await this.deps.chooseSavePath(input.suggestedName);
    if (target === null) return { path: null };
    await writeFileAtomic(target, Buffer.from(input.contentBase64, 'base64'));
    return { path: target };
  }
}

/** Names handed out but maybe not yet written, so two quick exports never pick the same one. */
const reserved = new Set<string>();

/**
 * The web host has no dialog: it saves into `<dataDir>/exports`, adding ` (2)`, ` (3)`… before the
 * extension rather than overwriting an earlier export.
 */
export function exportsFolderChooser(dataDir: string): ChooseSavePath {
  const folder = join(dataDir, 'exports');
  return async (suggestedName) => {
    await mkdir(folder, { recursive: true });
    const ext = extname(suggestedName);
    const stem = ext ? suggestedName.slice(0, -ext.length) : suggestedName;
    for (let n = 1; ; n++) {
      const candidate = join(folder, n === 1 ? suggestedName : `${stem} (${n})${ext}`);
      if (!reserved.has(candidate) && !existsSync(candidate)) {
        reserved.add(candidate);
        // Once written, the file itself keeps the name taken.
        setTimeout(() => reserved.delete(candidate), 60_000).unref();
        return candidate;
      }
    }
  };
}
