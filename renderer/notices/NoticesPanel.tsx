import { useState } from 'react';
import { ConfirmDelete } from '../core/ConfirmDelete.tsx';
import { ListHeader } from '../core/ListHeader.tsx';
import type { NoticeRecord } from '../../shared/model/index.ts';
import { captionOf } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { useEntities, useNotices } from '../db/queries.ts';
import { describeSaveError } from '../core/saveError.ts';
import { NoticeForm } from './NoticeForm.tsx';
import { NOTICE_STATUS_LABELS, NOTICE_TYPES } from './noticeLifecycle.ts';
import '../core/common.css';
import './notices.css';

/** `editing` holds this instead of a record id while a new record is being written. */
const NEW = '';

export interface NoticesPanelProps {
  readonly caseId: string;
  /** Show only the notices about this entity, and make it the subject of new ones. */
  readonly subjectId?: string;
  /** Follow a link to the subject entity. */
  readonly onSelectEntity?: (entityId: string) => void;
}

/** Interpol-style notices (and diffusions, warrants, alerts) of a case. */
export function NoticesPanel({ caseId, subjectId, onSelectEntity }: NoticesPanelProps) {
  const app = useAppServices();
  const { repository } = app;
  const all = useNotices(caseId);
  const entities = useEntities(caseId);
  const notices = subjectId ? all?.filter((notice) => notice.subjectId === subjectId) : all;
  const [editing, setEditing] = useState<string>();
  const [confirmId, setConfirmId] = useState<string>();
  const byId = new Map((entities ?? []).map((entity) => [entity.id, entity]));

  const remove = async (notice: NoticeRecord) => {
    setConfirmId(undefined);
    try {
      await repository.deleteNotice(notice.id);
    } catch (error) {
      app.notify(describeSaveError(error).message ?? 'Not deleted', 'error');
    }
  };

  const subject = (id: string | undefined) => {
    if (!id) return null;
    const entity = byId.get(id);
    const name = entity ? captionOf(entity.schema, entity.properties) : id;
    return onSelectEntity && entity ? (
      <button type="button" className="notices-link" onClick={() => onSelectEntity(id)}>
        {name}
      </button>
    ) : (
      <span>{name}</span>
    );
  };

  return (
    <section className="notices-panel" aria-label="Notices" data-testid="notices-panel">
      <ListHeader
        title="Notices"
        count={notices?.length}
        addLabel="New notice"
        addTestId="notice-add"
        onAdd={editing === NEW ? undefined : () => setEditing(NEW)}
      />
      {editing === NEW && (
        <NoticeForm
          caseId={caseId}
          entities={entities ?? []}
          defaultSubjectId={subjectId}
          onDone={() => setEditing(undefined)}
        />
      )}
      {!notices ? (
        <p className="notices-muted">Loading…</p>
      ) : notices.length === 0 ? (
        <p className="notices-muted">No notices.</p>
      ) : (
        <ul className="notices-list">
          {notices.map((notice) => {
            const type = NOTICE_TYPES[notice.noticeType];
            if (editing === notice.id) {
              return (
                <li key={notice.id}>
                  <NoticeForm
                    caseId={caseId}
                    notice={notice}
                    entities={entities ?? []}
                    onDone={() => setEditing(undefined)}
                  />
                </li>
              );
            }
            return (
              <li key={notice.id} className="notices-item" data-testid={`notice-${notice.id}`}>
                <span
                  className="notices-chip"
                  style={{ background: type.colour, color: type.ink }}
                  title={type.purpose}
                >
                  {type.label}
                </span>
                <span className="notices-reference">{notice.reference}</span>
                {subject(notice.subjectId)}
                <span className={`notices-status notices-status-${notice.status}`}>
                  {NOTICE_STATUS_LABELS[notice.status]}
                </span>
                <span className="notices-muted">
                  {notice.issuingAgency}
                  {notice.issuedOn ? ` · issued ${notice.issuedOn}` : ''}
                  {notice.expiresOn ? ` · expires ${notice.expiresOn}` : ''}
                </span>
                {notice.summary && <p className="notices-summary">{notice.summary}</p>}
                <span className="notices-actions">
                  <button type="button" onClick={() => setEditing(notice.id)}>
                    Edit
                  </button>
                  <ConfirmDelete
                    confirming={confirmId === notice.id}
                    onAsk={() => setConfirmId(notice.id)}
                    onKeep={() => setConfirmId(undefined)}
                    onConfirm={() => void remove(notice)}
                    dangerClassName="notices-danger"
                  />
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
