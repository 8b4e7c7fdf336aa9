import { useMemo, useState } from 'react';
import type { StagedBundle } from '../../shared/contract/exchange.ts';
import { describeMarkings } from '../../shared/exchange/markings.ts';
import { useAppServices } from '../core/context.ts';
import { applyAccepted } from '../db/exchangeApply.ts';
import type { ReviewItem, ReviewModel } from '../db/exchangeApply.ts';
import { RecordValidationError } from '../db/repository.types.ts';
import { downloadToBlob } from '../platform/serviceClient.ts';
import { useExchangeDeps } from './exchangeDeps.ts';
import {
  conflictIds,
  decideAllConflicts,
  fieldLabel,
  formatValue,
  initialDecisions,
  reviewCounts,
  toggleItem,
} from './exchangeModel.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { readableDate } from '../../shared/model/readable.ts';

export interface ReviewScreenProps {
  readonly staged: StagedBundle;
  readonly review: ReviewModel;
  /** ISO date until which received material may be kept (the agreement with the sender). */
  readonly retainUntil?: string;
  /** Called when the screen closes: `applied` is true after "Apply", false after "Later". */
  readonly onDone: (applied: boolean) => void;
}

/** The FtM schema of an entity item, so its properties show their labels. */
function schemaOf(item: ReviewItem): string | undefined {
  return item.incoming.kind === 'entity' ? item.incoming.schema : undefined;
}

function ItemRow({
  item,
  accepted,
  onToggle,
  localAgency,
  undecided,
}: {
  item: ReviewItem;
  accepted: boolean;
  undecided: boolean;
  onToggle: (on: boolean) => void;
  localAgency: string;
}) {
  const foreign = item.incoming.originAgency !== localAgency;
  const conflictFields = new Set(item.conflicts.map((c) => c.field));
  const rows = item.changes;
  return (
    <li
      className={`exchange-review-item exchange-review-${item.status}`}
      data-testid={`review-item-${item.id}`}
      data-status={item.status}
    >
      <div className="exchange-review-head">
        <label className="exchange-check">
          <input
            type="checkbox"
            checked={accepted}
            disabled={item.problems.length > 0}
            onChange={(e) => onToggle(e.target.checked)}
            data-testid={`review-accept-${item.id}`}
          />
          <strong>{item.caption}</strong>
          {item.status === 'conflict' && (
            <span className="muted" data-testid={`review-choice-${item.id}`}>
              {undecided ? ' (undecided)' : accepted ? ' (take theirs)' : ' (keep mine)'}
            </span>
          )}
        </label>
        <span className={`exchange-badge exchange-badge-${item.status}`}>{item.status}</span>
        {foreign && (
          <span className="exchange-origin" data-testid={`review-origin-${item.id}`}>
            from {item.incoming.originAgency} · {describeMarkings(item.incoming.markings)}
          </span>
        )}
      </div>
      {item.problems.length > 0 && <p className="exchange-error">{item.problems.join('; ')}</p>}
      {rows.length > 0 && (
        <table className="exchange-table exchange-diff">
          <thead>
            <tr>
              <th>Field</th>
              <th>Here</th>
              <th>Incoming</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.field}
                className={conflictFields.has(row.field) ? 'exchange-conflict-row' : undefined}
              >
                <td>{fieldLabel(row.field, schemaOf(item))}</td>
                <td data-testid={`review-local-${item.id}`}>{formatValue(row.before)}</td>
                <td data-testid={`review-remote-${item.id}`}>{formatValue(row.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {item.conflicts.length > 0 && (
        <p className="muted">
          Both sides changed this since the last exchange. Tick it to take the incoming value; leave
          it unticked to keep yours (and send it back).
        </p>
      )}
    </li>
  );
}

/** New, changed and conflicting items side by side; accept or reject each or all; apply. */
export function ReviewScreen({ staged, review, retainUntil, onDone }: ReviewScreenProps) {
  const { services, settings, notify } = useAppServices();
  const deps = useExchangeDeps();
  const [accepted, setAccepted] = useState<ReadonlySet<string>>(() => initialDecisions(review));
  const [proposals, setProposals] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const counts = useMemo(() => reviewCounts(review), [review]);
  // Conflicts start undecided; applying waits until each has an answer (issue 12).
  const conflicts = useMemo(() => conflictIds(review), [review]);
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const undecided = conflicts.filter((id) => !decided.has(id)).length;
  const decideAll = (take: 'mine' | 'theirs') => {
    setAccepted(decideAllConflicts(review, accepted, take));
    setDecided(new Set(conflicts));
  };

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      const blobs = new Map<string, Blob>();
      for (const part of staged.attachments) {
        const item = review.items.find((i) => i.id === part.recordId);
        if (!part.recordId || !item || item.status !== 'new' || !accepted.has(part.recordId))
          continue;
        const content = await downloadToBlob(services, {
          kind: 'staged-attachment',
          bundleRef: staged.bundleRef,
          name: part.name,
        });
        blobs.set(part.recordId, content.blob);
      }
      const result = await applyAccepted(deps, review, {
        acceptedIds: accepted,
        acceptedProposals: proposals,
        attachmentBlobs: blobs,
        ...(retainUntil ? { retainUntil } : {}),
      });
      const acceptedIds = review.items.filter((i) => accepted.has(i.id)).map((i) => i.id);
      const rejectedIds = review.items.filter((i) => !accepted.has(i.id)).map((i) => i.id);
      await services['exchange.import.complete']({
        bundleRef: staged.bundleRef,
        acceptedIds,
        rejectedIds,
      });
      notify(`Import applied: ${result.written} records written`);
      onDone(true);
    } catch (err) {
      setError(
        err instanceof RecordValidationError
          ? Object.values(err.errors).join('\n')
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="exchange-review" data-testid="review-screen">
      <p>
        Bundle #{staged.sequence} from <strong>{staged.sender.agencyName}</strong> (
        {staged.sender.agencyId}), sealed {readableDate(staged.createdAt)}:{' '}
        <span data-testid="review-counts">
          {counts.new} new, {counts.changed} changed, {counts.conflict} conflicting
        </span>
        {review.unchanged > 0 && <span className="muted"> · {review.unchanged} already here</span>}
      </p>
      {staged.incoming.status !== 'next' && (
        <p className="exchange-warning">{staged.incoming.message}</p>
      )}
      {review.rejected.length > 0 && (
        <details className="exchange-warning">
          <summary>{review.rejected.length} changes refused</summary>
          <ul>
            {review.rejected.map((r, i) => (
              <li key={i}>{r.reason}</li>
            ))}
          </ul>
        </details>
      )}
      <div className="exchange-actions">
        <button
          type="button"
          onClick={() =>
            setAccepted(
              new Set([...initialDecisions(review), ...conflicts.filter((id) => accepted.has(id))]),
            )
          }
          data-testid="review-accept-all"
        >
          Accept all
        </button>
        <button
          type="button"
          onClick={() => {
            setAccepted(new Set());
            setDecided(new Set(conflicts));
          }}
          data-testid="review-reject-all"
        >
          Reject all
        </button>
        {conflicts.length > 0 && (
          <>
            <button type="button" onClick={() => decideAll('mine')} data-testid="review-keep-mine">
              Keep mine for all conflicts
            </button>
            <button
              type="button"
              onClick={() => decideAll('theirs')}
              data-testid="review-take-theirs"
            >
              Take theirs for all conflicts
            </button>
          </>
        )}
      </div>
      {review.items.length === 0 && <p className="muted">Nothing new in this bundle.</p>}
      <ul className="exchange-review-list">
        {review.items.map((item) => (
          <ItemRow
            key={item.id}
            item={item}
            accepted={accepted.has(item.id)}
            localAgency={settings.agencyId}
            undecided={item.status === 'conflict' && !decided.has(item.id)}
            onToggle={(on) => {
              setAccepted(toggleItem(review, accepted, item.id, on));
              if (item.status === 'conflict') setDecided(new Set([...decided, item.id]));
            }}
          />
        ))}
      </ul>
      {review.proposals.length > 0 && (
        <table className="exchange-table" data-testid="review-proposals">
          <caption>Proposed by partners (only the originator decides)</caption>
          <tbody>
            {review.proposals.map((p) => (
              <tr key={p.key}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Take the proposal for ${p.caption}`}
                    disabled={!p.acceptable}
                    checked={proposals.has(p.key)}
                    onChange={(e) => {
                      const next = new Set(proposals);
                      if (e.target.checked) next.add(p.key);
                      else next.delete(p.key);
                      setProposals(next);
                    }}
                  />
                </td>
                <td>
                  {p.caption}: {fieldLabel(p.field)}
                </td>
                <td>{formatValue(p.current)}</td>
                <td>→ {formatValue(p.proposed)}</td>
                <td className="muted">
                  {p.agency}: {p.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <p className="exchange-error exchange-pre" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => onDone(false)}>
          Later
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || undecided > 0}
          title={undecided > 0 ? 'Decide each conflict first' : undefined}
          onClick={() => void apply()}
          data-testid="review-apply"
        >
          {undecided > 0
            ? `Decide ${undecided} conflict${undecided === 1 ? '' : 's'} first`
            : `Apply ${accepted.size} of ${review.items.length}`}
        </button>
      </div>
    </div>
  );
}
