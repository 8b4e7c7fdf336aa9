import { useState } from 'react';
import { TextField } from './TextField.tsx';
import type { FormEvent } from 'react';
import { DATA_CATEGORIES, DATA_CATEGORY_LABELS } from '../../shared/exchange/agreement.ts';
import type { SharingAgreement } from '../../shared/exchange/agreement.ts';
import { DEFAULT_CLASSIFICATIONS } from '../../shared/model/index.ts';
import { agreementFromDraft, draftFromAgreement } from './exchangeModel.ts';

export interface AgreementFormProps {
  readonly partnerId: string;
  readonly agreement: SharingAgreement | null;
  readonly onSave: (agreement: SharingAgreement) => Promise<void>;
  readonly onCancel: () => void;
}

/** The sharing agreement with one partner: legal basis, crime areas, ceiling, categories, retention. */
export function AgreementForm({ partnerId, agreement, onSave, onCancel }: AgreementFormProps) {
  const [draft, setDraft] = useState(() =>
    draftFromAgreement(agreement, new Date().toISOString().slice(0, 10)),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = agreementFromDraft(partnerId, draft);
    if (result.errors) setErrors(result.errors);
    else void onSave(result.value);
  };
  const field = (key: keyof typeof draft, label: string, type = 'text') => (
    <TextField
      label={label}
      type={type}
      value={draft[key] as string}
      onValue={(value) => setDraft({ ...draft, [key]: value })}
      testId={`agreement-${key}`}
      error={errors[key]}
    />
  );
  return (
    <form
      className="exchange-form exchange-agreement"
      onSubmit={submit}
      data-testid="agreement-form"
    >
      {field('legalBasis', 'Legal basis / MOU reference')}
      {field('crimeAreas', 'Crime areas (comma separated)')}
      <label className="form-field">
        <span>Highest classification</span>
        <select
          value={draft.highestClassification}
          onChange={(e) => setDraft({ ...draft, highestClassification: e.target.value })}
          data-testid="agreement-highestClassification"
        >
          {DEFAULT_CLASSIFICATIONS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <fieldset className="exchange-categories">
        <legend>Data categories</legend>
        {DATA_CATEGORIES.map((category) => (
          <label key={category} className="exchange-check">
            <input
              type="checkbox"
              checked={draft.categories.includes(category)}
              onChange={(e) =>
                setDraft({
                  ...draft,
                  categories: e.target.checked
                    ? [...draft.categories, category]
                    : draft.categories.filter((c) => c !== category),
                })
              }
            />
            {DATA_CATEGORY_LABELS[category]}
          </label>
        ))}
      </fieldset>
      <label className="exchange-check">
        <input
          type="checkbox"
          checked={draft.domestic}
          onChange={(e) => setDraft({ ...draft, domestic: e.target.checked })}
          data-testid="agreement-domestic"
        />
        Domestic partner (an agency of our own country: NOFORN material may go to it)
      </label>
      {field('retentionDays', 'Retention (days)', 'number')}
      {field('validFrom', 'Valid from', 'date')}
      {field('validTo', 'Valid to (optional)', 'date')}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="agreement-save">
          Save agreement
        </button>
      </div>
    </form>
  );
}
