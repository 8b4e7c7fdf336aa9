/**
 * Saved import specifications (issue 11): named, versioned, kept in the encrypted store's `meta`
 * table (not localStorage: a mapping names columns of case material) and so remembered across
 * restarts; exported and imported as JSON files (shared/importer's format). Saving under a name
 * already used bumps that specification's version, which every record imported with it names.
 *
 * The row key is a random id, not the name: keys are stored in the clear (encryption.ts), names
 * are the user's words. Every row read back is parsed (parseImportSpec): a row that no longer
 * parses is left out of the list, not trusted.
 */
import { ImportSpecError, parseImportSpec } from '../../shared/importer/index.ts';
import type { ImportSpec } from '../../shared/importer/index.ts';
import { newId } from '../../shared/model/index.ts';
import type { TesseraDatabase } from '../db/database.ts';

const PREFIX = 'import-spec:';

export interface SavedSpec {
  readonly key: string;
  readonly spec: ImportSpec;
}

/** Every saved specification that parses, by name. */
export async function listSavedSpecs(db: TesseraDatabase): Promise<SavedSpec[]> {
  const rows = await db.meta.where('key').startsWith(PREFIX).toArray();
  const out: SavedSpec[] = [];
  for (const row of rows) {
    try {
      out.push({ key: row.key, spec: parseImportSpec(row.value) });
    } catch {
      // A row written by another version that no longer parses: not offered.
    }
  }
  return out.sort((a, b) => a.spec.name.localeCompare(b.spec.name));
}

/** Saves `spec` under its name: the next version of the one saved so, or version 1. */
export async function saveSpec(db: TesseraDatabase, spec: ImportSpec): Promise<ImportSpec> {
  const checked = parseImportSpec(spec);
  return db.transaction('rw', db.meta, async () => {
    const saved = await listSavedSpecs(db);
    const same = saved.find((entry) => entry.spec.name === checked.name);
    const next: ImportSpec = { ...checked, version: (same?.spec.version ?? 0) + 1 };
    await db.meta.put({ key: same?.key ?? `${PREFIX}${newId()}`, value: next });
    return next;
  });
}

export async function deleteSavedSpec(db: TesseraDatabase, name: string): Promise<void> {
  const saved = await listSavedSpecs(db);
  const keys = saved.filter((entry) => entry.spec.name === name).map((entry) => entry.key);
  await db.meta.bulkDelete(keys);
}

/** The file an export writes. */
export function specFileText(spec: ImportSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/** A specification file read back (throws ImportSpecError, coded, with the path of the fault). */
export function specFromFileText(text: string): ImportSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportSpecError('spec.not-json', 'This file is not a specification: it is not JSON.');
  }
  return parseImportSpec(json);
}
