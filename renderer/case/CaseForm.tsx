import { useState } from 'react';
import type { FormEvent } from 'react';
import type { CaseRecord } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { RecordValidationError } from '../db/repository.types.ts';
import { splitList } from './caseListModel.ts';
import { Dialog } from '../core/Dialog.tsx';
import { errorMessage } from '../../shared/base/errors.ts';
import { singleFlight } from '../../shared/base/singleFlight.ts';
import { useUnsavedChangesGuard } from '../platform/unsavedChanges.ts';
import { lengthProblem, SHORT_TEXT_LIMIT } from '../../shared/model/limits.ts';

interface CaseFormProps {
  readonly existing?: CaseRecord;
  readonly onSaved: (record: CaseRecord) => void;
  readonly onCancel: () => void;
}

export function CaseForm({ existing, onSaved, onCancel }: CaseFormProps) {
  const { repository, settings, notify } = useAppServices();
  const [reference, setReference] = useState(existing?.reference ?? '');
  const [title, setTitle] = useState(existing?.title ?? '');
  const [lead, setLead] = useState(existing?.leadInvestigator ?? settings.userName);
  const [crimeAreas, setCrimeAreas] = useState(existing?.crimeAreas.join(', ') ?? '');
  const [jurisdictions, setJurisdictions] = useState(existing?.jurisdictions.join(', ') ?? '');
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  // One save at a time: a double-click on "Create case" submits twice before React re-renders the
  // disabled button, so the guard must not depend on state (issue 12).
  const [flight] = useState(() => singleFlight((run: () => Promise<void>) => run()));
  const [saving, setSaving] = useState(false);
  const [initial] = useState(() => [reference, title, lead, crimeAreas, jurisdictions].join('\n'));
  useUnsavedChangesGuard(
    [reference, title, lead, crimeAreas, jurisdictions].join('\n') !== initial,
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void flight(async () => {
      setSaving(true);
      try {
        await save();
      } finally {
        setSaving(false);
      }
    });
  };

  const save = async () => {
    const input = {
      reference: reference.trim(),
      title: title.trim(),
      leadInvestigator: lead.trim(),
      crimeAreas: splitList(crimeAreas),
      jurisdictions: splitList(jurisdictions).map((code) => code.toLowerCase()),
    };
    try {
      const saved = existing
        ? await repository.updateCase(existing.id, input)
        : await repository.createCase({ ...input, withCaseChart: true });
      onSaved(saved);
    } catch (error) {
      if (error instanceof RecordValidationError) setErrors(error.errors);
      else notify(errorMessage(error), 'error');
    }
  };

  const field = (
    name: string,
    label: string,
    value: string,
    set: (value: string) => void,
    hint?: string,
  ) => {
    // Said while typing, not only on save: a pasted 20,000-character title is named at once.
    const problem = lengthProblem(label, value, SHORT_TEXT_LIMIT) ?? errors[name];
    return (
      <label className="form-field">
        <span>{label}</span>
        <input
          value={value}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => set(event.target.value)}
          data-testid={`case-field-${name}`}
        />
        {hint && <small className="muted">{hint}</small>}
        {problem && (
          <small className="error-text" data-testid={`case-error-${name}`}>
            {problem}
          </small>
        )}
      </label>
    );
  };

  return (
    <Dialog title={existing ? 'Edit case' : 'New case'} onClose={onCancel}>
      <form className="case-form" onSubmit={submit} data-testid="case-form">
        {field('reference', 'Reference number', reference, setReference, 'e.g. RO/DIICOT/2024/117')}
        {field('title', 'Title', title, setTitle)}
        {field('leadInvestigator', 'Lead investigator', lead, setLead)}
        {field('crimeAreas', 'Crime areas', crimeAreas, setCrimeAreas, 'comma separated')}
        {field(
          'jurisdictions',
          'Jurisdictions',
          jurisdictions,
          setJurisdictions,
          'country codes, e.g. ro, at, it',
        )}
        <div className="form-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving} data-testid="case-save">
            {existing ? 'Save' : 'Create case'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
