/**
 * Per-field difference between the before and after versions of a record in an audit entry.
 * Records are flattened to dotted paths ("properties.name", "markings.tlp", "grading.source");
 * multi-valued fields also report which values were added and removed. Bookkeeping fields that
 * change on every write (clocks) are left out: they would bury the change a person wants to see.
 */
import { readableValue, recordFieldLabel } from '../../shared/model/readable.ts';

export interface FieldChange {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
  /** For list fields: each side's values, and those only in `after` / only in `before`. */
  readonly beforeValues?: readonly string[];
  readonly afterValues?: readonly string[];
  readonly added?: readonly string[];
  readonly removed?: readonly string[];
}

const IGNORED = new Set(['updatedAt', 'createdAt', 'id', 'kind']);

type Flat = Map<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(value: unknown, prefix: string, into: Flat): void {
  if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (prefix === '' && IGNORED.has(key)) continue;
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    }
    return;
  }
  if (value !== undefined) into.set(prefix, value);
}

function show(value: unknown): string | undefined {
  // Dates, flags, numbers and nested objects as a person reads them, never raw JSON (issue 12).
  return readableValue(value);
}

function listDelta(before: unknown, after: unknown) {
  const beforeList = Array.isArray(before) ? before.map((item) => show(item) ?? '') : [];
  const afterList = Array.isArray(after) ? after.map((item) => show(item) ?? '') : [];
  return {
    beforeValues: beforeList,
    afterValues: afterList,
    added: afterList.filter((item) => !beforeList.includes(item)),
    removed: beforeList.filter((item) => !afterList.includes(item)),
  };
}

/** The fields that differ, in the order they appear in `after` (then those only in `before`). */
export function diffRecords(before: unknown, after: unknown): FieldChange[] {
  const flatBefore: Flat = new Map();
  const flatAfter: Flat = new Map();
  flatten(before, '', flatBefore);
  flatten(after, '', flatAfter);
  const paths = [...new Set([...flatAfter.keys(), ...flatBefore.keys()])];
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const b = flatBefore.get(path);
    const a = flatAfter.get(path);
    const beforeText = show(b);
    const afterText = show(a);
    if (beforeText === afterText) continue;
    const change: FieldChange = { path, before: beforeText, after: afterText };
    changes.push(Array.isArray(a) || Array.isArray(b) ? { ...change, ...listDelta(b, a) } : change);
  }
  return changes;
}

/** A readable name for a path: known fields by name, else "a.bC" → "A › b c". */
export function pathLabel(path: string, schemaName?: string): string {
  return recordFieldLabel(path, schemaName);
}

/** "properties.birthDate" → "birthDate" for FtM properties; other paths read as they are. */
export function propertyNameOf(path: string): string | undefined {
  return path.startsWith('properties.') ? path.slice('properties.'.length) : undefined;
}
