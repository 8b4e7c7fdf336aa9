import { useState } from 'react';
import type { AnyRecord, AuditEntry } from '../../shared/model/index.ts';
import { useHistory } from '../db/queries.ts';
import type { FieldChange } from './auditDiff.ts';
import { diffRecords, pathLabel } from './auditDiff.ts';
import { formatIsoTime } from './time.ts';
import { TableHead } from '../core/TableHead.tsx';
import './audit.css';

export interface HistoryPanelProps {
  readonly recordId: string;
}

const ACTION_LABELS: Readonly<Record<AuditEntry['action'], string>> = {
  create: 'Created',
  update: 'Changed',
  delete: 'Deleted',
  restore: 'Restored',
  import: 'Imported',
  merge: 'Merged',
};

/** The audit trail of one record, newest first, each entry with an expandable field diff. */
export function HistoryPanel({ recordId }: HistoryPanelProps) {
  const history = useHistory(recordId);
  const entries = history ? [...history].sort((a, b) => (a.hlc < b.hlc ? 1 : -1)) : undefined;
  return (
    <section className="audit-panel" aria-label="History" data-testid="history-panel">
      <h3>History</h3>
      {!entries ? (
        <p className="audit-muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="audit-muted">No recorded changes.</p>
      ) : (
        <ol className="audit-list">
          {entries.map((entry) => (
            <HistoryEntry key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
    </section>
  );
}

function HistoryEntry({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const changes = open ? diffRecords(entry.before, entry.after) : [];
  const record = entry.after ?? entry.before;
  return (
    <li className="audit-entry" data-testid="history-entry">
      <div className="audit-entry-head">
        <span className={`audit-action audit-action-${entry.action}`}>
          {ACTION_LABELS[entry.action]}
        </span>
        <span className="audit-who">{entry.actor}</span>
        <time dateTime={entry.at} className="audit-muted">
          {formatIsoTime(entry.at)}
        </time>
        <button
          type="button"
          className="audit-toggle"
          aria-expanded={open}
          data-testid="history-entry-toggle"
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide changes' : 'Show changes'}
        </button>
      </div>
      {entry.summary && <p className="audit-summary">{entry.summary}</p>}
      {open && <DiffTable changes={changes} record={record} />}
    </li>
  );
}

function fieldLabel(path: string, record: AnyRecord | undefined): string {
  return pathLabel(path, record?.kind === 'entity' ? record.schema : undefined);
}

function DiffTable({ changes, record }: { changes: readonly FieldChange[]; record?: AnyRecord }) {
  if (changes.length === 0) return <p className="audit-muted">No field changed.</p>;
  return (
    <table className="audit-diff" data-testid="history-diff">
      <TableHead columns={['Field', 'Before', 'After']} />
      <tbody>
        {changes.map((change) => (
          <tr key={change.path}>
            <th scope="row">{fieldLabel(change.path, record)}</th>
            <td className="audit-before">
              <Side change={change} side="before" />
            </td>
            <td className="audit-after">
              <Side change={change} side="after" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One side of a change; list fields show every value, marking those removed or added. */
function Side({ change, side }: { change: FieldChange; side: 'before' | 'after' }) {
  const values = side === 'before' ? change.beforeValues : change.afterValues;
  if (!values) return <>{(side === 'before' ? change.before : change.after) ?? '—'}</>;
  if (values.length === 0) return <>—</>;
  const marked = new Set(side === 'before' ? change.removed : change.added);
  const kind = side === 'before' ? 'removed' : 'added';
  return (
    <>
      {values.map((value, index) => (
        <span
          key={index}
          className={marked.has(value) ? `audit-value audit-${kind}` : 'audit-value'}
        >
          {marked.has(value) ? (kind === 'added' ? '+ ' : '− ') : ''}
          {value}
        </span>
      ))}
    </>
  );
}
