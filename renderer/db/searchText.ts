import { foldText } from '../../shared/search/fold.ts';
import type { EntityProperties } from '../../shared/model/index.ts';
import { captionOf } from '../../shared/model/index.ts';

/** Folded (lower case, transliterated, accents stripped) with runs of space collapsed. */
export function normaliseSearch(value: string): string {
  return foldText(value).replace(/\s+/g, ' ').trim();
}

/** The stored search key of an entity: its caption followed by its other names and aliases. */
export function entitySearchText(schema: string, properties: EntityProperties): string {
  const parts = new Set<string>([captionOf(schema, properties)]);
  for (const name of ['name', 'alias', 'weakAlias', 'previousName', 'firstName', 'lastName']) {
    for (const value of properties[name] ?? []) parts.add(value);
  }
  return normaliseSearch([...parts].join(' '));
}
