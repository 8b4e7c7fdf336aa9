/**
 * The "Link the selected entity to…" command's first step: choose the other end. Only entities a
 * relationship type or an entity property can join to the source are offered, each with the link
 * the model fits best (shared/model/linkSuggestions.ts); the relationship editor then opens with
 * both ends, as after the chart's link gesture.
 */
import { useMemo, useState } from 'react';
import { captionOf, isEdgeSchema, linkSuggestions } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import { Dialog } from '../core/Dialog.tsx';

export function LinkTargetDialog({
  sourceId,
  entities,
  onChoose,
  onClose,
}: {
  readonly sourceId: string;
  readonly entities: readonly EntityRecord[];
  readonly onChoose: (targetId: string) => void;
  readonly onClose: () => void;
}) {
  const source = entities.find((entity) => entity.id === sourceId);
  const [query, setQuery] = useState('');
  const candidates = useMemo(
    () =>
      !source
        ? []
        : entities
            .filter(
              (entity) =>
                !entity.deleted && entity.id !== source.id && !isEdgeSchema(entity.schema),
            )
            .flatMap((entity) => {
              const best =
                linkSuggestions(source.schema, entity.schema)[0] ??
                linkSuggestions(entity.schema, source.schema)[0];
              return best
                ? [
                    {
                      id: entity.id,
                      caption: captionOf(entity.schema, entity.properties),
                      hint: best.label,
                    },
                  ]
                : [];
            })
            .sort((a, b) => a.caption.localeCompare(b.caption)),
    [entities, source],
  );
  if (!source) return null;
  const needle = query.trim().toLowerCase();
  const shown = candidates.filter((item) => item.caption.toLowerCase().includes(needle));
  return (
    <Dialog title={`Link ${captionOf(source.schema, source.properties)} to…`} onClose={onClose}>
      <input
        // Not type="search": there Escape clears the text instead of closing the dialog.
        type="text"
        data-autofocus
        placeholder="Find an entity…"
        aria-label="Find the other end"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && shown[0]) onChoose(shown[0].id);
        }}
        data-testid="link-target-search"
      />
      <ul className="command-list" data-testid="link-targets">
        {shown.slice(0, 50).map((item) => (
          <li key={item.id}>
            <button type="button" onClick={() => onChoose(item.id)}>
              {item.caption} <span className="muted">{item.hint}</span>
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No entity can be linked to this one.</li>}
      </ul>
    </Dialog>
  );
}
