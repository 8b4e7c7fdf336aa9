import type { FormEvent } from 'react';
import { ConfirmDelete } from '../core/ConfirmDelete.tsx';
import { ListHeader } from '../core/ListHeader.tsx';
import { useId, useState } from 'react';
import type { NoteRecord } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { formatHlcTime } from '../audit/time.ts';
import { useNotes } from '../db/queries.ts';
import { describeSaveError, editorKeyDown, reportSaveError } from '../core/saveError.ts';
import { lengthProblem, noteSizeProblem, SHORT_TEXT_LIMIT } from '../../shared/model/limits.ts';
import { useUnsavedChangesGuard } from '../platform/unsavedChanges.ts';
import '../core/common.css';
import './notes.css';

/** `editing` holds this instead of a record id while a new record is being written. */
const NEW = '';

export interface NotesPanelProps {
  readonly caseId: string;
  /** Show and add only the notes about this entity; all of the case's otherwise. */
  readonly entityId?: string;
}

/** Notes of a case or an entity: list, add, edit, delete. */
export function NotesPanel({ caseId, entityId }: NotesPanelProps) {
  const app = useAppServices();
  const { repository } = app;
  const all = useNotes(caseId);
  const notes = entityId ? all?.filter((note) => note.entityId === entityId) : all;
  const [editing, setEditing] = useState<string>();
  const [confirmId, setConfirmId] = useState<string>();

  const remove = async (note: NoteRecord) => {
    setConfirmId(undefined);
    try {
      await repository.deleteNote(note.id);
    } catch (error) {
      app.notify(describeSaveError(error).message ?? 'Not deleted', 'error');
    }
  };

  return (
    <section className="notes-panel" aria-label="Notes" data-testid="notes-panel">
      <ListHeader
        title="Notes"
        count={notes?.length}
        addLabel="Add note"
        addTestId="note-add"
        onAdd={editing === NEW ? undefined : () => setEditing(NEW)}
      />
      {editing === NEW && (
        <NoteForm
          onSubmit={async (input) => {
            await repository.createNote(caseId, { ...input, entityId });
          }}
          onDone={() => setEditing(undefined)}
        />
      )}
      {!notes ? (
        <p className="notes-muted">Loading…</p>
      ) : notes.length === 0 && editing !== NEW ? (
        <p className="notes-muted">No notes.</p>
      ) : (
        <ul className="notes-list">
          {[...notes]
            .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
            .map((note) =>
              editing === note.id ? (
                <li key={note.id}>
                  <NoteForm
                    note={note}
                    onSubmit={async (input) => {
                      await repository.updateNote(note.id, input);
                    }}
                    onDone={() => setEditing(undefined)}
                  />
                </li>
              ) : (
                <li key={note.id} className="notes-item" data-testid={`note-${note.id}`}>
                  <h4>{note.title || 'Untitled'}</h4>
                  <p className="notes-meta">
                    {note.author} · {formatHlcTime(note.updatedAt)}
                    {note.updatedAt !== note.createdAt ? ' (edited)' : ''}
                  </p>
                  <p className="notes-body">{note.body}</p>
                  <div className="notes-actions">
                    <button type="button" onClick={() => setEditing(note.id)}>
                      Edit
                    </button>
                    <ConfirmDelete
                      confirming={confirmId === note.id}
                      onAsk={() => setConfirmId(note.id)}
                      onKeep={() => setConfirmId(undefined)}
                      onConfirm={() => void remove(note)}
                      dangerClassName="notes-danger"
                      confirmTestId={`note-delete-confirm-${note.id}`}
                    />
                  </div>
                </li>
              ),
            )}
        </ul>
      )}
    </section>
  );
}

interface NoteFormProps {
  readonly note?: NoteRecord;
  readonly onSubmit: (input: { title: string; body: string }) => Promise<void>;
  readonly onDone: () => void;
}

function NoteForm({ note, onSubmit, onDone }: NoteFormProps) {
  const app = useAppServices();
  const [title, setTitle] = useState(note?.title ?? '');
  const [body, setBody] = useState(note?.body ?? '');
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [saving, setSaving] = useState(false);
  const id = useId();
  useUnsavedChangesGuard(title !== (note?.title ?? '') || body !== (note?.body ?? ''));

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (saving) return;
    const problems: Record<string, string> = {};
    if (title.trim() === '' && body.trim() === '') problems.body = 'Write a title or some text';
    const titleProblem = lengthProblem('Title', title, SHORT_TEXT_LIMIT);
    if (titleProblem) problems.title = titleProblem;
    // Checked before anything is sent: a 2 MB note used to fail after seconds with zod's wording.
    const sizeProblem = noteSizeProblem(body);
    if (sizeProblem) problems.body = sizeProblem;
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setSaving(true);
    try {
      await onSubmit({ title: title.trim(), body });
      onDone();
    } catch (error) {
      reportSaveError(error, setErrors, app.notify);
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = editorKeyDown(onDone, submit);

  return (
    <form
      className="notes-form"
      data-testid="note-form"
      noValidate
      onSubmit={(event) => void submit(event)}
      onKeyDown={onKeyDown}
    >
      <label htmlFor={`${id}-title`}>Title</label>
      <input
        id={`${id}-title`}
        data-testid="note-title"
        type="text"
        value={title}
        autoFocus
        onChange={(event) => setTitle(event.target.value)}
      />
      {errors.title && <p className="notes-error">{errors.title}</p>}
      <label htmlFor={`${id}-body`}>Text</label>
      <textarea
        id={`${id}-body`}
        data-testid="note-body"
        rows={5}
        value={body}
        onChange={(event) => setBody(event.target.value)}
      />
      {(errors.body ?? noteSizeProblem(body)) && (
        <p className="notes-error" data-testid="note-error">
          {errors.body ?? noteSizeProblem(body)}
        </p>
      )}
      <div className="notes-actions">
        <button type="submit" data-testid="note-save" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
