import { useMemo, useState } from 'react';
import { captionOf, edgeEnds } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { mergeEntitiesInCase, undoMergeInCase } from '../db/mergeRepository.ts';
import { RecordValidationError } from '../db/repository.types.ts';
import { pairKey } from './duplicatesModel.ts';
import { PairReview } from './PairReview.tsx';
import { useDuplicates } from './useDuplicates.ts';
import '../core/common.css';
import './resolution.css';

export interface DuplicatesPanelProps {
  readonly caseId: string;
  readonly onSelectEntity?: (entityId: string) => void;
}

/** Likely duplicate entities of the case, reviewed pair by pair; merges can be undone. */
export function DuplicatesPanel({ caseId, onSelectEntity }: DuplicatesPanelProps) {
  const { notify } = useAppServices();
  const state = useDuplicates(caseId);
  const { candidates, byId, merges, backend } = state;
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const list = candidates ?? [];
  const index = Math.max(
    0,
    list.findIndex((c) => pairKey(c.a, c.b) === selectedKey),
  );
  const current = list[index];
  const left = current && byId.get(current.a);
  const right = current && byId.get(current.b);
  const linkCounts = useMemo(() => {
    const counts = { left: 0, right: 0 };
    if (!current) return counts;
    for (const entity of state.entities ?? []) {
      const ends = edgeEnds(entity.schema, entity.properties);
      if (!ends) continue;
      if (ends.source === current.a || ends.target === current.a) counts.left += 1;
      if (ends.source === current.b || ends.target === current.b) counts.right += 1;
    }
    return counts;
  }, [current, state.entities]);

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    try {
      notify(await work());
    } catch (error) {
      const message =
        error instanceof RecordValidationError
          ? `The merged entity would be invalid: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      notify(message, 'error');
    } finally {
      setBusy(false);
    }
  };

  const merge = (keepId: string, dropId: string) =>
    void run(async () => {
      const outcome = await mergeEntitiesInCase(backend.work, keepId, dropId);
      onSelectEntity?.(keepId);
      const caption = captionOf(outcome.kept.schema, outcome.kept.properties);
      return `Merged into ${caption}; ${outcome.repointed} linked record${outcome.repointed === 1 ? '' : 's'} moved.`;
    });

  const undo = (changeId: string) =>
    void run(async () => {
      await undoMergeInCase(backend.work, changeId);
      return 'Merge undone.';
    });

  const status = state.error
    ? `Duplicate search failed: ${state.error}`
    : candidates === undefined
      ? 'Looking for duplicates…'
      : `${list.length} possible duplicate pair${list.length === 1 ? '' : 's'}${state.scanning ? ' (updating…)' : ''}`;

  return (
    <section className="resolution-panel" aria-label="Duplicates" data-testid="duplicates-panel">
      <div className="resolution-side">
        <p className="resolution-status" data-testid="duplicates-status" aria-live="polite">
          {status}
        </p>
        <ol className="row-list resolution-pairs" data-testid="duplicates-list">
          {list.map((c, i) => (
            <li key={pairKey(c.a, c.b)}>
              <button
                type="button"
                className={
                  i === index
                    ? 'row-list-button resolution-pair resolution-pair-active'
                    : 'row-list-button resolution-pair'
                }
                onClick={() => setSelectedKey(pairKey(c.a, c.b))}
                data-testid={`duplicate-pair-${i}`}
              >
                <span className="resolution-pair-names">
                  {caption(byId.get(c.a))} <span aria-hidden="true">⇄</span>{' '}
                  {caption(byId.get(c.b))}
                </span>
                <span className="resolution-pair-score">{Math.round(c.score * 100)}%</span>
              </button>
            </li>
          ))}
        </ol>
        <h3 className="resolution-heading">Merges</h3>
        {merges && merges.length > 0 ? (
          <ul className="row-list resolution-merges" data-testid="duplicates-merges">
            {merges.slice(0, 20).map((m) => (
              <li key={m.changeId}>
                <span>
                  {m.droppedCaption} → {m.keptCaption}
                  <span className="resolution-merge-meta">
                    {' '}
                    {new Date(m.at).toLocaleString()} · {m.actor}
                  </span>
                </span>
                {m.undoable ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => undo(m.changeId)}
                    data-testid={`merge-undo-${m.changeId}`}
                  >
                    Undo
                  </button>
                ) : (
                  <span className="resolution-merge-meta">undone</span>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="resolution-merge-meta">No merges in this case yet.</p>
        )}
      </div>
      <div className="resolution-main">
        {current && left && right ? (
          <>
            <div className="resolution-nav">
              <button
                type="button"
                disabled={index === 0}
                onClick={() => setSelectedKey(pairKey(list[index - 1].a, list[index - 1].b))}
                data-testid="duplicate-prev"
              >
                ← Previous
              </button>
              <span>
                Pair {index + 1} of {list.length}
              </span>
              <button
                type="button"
                disabled={index >= list.length - 1}
                onClick={() => setSelectedKey(pairKey(list[index + 1].a, list[index + 1].b))}
                data-testid="duplicate-next"
              >
                Next →
              </button>
            </div>
            <PairReview
              key={pairKey(current.a, current.b)}
              candidate={current}
              left={left}
              right={right}
              busy={busy}
              linkCounts={linkCounts}
              onMerge={merge}
              onDismiss={() => state.dismiss(current)}
              onSelectEntity={onSelectEntity}
            />
          </>
        ) : (
          <p className="resolution-empty">
            {candidates === undefined ? '' : 'Nothing to review: no likely duplicates remain.'}
          </p>
        )}
      </div>
    </section>
  );
}

function caption(
  entity: { schema: string; properties: Record<string, readonly string[]> } | undefined,
) {
  return entity ? captionOf(entity.schema, entity.properties) : '…';
}
