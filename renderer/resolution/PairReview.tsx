import { useState } from 'react';
import { captionOf, model } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import { canMerge, compareEntities } from './duplicatesModel.ts';

export interface PairReviewProps {
  readonly candidate: DuplicateCandidate;
  readonly left: EntityRecord;
  readonly right: EntityRecord;
  readonly busy: boolean;
  /** Relationships at each end, so two look-alike records can be told apart. */
  readonly linkCounts: { readonly left: number; readonly right: number };
  readonly onMerge: (keepId: string, dropId: string) => void;
  readonly onDismiss: () => void;
  readonly onSelectEntity?: (entityId: string) => void;
}

/** Two entities side by side, every property, differences marked; merge or dismiss. */
export function PairReview(props: PairReviewProps) {
  const { candidate, left, right, busy } = props;
  const [keep, setKeep] = useState<'left' | 'right'>('left');
  const rows = compareEntities(left, right);
  const mergeable = canMerge(left, right);
  const kept = keep === 'left' ? left : right;
  const dropped = keep === 'left' ? right : left;

  const header = (entity: EntityRecord, side: 'left' | 'right') => (
    <th
      scope="col"
      className={keep === side ? 'resolution-keep' : undefined}
      data-entity-id={entity.id}
      data-testid={`duplicate-side-${side}`}
    >
      <label className="resolution-keep-choice">
        <input
          type="radio"
          name="resolution-keep"
          checked={keep === side}
          onChange={() => setKeep(side)}
          data-testid={`duplicate-keep-${side}`}
        />
        <span>Keep</span>
      </label>
      <button
        type="button"
        className="resolution-entity-link"
        onClick={() => props.onSelectEntity?.(entity.id)}
        title="Show in the details pane"
      >
        {captionOf(entity.schema, entity.properties)}
      </button>
      <span className="resolution-schema">
        {model.schemata[entity.schema]?.label ?? entity.schema} · recorded{' '}
        {entity.provenance.recordedAt.slice(0, 10)} · {props.linkCounts[side]} relationship
        {props.linkCounts[side] === 1 ? '' : 's'}
      </span>
    </th>
  );

  return (
    <div className="resolution-review" data-testid="duplicate-review">
      <div className="resolution-score-line">
        <span className="resolution-score" data-testid="duplicate-score">
          {Math.round(candidate.score * 100)}%
        </span>
        <ul className="resolution-reasons" data-testid="duplicate-reasons">
          {candidate.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      </div>
      <div className="resolution-compare-scroll">
        <table className="resolution-compare" data-testid="duplicate-compare">
          <thead>
            <tr>
              <th scope="col">Property</th>
              {header(left, 'left')}
              {header(right, 'right')}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.property} className={row.differs ? 'resolution-differs' : undefined}>
                <th scope="row">{row.label}</th>
                <td>{row.left.join('; ') || '—'}</td>
                <td>{row.right.join('; ') || '—'}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Source</th>
              <td>{left.provenance.source}</td>
              <td>{right.provenance.source}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <p className="resolution-hint">
        Merging keeps <strong>{captionOf(kept.schema, kept.properties)}</strong> with the values of
        both; relationships, notes, attachments, notices and chart places of{' '}
        <strong>{captionOf(dropped.schema, dropped.properties)}</strong> move to it. Both originals
        stay in the audit trail and the merge can be undone.
      </p>
      <div className="resolution-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || !mergeable}
          title={mergeable ? undefined : 'These types cannot be merged'}
          onClick={() => props.onMerge(kept.id, dropped.id)}
          data-testid="duplicate-merge"
        >
          Merge
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={props.onDismiss}
          data-testid="duplicate-dismiss"
        >
          Not a duplicate
        </button>
      </div>
    </div>
  );
}
