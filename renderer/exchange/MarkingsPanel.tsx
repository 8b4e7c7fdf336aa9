import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { describeMarkings } from '../../shared/exchange/markings.ts';
import {
  DEFAULT_CLASSIFICATIONS,
  HANDLING_CODES,
  HANDLING_CODE_NAMES,
  TLP_LEVELS,
  captionOf,
  model,
} from '../../shared/model/index.ts';
import type { Markings, Tlp } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { useCase, useEntities } from '../db/queries.ts';
import { setMarkingsBulk } from '../db/exchangeApply.ts';
import { RecordValidationError } from '../db/repository.types.ts';
import { EMPTY_MARKINGS_DRAFT, isEmptyPatch, patchFromDraft } from './exchangeModel.ts';
import type { MarkingsDraft } from './exchangeModel.ts';
import { useExchangeDeps } from './exchangeDeps.ts';
import { errorMessage } from '../../shared/base/errors.ts';

export interface MarkingsPanelProps {
  readonly caseId: string;
  readonly partnerIds: readonly string[];
}

/** Bulk marking: select entities and relationships, set their markings in one change. */
export function MarkingsPanel({ caseId, partnerIds }: MarkingsPanelProps) {
  const { notify } = useAppServices();
  const deps = useExchangeDeps();
  const entities = useEntities(caseId);
  const caseRecord = useCase(caseId);
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [draft, setDraft] = useState<MarkingsDraft>(EMPTY_MARKINGS_DRAFT);
  const [error, setError] = useState<string | null>(null);
  const rows = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const items = (entities ?? [])
      .map((e) => ({
        record: e as { id: string; originAgency: string; markings: Markings },
        caption: captionOf(e.schema, e.properties),
        type: model.schemata[e.schema]?.label ?? e.schema,
      }))
      .sort((a, b) => a.caption.localeCompare(b.caption));
    // The case record itself carries markings too: nothing goes unless the case may go.
    const all = caseRecord
      ? [{ record: caseRecord, caption: caseRecord.title, type: 'Case' }, ...items]
      : items;
    return all.filter(
      (row) => !needle || `${row.caption} ${row.type}`.toLowerCase().includes(needle),
    );
  }, [entities, caseRecord, search]);
  const set = <K extends keyof MarkingsDraft>(key: K, value: MarkingsDraft[K]) =>
    setDraft({ ...draft, [key]: value });
  const allShown = rows.length > 0 && rows.every((row) => selected.has(row.record.id));
  const own = deps.actor().agencyId;
  // Deny by default, said where markings are set (issue 12): our own records marked for nobody.
  const unmarked = [...(caseRecord ? [caseRecord] : []), ...(entities ?? [])].filter(
    (r) => r.originAgency === own && r.markings.releasableTo.length === 0,
  ).length;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const patch = patchFromDraft(draft);
    if (isEmptyPatch(patch) || selected.size === 0) {
      setError('Choose records and at least one marking to change');
      return;
    }
    try {
      const result = await setMarkingsBulk(deps, [...selected], patch);
      notify(
        `Markings set on ${result.updated.length} record${result.updated.length === 1 ? '' : 's'}${result.unchanged.length ? `, ${result.unchanged.length} already so` : ''}`,
      );
      if (result.refused.length > 0)
        setError(
          `Not changed (markings of another agency are never lowered): ${result.refused.map((r) => `${r.caption}: ${r.reasons.join('; ')}`).join(' | ')}`,
        );
      setSelected(new Set());
    } catch (err) {
      setError(
        err instanceof RecordValidationError
          ? Object.values(err.errors).join('; ')
          : errorMessage(err),
      );
    }
  };

  return (
    <section className="exchange-section" aria-label="Markings" data-testid="markings-panel">
      <h3>Markings</h3>
      {unmarked > 0 && (
        <p className="muted" data-testid="markings-unmarked">
          {unmarked} of this case’s records {unmarked === 1 ? 'is' : 'are'} marked releasable to no
          partner: {unmarked === 1 ? 'it stays' : 'they stay'} home when the case is shared (deny by
          default). Select them and add the partner under “Releasable to”, or use the offer of the
          first export.
        </p>
      )}
      <div className="exchange-markings">
        <div className="exchange-markings-list">
          <div className="exchange-actions">
            <label className="exchange-check">
              <input
                type="checkbox"
                checked={allShown}
                onChange={(e) =>
                  setSelected(e.target.checked ? new Set(rows.map((r) => r.record.id)) : new Set())
                }
                data-testid="markings-select-all"
              />
              All shown
            </label>
            <input
              type="search"
              aria-label="Filter records"
              placeholder="Filter"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="markings-filter"
            />
            <span className="muted">{selected.size} selected</span>
          </div>
          <ul>
            {rows.map(({ record, caption, type }) => (
              <li key={record.id}>
                <label className="exchange-check">
                  <input
                    type="checkbox"
                    checked={selected.has(record.id)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(record.id);
                      else next.delete(record.id);
                      setSelected(next);
                    }}
                    data-testid={`markings-select-${record.id}`}
                  />
                  <span>
                    {caption} <span className="muted">{type}</span>
                    <br />
                    <small className="muted" data-testid={`markings-current-${record.id}`}>
                      {record.originAgency !== deps.actor().agencyId
                        ? `from ${record.originAgency} · `
                        : ''}
                      {describeMarkings(record.markings)}
                    </small>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </div>
        <form
          className="exchange-form"
          onSubmit={(e) => void submit(e)}
          data-testid="markings-form"
        >
          <label className="form-field">
            <span>Classification</span>
            <select
              value={draft.classification}
              onChange={(e) => set('classification', e.target.value)}
              data-testid="markings-classification"
            >
              <option value="">(unchanged)</option>
              {DEFAULT_CLASSIFICATIONS.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label className="form-field">
            <span>TLP</span>
            <select
              value={draft.tlp}
              onChange={(e) => set('tlp', e.target.value as Tlp | '')}
              data-testid="markings-tlp"
            >
              <option value="">(unchanged)</option>
              {TLP_LEVELS.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label className="form-field">
            <span>Releasable to</span>
            <select
              value={draft.releasableMode}
              onChange={(e) =>
                set('releasableMode', e.target.value as MarkingsDraft['releasableMode'])
              }
              data-testid="markings-releasable-mode"
            >
              <option value="">(unchanged)</option>
              <option value="set">set to</option>
              <option value="add">add</option>
              <option value="remove">remove</option>
            </select>
          </label>
          <label className="form-field">
            <span>
              Partner ids (comma separated
              {partnerIds.length ? `; known: ${partnerIds.join(', ')}` : ''})
            </span>
            <input
              value={draft.partners}
              onChange={(e) => set('partners', e.target.value)}
              data-testid="markings-partners"
            />
          </label>
          <label className="form-field">
            <span>Refer to originator</span>
            <select
              value={draft.referToOriginator}
              onChange={(e) =>
                set('referToOriginator', e.target.value as MarkingsDraft['referToOriginator'])
              }
            >
              <option value="">(unchanged)</option>
              <option value="yes">yes</option>
              <option value="no">no</option>
            </select>
          </label>
          <fieldset className="form-field exchange-handling" data-testid="markings-handling">
            <legend>Handling codes</legend>
            <select
              value={draft.handlingMode}
              onChange={(e) => set('handlingMode', e.target.value as MarkingsDraft['handlingMode'])}
              data-testid="markings-handling-mode"
            >
              <option value="">(unchanged)</option>
              <option value="set">set to the codes ticked (none: clear)</option>
            </select>
            {HANDLING_CODE_NAMES.map((code) => (
              <label key={code} className="exchange-check" title={HANDLING_CODES[code].meaning}>
                <input
                  type="checkbox"
                  disabled={draft.handlingMode !== 'set'}
                  checked={draft.handlingCodes.includes(code)}
                  onChange={(e) =>
                    set(
                      'handlingCodes',
                      e.target.checked
                        ? [...draft.handlingCodes, code]
                        : draft.handlingCodes.filter((c) => c !== code),
                    )
                  }
                  data-testid={`markings-handling-${code}`}
                />
                {HANDLING_CODES[code].label}
              </label>
            ))}
          </fieldset>
          <label className="form-field">
            <span>Retain until</span>
            <input
              type="date"
              value={draft.retainUntil}
              onChange={(e) => set('retainUntil', e.target.value)}
            />
          </label>
          {error && (
            <p className="exchange-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" data-testid="markings-apply">
            Set markings
          </button>
        </form>
      </div>
    </section>
  );
}
