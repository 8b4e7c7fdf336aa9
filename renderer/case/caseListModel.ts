import type { CaseRecord } from '../../shared/model/index.ts';

export type CaseListFilter = 'active' | 'archived' | 'all';

/** Cases matching the search text (reference, title, lead, crime areas, jurisdictions) and filter. */
export function filterCases(
  cases: readonly CaseRecord[],
  text: string,
  filter: CaseListFilter,
): CaseRecord[] {
  const needle = text.trim().toLowerCase();
  return cases
    .filter((item) => !item.deleted)
    .filter((item) =>
      filter === 'all'
        ? true
        : filter === 'archived'
          ? item.status === 'archived'
          : item.status !== 'archived',
    )
    .filter((item) => {
      if (!needle) return true;
      const haystack = [
        item.reference,
        item.title,
        item.leadInvestigator,
        ...item.crimeAreas,
        ...item.jurisdictions,
      ]
        .join(' ')
        .toLowerCase();
      return needle.split(/\s+/).every((word) => haystack.includes(word));
    })
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}

/** Splits "a, b; c" into trimmed, non-empty, de-duplicated entries. */
export function splitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,;\n]/)
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
}
