import type { FormEvent, ReactNode } from 'react';
import { useId, useMemo, useState } from 'react';
import type {
  EntityRecord,
  NoticeRecord,
  NoticeStatus,
  NoticeType,
} from '../../shared/model/index.ts';
import { captionOf, getSchema, isEdgeSchema } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import type { NoticeInput } from '../db/repository.types.ts';
import { editorKeyDown, reportSaveError } from '../core/saveError.ts';
import type { NoticeDraft } from './noticeLifecycle.ts';
import {
  NOTICE_STATUS_LABELS,
  NOTICE_TYPES,
  statusChoices,
  validateNotice,
} from './noticeLifecycle.ts';

interface NoticeFormProps {
  readonly caseId: string;
  readonly notice?: NoticeRecord;
  readonly entities: readonly EntityRecord[];
  readonly defaultSubjectId?: string;
  readonly onDone: () => void;
}

/** Create or edit a notice; the status select offers only the lifecycle's allowed next steps. */
export function NoticeForm({
  caseId,
  notice,
  entities,
  defaultSubjectId,
  onDone,
}: NoticeFormProps) {
  const app = useAppServices();
  const { repository, settings } = app;
  const id = useId();
  const [draft, setDraft] = useState<NoticeDraft>({
    noticeType: notice?.noticeType ?? 'red',
    reference: notice?.reference ?? '',
    issuingAgency: notice?.issuingAgency ?? settings.agencyName,
    status: notice?.status ?? 'requested',
    summary: notice?.summary ?? '',
    subjectId: notice?.subjectId ?? defaultSubjectId,
    issuedOn: notice?.issuedOn ?? '',
    expiresOn: notice?.expiresOn ?? '',
  });
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [saving, setSaving] = useState(false);
  const subjects = useMemo(
    () =>
      entities
        .filter((entity) => !isEdgeSchema(entity.schema))
        .map((entity) => ({
          value: entity.id,
          label: `${captionOf(entity.schema, entity.properties)} (${getSchema(entity.schema).label})`,
        }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    [entities],
  );
  const set = (patch: Partial<NoticeDraft>) => setDraft({ ...draft, ...patch });

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (saving) return;
    const problems = validateNotice(draft, notice?.status);
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const input: NoticeInput = {
      noticeType: draft.noticeType,
      reference: draft.reference.trim(),
      issuingAgency: draft.issuingAgency.trim(),
      status: draft.status,
      summary: draft.summary.trim(),
      subjectId: draft.subjectId || undefined,
      issuedOn: draft.issuedOn?.trim() || undefined,
      expiresOn: draft.expiresOn?.trim() || undefined,
    };
    setSaving(true);
    try {
      if (notice) await repository.updateNotice(notice.id, input);
      else await repository.createNotice(caseId, input);
      onDone();
    } catch (error) {
      reportSaveError(error, setErrors, app.notify);
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = editorKeyDown(onDone, submit);

  const field = (name: keyof NoticeDraft, label: string, input: ReactNode) => (
    <div className="notices-field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {input}
      {errors[name] && (
        <p className="notices-error" data-testid={`notice-error-${name}`}>
          {errors[name]}
        </p>
      )}
    </div>
  );
  const text = (
    name: 'reference' | 'issuingAgency' | 'issuedOn' | 'expiresOn',
    placeholder?: string,
  ) => (
    <input
      id={`${id}-${name}`}
      data-testid={`notice-${name}`}
      type="text"
      placeholder={placeholder}
      value={draft[name] ?? ''}
      aria-invalid={errors[name] ? true : undefined}
      onChange={(event) => set({ [name]: event.target.value })}
    />
  );

  return (
    <form
      className="notices-form"
      data-testid="notice-form"
      noValidate
      onSubmit={(event) => void submit(event)}
      onKeyDown={onKeyDown}
    >
      {field(
        'noticeType',
        'Type',
        <select
          id={`${id}-noticeType`}
          data-testid="notice-type"
          value={draft.noticeType}
          autoFocus
          onChange={(event) => set({ noticeType: event.target.value as NoticeType })}
        >
          {Object.entries(NOTICE_TYPES).map(([type, info]) => (
            <option key={type} value={type}>
              {info.label} — {info.purpose}
            </option>
          ))}
        </select>,
      )}
      {field('reference', 'Reference', text('reference', 'e.g. A-1234/5-2024'))}
      {field(
        'subjectId',
        'Subject',
        <select
          id={`${id}-subjectId`}
          data-testid="notice-subject"
          value={draft.subjectId ?? ''}
          onChange={(event) => set({ subjectId: event.target.value })}
        >
          <option value="">—</option>
          {subjects.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>,
      )}
      {field('issuingAgency', 'Issuing agency', text('issuingAgency'))}
      {field(
        'status',
        'Status',
        <select
          id={`${id}-status`}
          data-testid="notice-status"
          value={draft.status}
          onChange={(event) => set({ status: event.target.value as NoticeStatus })}
        >
          {statusChoices(notice?.status).map((status) => (
            <option key={status} value={status}>
              {NOTICE_STATUS_LABELS[status]}
            </option>
          ))}
        </select>,
      )}
      <div className="notices-row">
        {field('issuedOn', 'Issued on', text('issuedOn', 'YYYY-MM-DD'))}
        {field('expiresOn', 'Expires on', text('expiresOn', 'YYYY-MM-DD'))}
      </div>
      {field(
        'summary',
        'Summary',
        <textarea
          id={`${id}-summary`}
          data-testid="notice-summary"
          rows={3}
          value={draft.summary}
          onChange={(event) => set({ summary: event.target.value })}
        />,
      )}
      <div className="notices-actions">
        <button type="submit" data-testid="notice-save" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
