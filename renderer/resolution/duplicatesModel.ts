/**
 * Pure helpers of the Duplicates panel: which entities take part, the per-case list of pairs a
 * person ruled "not a duplicate", and the side-by-side comparison of two entities.
 */
import { isEdgeSchema, model } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import { schemataCompatible } from '../../shared/model/schemata.ts';
import type { FtmEntity } from '../../shared/search/types.ts';

/** Cases larger than this find candidates in a worker. */
export const WORKER_THRESHOLD = 2000;

/** Things (not relationships) in the engine's shape. */
export function resolutionInput(entities: readonly EntityRecord[]): FtmEntity[] {
  return entities
    .filter((entity) => !isEdgeSchema(entity.schema))
    .map((entity) => ({
      id: entity.id,
      schema: entity.schema,
      properties: entity.properties as Record<string, string[]>,
    }));
}

/** Order-independent key of a pair. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * The view state (renderer/db/viewState.ts) holding the case's "not a duplicate" pairs. Which
 * records an analyst ruled apart is case content, so it lives in the encrypted store.
 */
export const DISMISSED_VIEW = 'not-duplicates';

/** Where older builds kept the pairs (localStorage, plaintext); read once to move them. */
export function legacyDismissedKey(caseId: string): string {
  return `tessera.notDuplicates.${caseId}`;
}

/** The stored pairs, parsed: anything but a list of strings is dropped. */
export function restoreDismissed(value: unknown): Set<string> {
  return new Set(Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);
}

/** Candidates still worth reviewing: both entities live, pair not dismissed. */
export function openCandidates(
  candidates: readonly DuplicateCandidate[],
  live: ReadonlySet<string>,
  dismissed: ReadonlySet<string>,
): DuplicateCandidate[] {
  return candidates.filter(
    (c) => live.has(c.a) && live.has(c.b) && !dismissed.has(pairKey(c.a, c.b)),
  );
}

export interface ComparisonRow {
  readonly property: string;
  readonly label: string;
  readonly left: readonly string[];
  readonly right: readonly string[];
  /** Values present on one side only. */
  readonly differs: boolean;
}

function propertyLabel(schema: string, property: string): string {
  return model.schemata[schema]?.getProperties().get(property)?.label ?? property;
}

/** Every property of either entity, names first, then alphabetically by label. */
export function compareEntities(
  left: Pick<EntityRecord, 'schema' | 'properties'>,
  right: Pick<EntityRecord, 'schema' | 'properties'>,
): ComparisonRow[] {
  const names = new Set([...Object.keys(left.properties), ...Object.keys(right.properties)]);
  const rows: ComparisonRow[] = [];
  for (const property of names) {
    const a = left.properties[property] ?? [];
    const b = right.properties[property] ?? [];
    const differs = a.length !== b.length || a.some((value) => !b.includes(value));
    const label =
      left.properties[property] !== undefined
        ? propertyLabel(left.schema, property)
        : propertyLabel(right.schema, property);
    rows.push({ property, label, left: a, right: b, differs });
  }
  const rank = (row: ComparisonRow) => (row.property === 'name' ? 0 : 1);
  return rows.sort((x, y) => rank(x) - rank(y) || x.label.localeCompare(y.label));
}

export function canMerge(
  a: Pick<EntityRecord, 'schema'>,
  b: Pick<EntityRecord, 'schema'>,
): boolean {
  return schemataCompatible(a.schema, b.schema);
}
