import type { DragEvent } from 'react';
import { ConfirmDelete } from '../core/ConfirmDelete.tsx';
import { useEffect, useId, useState } from 'react';
import type { AttachmentRecord } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { useAttachments } from '../db/queries.ts';
import { describeSaveError } from '../core/saveError.ts';
import { DuplicateAttachmentError } from '../db/repository.types.ts';
import { formatBytes, mediaTypeOf, previewKind, shortHash } from './attachmentFormat.ts';
import './attachments.css';
import { errorMessage } from '../../shared/base/errors.ts';

interface Duplicate {
  readonly file: File;
  readonly existing: AttachmentRecord;
}

export interface AttachmentsPanelProps {
  readonly caseId: string;
  /** Show and add only the attachments of this entity; all of the case's otherwise. */
  readonly entityId?: string;
}

/** Files attached to a case or an entity: add (picker or drop), list, preview, save, delete. */
export function AttachmentsPanel({ caseId, entityId }: AttachmentsPanelProps) {
  const app = useAppServices();
  const { repository } = app;
  const all = useAttachments(caseId);
  const attachments = entityId ? all?.filter((a) => a.entityId === entityId) : all;
  const [busy, setBusy] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [previewId, setPreviewId] = useState<string>();
  const [confirmId, setConfirmId] = useState<string>();
  const inputId = useId();

  // Files refused because the same content is already attached: the person decides each.
  const [duplicates, setDuplicates] = useState<readonly Duplicate[]>([]);

  const addFiles = async (files: readonly File[], allowDuplicate = false) => {
    setBusy((count) => count + files.length);
    for (const file of files) {
      try {
        await repository.addAttachment(caseId, {
          fileName: file.name,
          mediaType: mediaTypeOf(file),
          content: file,
          entityId,
          allowDuplicate,
        });
      } catch (error) {
        if (error instanceof DuplicateAttachmentError) {
          const existing = error.existing;
          setDuplicates((list) => [...list, { file, existing }]);
        } else {
          app.notify(`${file.name}: ${describeSaveError(error).message ?? 'not added'}`, 'error');
        }
      } finally {
        setBusy((count) => count - 1);
      }
    }
  };

  const save = async (attachment: AttachmentRecord) => {
    try {
      const blob = await repository.getAttachmentContent(attachment.id);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = attachment.fileName;
      anchor.click();
      // The download has started once click() returns; give it a moment before freeing the blob.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      app.notify(`Cannot read ${attachment.fileName}: ${errorMessage(error)}`, 'error');
    }
  };

  const remove = async (attachment: AttachmentRecord) => {
    setConfirmId(undefined);
    try {
      await repository.deleteAttachment(attachment.id);
      if (previewId === attachment.id) setPreviewId(undefined);
    } catch (error) {
      app.notify(describeSaveError(error).message ?? 'Not deleted', 'error');
    }
  };

  const copyHash = async (sha256: string) => {
    try {
      await navigator.clipboard.writeText(sha256);
      app.notify('SHA-256 copied');
    } catch {
      app.notify('The clipboard is not available; select the hash in the tooltip instead', 'error');
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) void addFiles(files);
  };

  const preview = attachments?.find((a) => a.id === previewId);
  return (
    <section className="attachments-panel" aria-label="Attachments" data-testid="attachments-panel">
      <h3>Attachments{attachments ? ` (${attachments.length})` : ''}</h3>
      <div
        className={`attachments-drop${dragging ? ' attachments-drop-active' : ''}`}
        data-testid="attachment-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor={inputId}>Add files</label>
        <input
          id={inputId}
          type="file"
          multiple
          data-testid="attachment-input"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            if (files.length > 0) void addFiles(files);
          }}
        />
        <span className="attachments-muted">or drop them here</span>
        {busy > 0 && <span aria-live="polite">Adding {busy}…</span>}
      </div>
      {duplicates.map(({ file, existing }) => (
        <div
          key={`${existing.id}:${file.name}`}
          className="attachments-duplicate"
          role="alert"
          data-testid="attachment-duplicate"
        >
          <span>
            {file.name} is already attached as “{existing.fileName}” (same SHA-256{' '}
            {shortHash(existing.sha256)}). Not added.
          </span>
          <button
            type="button"
            onClick={() => {
              setDuplicates((list) => list.filter((item) => item.file !== file));
              void addFiles([file], true);
            }}
          >
            Attach a second copy
          </button>
          <button
            type="button"
            data-testid="attachment-duplicate-dismiss"
            onClick={() => setDuplicates((list) => list.filter((item) => item.file !== file))}
          >
            Dismiss
          </button>
        </div>
      ))}
      {!attachments ? (
        <p className="attachments-muted">Loading…</p>
      ) : attachments.length === 0 ? (
        <p className="attachments-muted">No attachments.</p>
      ) : (
        <ul className="attachments-list">
          {attachments.map((attachment) => (
            <li key={attachment.id} data-testid={`attachment-row-${attachment.id}`}>
              <span className="attachments-name">{attachment.fileName}</span>
              <span className="attachments-muted">
                {attachment.mediaType} · {formatBytes(attachment.size)}
              </span>
              <span className="attachments-hash">
                SHA-256{' '}
                <code title={attachment.sha256} data-testid={`attachment-sha256-${attachment.id}`}>
                  {shortHash(attachment.sha256)}
                </code>
                <button
                  type="button"
                  className="attachments-small"
                  aria-label={`Copy the SHA-256 of ${attachment.fileName}`}
                  onClick={() => void copyHash(attachment.sha256)}
                >
                  Copy
                </button>
              </span>
              <span className="attachments-actions">
                {previewKind(attachment.mediaType, attachment.fileName) !== 'none' && (
                  <button
                    type="button"
                    aria-expanded={previewId === attachment.id}
                    data-testid={`attachment-preview-${attachment.id}`}
                    onClick={() =>
                      setPreviewId(previewId === attachment.id ? undefined : attachment.id)
                    }
                  >
                    {previewId === attachment.id ? 'Close' : 'Preview'}
                  </button>
                )}
                <button
                  type="button"
                  data-testid={`attachment-save-${attachment.id}`}
                  onClick={() => void save(attachment)}
                >
                  Save
                </button>
                <ConfirmDelete
                  confirming={confirmId === attachment.id}
                  onAsk={() => setConfirmId(attachment.id)}
                  onKeep={() => setConfirmId(undefined)}
                  onConfirm={() => void remove(attachment)}
                  dangerClassName="attachments-danger"
                  askTestId={`attachment-delete-${attachment.id}`}
                  confirmTestId={`attachment-delete-confirm-${attachment.id}`}
                />
              </span>
            </li>
          ))}
        </ul>
      )}
      {preview && <AttachmentPreview attachment={preview} onSave={() => void save(preview)} />}
    </section>
  );
}

interface PreviewProps {
  readonly attachment: AttachmentRecord;
  readonly onSave: () => void;
}

/**
 * Shows an image in <img> or a PDF in an <iframe>, both from a blob: URL revoked on close. A PDF
 * frame stays blank where the content policy forbids blob: frames or the viewer is missing, so
 * "Open" and "Save" are always offered beside it.
 */
function AttachmentPreview({ attachment, onSave }: PreviewProps) {
  const { repository } = useAppServices();
  const [url, setUrl] = useState<string>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let objectUrl: string | undefined;
    let cancelled = false;
    repository.getAttachmentContent(attachment.id).then(
      (blob) => {
        if (cancelled) return;
        // Re-type the blob so the browser renders it as what the list says it is.
        objectUrl = URL.createObjectURL(
          blob.type ? blob : new Blob([blob], { type: attachment.mediaType }),
        );
        setUrl(objectUrl);
      },
      (error: unknown) => {
        if (!cancelled) setProblem(errorMessage(error));
      },
    );
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [repository, attachment.id, attachment.mediaType]);

  const kind = previewKind(attachment.mediaType, attachment.fileName);
  return (
    <figure className="attachments-preview" data-testid="attachment-preview">
      <figcaption>{attachment.fileName}</figcaption>
      {problem && <p className="attachments-error">Cannot show this file: {problem}</p>}
      {url && kind === 'image' && <img src={url} alt={attachment.fileName} />}
      {url && kind === 'pdf' && (
        <>
          <iframe src={url} title={`Preview of ${attachment.fileName}`} />
          <p className="attachments-muted">
            Blank? Your viewer cannot show PDFs inline:{' '}
            <a href={url} target="_blank" rel="noreferrer">
              Open
            </a>{' '}
            or{' '}
            <button type="button" className="attachments-small" onClick={onSave}>
              Save
            </button>{' '}
            it.
          </p>
        </>
      )}
    </figure>
  );
}
