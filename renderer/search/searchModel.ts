/**
 * Pure helpers of the search panel: turning the panel's filter fields into engine options,
 * result rows with captions, and highlighting the matched terms in a text.
 */
import { captionOf, model, validateDate } from '../../shared/model/index.ts';
import type { AttachmentRecord, EntityRecord, NoteRecord } from '../../shared/model/index.ts';
import { tokenSpans } from '../../shared/search/fold.ts';
import type { SearchHit, SearchOptions } from '../../shared/search/types.ts';

export interface SearchFilters {
  /** '' for everything, 'note', 'attachment', or an FtM schema name. */
  readonly type: string;
  /** Partial ISO dates ('2025', '2025-06', '2025-06-15'), '' for open. */
  readonly dateFrom: string;
  readonly dateTo: string;
  /** Comma- or space-separated ISO-3166 alpha-2 codes. */
  readonly countries: string;
}

export const NO_FILTERS: SearchFilters = { type: '', dateFrom: '', dateTo: '', countries: '' };

const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** Problems with the filter fields, by field; empty when they can be used. */
export function filterProblems(
  filters: SearchFilters,
): Partial<Record<keyof SearchFilters, string>> {
  const problems: Partial<Record<keyof SearchFilters, string>> = {};
  for (const field of ['dateFrom', 'dateTo'] as const) {
    const value = filters[field].trim();
    if (!value) continue;
    // The shape first, then the calendar: '2024-02-30' has the shape but no such day, and the
    // engine refuses it, which used to show as a silent "0 results" (issue 12).
    if (!PARTIAL_DATE.test(value)) problems[field] = 'Use YYYY, YYYY-MM or YYYY-MM-DD';
    else {
      const problem = validateDate(value);
      if (problem) problems[field] = problem;
    }
  }
  const from = filters.dateFrom.trim();
  const to = filters.dateTo.trim();
  if (from && to && !problems.dateFrom && !problems.dateTo && to < from.slice(0, to.length)) {
    problems.dateTo = 'The end date is before the start date';
  }
  const bad = parseCountries(filters.countries).filter((code) => !/^[a-z]{2}$/.test(code));
  if (bad.length > 0) problems.countries = `Not a two-letter country code: ${bad.join(', ')}`;
  return problems;
}

function parseCountries(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((code) => code.trim().toLowerCase())
    .filter(Boolean);
}

export function searchOptions(filters: SearchFilters, limit = 50): SearchOptions {
  const options: SearchOptions = { limit };
  if (filters.type) options.schemata = [filters.type];
  if (filters.dateFrom.trim()) options.dateFrom = filters.dateFrom.trim();
  if (filters.dateTo.trim()) options.dateTo = filters.dateTo.trim();
  const countries = parseCountries(filters.countries);
  if (countries.length > 0) options.countries = countries;
  return options;
}

/** Schemata of the case's entities for the type filter, most frequent first. */
export function typeOptions(
  entities: readonly EntityRecord[],
): { value: string; label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const entity of entities) counts.set(entity.schema, (counts.get(entity.schema) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, label: model.schemata[value]?.label ?? value, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export interface ResultRow {
  readonly id: string;
  readonly kind: SearchHit['kind'];
  readonly caption: string;
  /** Schema label, 'Note' or 'Attachment'. */
  readonly typeLabel: string;
  readonly snippet?: string;
  readonly matchedTerms: readonly string[];
}

export interface CaseLookup {
  readonly entities: ReadonlyMap<string, EntityRecord>;
  readonly notes: ReadonlyMap<string, NoteRecord>;
  readonly attachments: ReadonlyMap<string, AttachmentRecord>;
}

/** Rows for the hits still present in the case (the index may lag a deletion by a moment). */
export function resultRows(hits: readonly SearchHit[], lookup: CaseLookup): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const hit of hits) {
    const base = {
      id: hit.id,
      kind: hit.kind,
      snippet: hit.snippet,
      matchedTerms: hit.matchedTerms,
    };
    if (hit.kind === 'entity') {
      const entity = lookup.entities.get(hit.id);
      if (!entity) continue;
      rows.push({
        ...base,
        caption: captionOf(entity.schema, entity.properties),
        typeLabel: model.schemata[entity.schema]?.label ?? entity.schema,
      });
    } else if (hit.kind === 'note') {
      const note = lookup.notes.get(hit.id);
      if (note) rows.push({ ...base, caption: note.title, typeLabel: 'Note' });
    } else {
      const file = lookup.attachments.get(hit.id);
      if (file) rows.push({ ...base, caption: file.fileName, typeLabel: 'Attachment' });
    }
  }
  return rows;
}

export interface Segment {
  readonly text: string;
  readonly match: boolean;
}

/** Splits `text` into runs, marking words whose folded form is one of the matched terms. */
export function highlight(text: string, matchedTerms: readonly string[]): Segment[] {
  if (!text) return [];
  const terms = new Set(matchedTerms);
  const ranges: [number, number][] = [];
  for (const span of tokenSpans(text)) {
    if (!terms.has(span.token)) continue;
    const last = ranges[ranges.length - 1];
    if (last && span.start <= last[1]) last[1] = Math.max(last[1], span.end);
    else ranges.push([span.start, span.end]);
  }
  const out: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) out.push({ text: text.slice(at, start), match: false });
    out.push({ text: text.slice(start, end), match: true });
    at = end;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}
