import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { SearchHit } from '../../shared/search/types.ts';
import { useAttachments, useEntities, useNotes } from '../db/queries.ts';
import type { SearchFilters } from './searchModel.ts';
import {
  filterProblems,
  highlight,
  NO_FILTERS,
  resultRows,
  searchOptions,
  typeOptions,
} from './searchModel.ts';
import type { ResultRow } from './searchModel.ts';
import type { CaseSearchIndex } from './useCaseSearchIndex.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import '../core/common.css';
import './search.css';

export interface SearchPanelProps {
  readonly caseId: string;
  /** From useCaseSearchIndex(caseId), kept by the workspace so the index outlives the panel. */
  readonly index: CaseSearchIndex;
  readonly onSelectEntity: (entityId: string) => void;
  readonly onOpenNote: (noteId: string) => void;
  readonly onOpenAttachment: (attachmentId: string) => void;
  /** The query box takes the focus whenever this number changes (the "/" command). */
  readonly focusRequest?: number;
}

const DEBOUNCE_MS = 100;

/** Full-text search over the case's entities, notes and attachment text, as you type. */
export function SearchPanel(props: SearchPanelProps) {
  const { caseId, index, focusRequest } = props;
  const entities = useEntities(caseId);
  const notes = useNotes(caseId);
  const attachments = useAttachments(caseId);
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<SearchFilters>(NO_FILTERS);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [active, setActive] = useState(0);
  const [tookMs, setTookMs] = useState<number | null>(null);
  // A refused search is said, never shown as "0 results" (issue 12).
  const [failure, setFailure] = useState<string>();
  const inputRef = useRef<HTMLInputElement>(null);
  const problems = filterProblems(filters);
  const valid = Object.keys(problems).length === 0;
  const { search, revision } = index;

  useEffect(() => {
    inputRef.current?.focus();
  }, [focusRequest]);

  useEffect(() => {
    if (!query.trim() || !valid) {
      setHits(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      const started = performance.now();
      search(query, searchOptions(filters)).then(
        (found) => {
          if (!current) return;
          setFailure(undefined);
          setHits(found);
          setTookMs(performance.now() - started);
          setActive(0);
        },
        (error: unknown) => {
          if (!current) return;
          setHits(null);
          setFailure(errorMessage(error));
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, filters, valid, search, revision]);

  const lookup = useMemo(
    () => ({
      entities: new Map((entities ?? []).map((e) => [e.id, e])),
      notes: new Map((notes ?? []).map((n) => [n.id, n])),
      attachments: new Map((attachments ?? []).map((a) => [a.id, a])),
    }),
    [entities, notes, attachments],
  );
  const rows = useMemo(() => (hits ? resultRows(hits, lookup) : []), [hits, lookup]);
  const types = useMemo(() => typeOptions(entities ?? []), [entities]);

  const open = (row: ResultRow) => {
    if (row.kind === 'entity') props.onSelectEntity(row.id);
    else if (row.kind === 'note') props.onOpenNote(row.id);
    else props.onOpenAttachment(row.id);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((value) => Math.min(Math.max(value + step, 0), Math.max(rows.length - 1, 0)));
    } else if (event.key === 'Enter' && rows[active]) {
      event.preventDefault();
      open(rows[active]);
    } else if (event.key === 'Escape') {
      setQuery('');
    }
  };
  const setFilter = (patch: Partial<SearchFilters>) => setFilters({ ...filters, ...patch });

  return (
    <section className="search-panel" aria-label="Search" data-testid="search-panel">
      <div className="search-box">
        <label className="search-query">
          <span className="search-label">Search</span>
          <input
            ref={inputRef}
            type="search"
            value={query}
            placeholder="Names, numbers, notes, attachment text… (typos are fine)"
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={onKeyDown}
            aria-controls="search-results"
            data-testid="search-input"
          />
        </label>
        <div className="search-filters">
          <label>
            <span className="search-label">Type</span>
            <select
              value={filters.type}
              onChange={(event) => setFilter({ type: event.target.value })}
              data-testid="search-type-filter"
            >
              <option value="">Everything</option>
              <option value="note">Notes</option>
              <option value="attachment">Attachments</option>
              {types.map((type) => (
                <option key={type.value} value={type.value}>
                  {type.label} ({type.count})
                </option>
              ))}
            </select>
          </label>
          <FilterField
            label="From"
            value={filters.dateFrom}
            placeholder="YYYY-MM-DD"
            problem={problems.dateFrom}
            testId="search-date-from"
            onChange={(dateFrom) => setFilter({ dateFrom })}
          />
          <FilterField
            label="To"
            value={filters.dateTo}
            placeholder="YYYY-MM-DD"
            problem={problems.dateTo}
            testId="search-date-to"
            onChange={(dateTo) => setFilter({ dateTo })}
          />
          <FilterField
            label="Countries"
            value={filters.countries}
            placeholder="ro, at"
            problem={problems.countries}
            testId="search-countries"
            onChange={(countries) => setFilter({ countries })}
          />
        </div>
      </div>
      <p className="search-status" data-testid="search-status" aria-live="polite">
        {index.error
          ? `Search is unavailable: ${index.error}`
          : !index.ready
            ? 'Indexing the case…'
            : !valid
              ? 'Correct the filters above to search.'
              : failure
                ? `The search failed: ${failure}`
                : hits === null
                  ? 'Type to search every property, note and attachment of the case.'
                  : `${rows.length} result${rows.length === 1 ? '' : 's'}${tookMs !== null ? ` in ${Math.max(1, Math.round(tookMs))} ms` : ''}`}
      </p>
      <ol className="row-list search-results" id="search-results" data-testid="search-results">
        {rows.map((row, position) => (
          <li key={row.id}>
            <button
              type="button"
              className={
                position === active
                  ? 'row-list-button search-result search-result-active'
                  : 'row-list-button search-result'
              }
              onClick={() => open(row)}
              onMouseEnter={() => setActive(position)}
              data-testid={`search-result-${row.id}`}
              data-kind={row.kind}
            >
              <span className="search-result-head">
                <span className="search-result-caption">
                  <Highlighted text={row.caption} terms={row.matchedTerms} />
                </span>
                <span className="search-result-type">{row.typeLabel}</span>
              </span>
              {row.snippet && row.snippet !== `name: ${row.caption}` && (
                <span className="search-result-snippet">
                  <Highlighted text={row.snippet} terms={row.matchedTerms} />
                </span>
              )}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Highlighted({ text, terms }: { text: string; terms: readonly string[] }) {
  return (
    <>
      {highlight(text, terms).map((segment, i) =>
        segment.match ? <mark key={i}>{segment.text}</mark> : <span key={i}>{segment.text}</span>,
      )}
    </>
  );
}

function FilterField(props: {
  label: string;
  value: string;
  placeholder: string;
  problem?: string;
  testId: string;
  onChange: (value: string) => void;
}) {
  return (
    <label className={props.problem ? 'search-filter search-filter-invalid' : 'search-filter'}>
      <span className="search-label">{props.label}</span>
      <input
        type="text"
        value={props.value}
        placeholder={props.placeholder}
        onChange={(event) => props.onChange(event.target.value)}
        aria-invalid={props.problem ? true : undefined}
        title={props.problem}
        data-testid={props.testId}
      />
      {props.problem && (
        <small className="search-filter-problem" data-testid={`${props.testId}-problem`}>
          {props.problem}
        </small>
      )}
    </label>
  );
}
