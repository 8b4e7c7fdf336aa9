import { useMemo, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import {
  captionOf,
  describeGrading,
  edgeEnds,
  formatGrading,
  getSchema,
  isEdgeSchema,
  model,
} from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { AttachmentsPanel } from '../attachments/AttachmentsPanel.tsx';
import { HistoryPanel } from '../audit/HistoryPanel.tsx';
import { formatIsoTime } from '../audit/time.ts';
import { useEntities, useEntity } from '../db/queries.ts';
import { NotesPanel } from '../notes/NotesPanel.tsx';
import { describeSaveError } from '../core/saveError.ts';
import './entity.css';

export interface EntityDetailsProps {
  readonly caseId: string;
  readonly entityId: string;
  /** Follow a link to another entity (references, relationship ends). */
  readonly onSelect: (entityId: string) => void;
  readonly onEdit: (entityId: string) => void;
  /** Called after the entity was deleted (tombstoned). */
  readonly onDeleted?: (entityId: string) => void;
  /** Changes when the Delete command asks for this entity's deletion: confirm as the button does. */
  readonly deleteRequest?: number;
}

/** Read view of one entity or relationship, with its links, attachments, notes and history. */
export function EntityDetails({
  caseId,
  entityId,
  onSelect,
  onEdit,
  onDeleted,
  deleteRequest = 0,
}: EntityDetailsProps) {
  const app = useAppServices();
  const { repository } = app;
  const entity = useEntity(entityId);
  const entities = useEntities(caseId);
  const [confirming, setConfirming] = useState(false);
  const [seenDeleteRequest, setSeenDeleteRequest] = useState(deleteRequest);
  if (deleteRequest !== seenDeleteRequest) {
    setSeenDeleteRequest(deleteRequest);
    setConfirming(true);
  }
  const [showHistory, setShowHistory] = useState(false);
  const byId = useMemo(() => new Map((entities ?? []).map((e) => [e.id, e])), [entities]);
  const links = useMemo(
    () =>
      (entities ?? []).flatMap((edge) => {
        const ends = edgeEnds(edge.schema, edge.properties);
        if (!ends || (ends.source !== entityId && ends.target !== entityId)) return [];
        const outgoing = ends.source === entityId;
        return [{ edge, outgoing, otherId: outgoing ? ends.target : ends.source }];
      }),
    [entities, entityId],
  );

  if (!entity) return <p className="entity-loading">Loading…</p>;
  if (entity.deleted) return <p className="entity-muted">This entity was deleted.</p>;
  const schema = getSchema(entity.schema);
  const caption = captionOf(entity.schema, entity.properties);
  const nameOf = (id: string) => {
    const other = byId.get(id);
    return other ? captionOf(other.schema, other.properties) : id;
  };
  const link = (id: string) =>
    byId.has(id) ? (
      <button type="button" className="entity-link-button" onClick={() => onSelect(id)}>
        {nameOf(id)}
      </button>
    ) : (
      <span className="entity-muted">{id} (not in this case)</span>
    );

  const remove = async () => {
    try {
      await repository.deleteEntity(entity.id);
      app.notify(`Deleted ${caption}`);
      onDeleted?.(entity.id);
    } catch (error) {
      app.notify(describeSaveError(error).message ?? 'Not deleted', 'error');
    } finally {
      setConfirming(false);
    }
  };

  const properties = Object.entries(entity.properties).filter(([, values]) => values.length > 0);
  return (
    <article className="entity-details" data-testid="entity-details" aria-label={caption}>
      <header className="entity-details-header">
        <div>
          <h2 data-testid="entity-caption">{caption}</h2>
          <p className="entity-muted">{schema.label}</p>
        </div>
        <div className="entity-form-actions">
          <button type="button" data-testid="entity-edit" onClick={() => onEdit(entity.id)}>
            Edit
          </button>
          <button type="button" data-testid="entity-delete" onClick={() => setConfirming(true)}>
            Delete
          </button>
          <button
            type="button"
            data-testid="entity-history"
            aria-expanded={showHistory}
            onClick={() => setShowHistory(!showHistory)}
          >
            History
          </button>
        </div>
      </header>
      {confirming && (
        <div className="entity-confirm" role="alertdialog" aria-label="Confirm deletion">
          <p>
            Delete {caption}
            {links.length > 0 ? ` and its ${links.length} relationship(s)` : ''}? Partners who
            received it will be told of the deletion.
          </p>
          <button
            type="button"
            className="entity-danger"
            data-testid="entity-delete-confirm"
            autoFocus
            onClick={() => void remove()}
          >
            Delete
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </div>
      )}
      <dl className="entity-properties">
        {properties.map(([name, values]) => {
          const property = schema.getProperties().get(name);
          return (
            <div key={name} className="entity-property" data-testid={`property-${name}`}>
              <dt>{property?.label ?? name}</dt>
              <dd>
                {values.map((value, index) => (
                  <span key={index} className="entity-value">
                    {property?.type.isEntity
                      ? link(value)
                      : property?.type.name === 'country'
                        ? (model.types.country?.values.get(value) ?? value)
                        : value}
                  </span>
                ))}
              </dd>
            </div>
          );
        })}
      </dl>
      <section className="entity-section" aria-label="Source and handling">
        <h3>Source and handling</h3>
        <dl className="entity-properties">
          <dt>Source</dt>
          <dd>{entity.provenance.source}</dd>
          <dt>Recorded</dt>
          <dd>
            {entity.provenance.recordedBy} ({entity.provenance.originAgency}),{' '}
            {formatIsoTime(entity.provenance.recordedAt)}
          </dd>
          <dt>Grading</dt>
          <dd data-testid="entity-grading">
            <strong>{formatGrading(entity.grading)}</strong> — {describeGrading(entity.grading)}
          </dd>
          <dt>Markings</dt>
          <dd data-testid="entity-markings">
            {entity.markings.classification} · TLP:{entity.markings.tlp}
            {entity.markings.handlingCode ? ` · ${entity.markings.handlingCode}` : ''}
            {entity.markings.referToOriginator ? ' · refer to originator' : ''}
            {entity.markings.releasableTo.length > 0
              ? ` · releasable to ${entity.markings.releasableTo.join(', ')}`
              : ''}
            {entity.markings.retainUntil ? ` · retain until ${entity.markings.retainUntil}` : ''}
          </dd>
        </dl>
      </section>
      {!isEdgeSchema(entity.schema) && (
        <section className="entity-section" aria-label="Relationships">
          <h3>Relationships ({links.length})</h3>
          <ul className="entity-links" data-testid="entity-relationships">
            {links.map(({ edge, outgoing, otherId }) => (
              <li key={edge.id}>
                <RelationshipLabel edge={edge} outgoing={outgoing} onSelect={onSelect} />{' '}
                {link(otherId)}
              </li>
            ))}
            {links.length === 0 && <li className="entity-muted">None yet.</li>}
          </ul>
        </section>
      )}
      <AttachmentsPanel caseId={caseId} entityId={entity.id} />
      <NotesPanel caseId={caseId} entityId={entity.id} />
      {showHistory && <HistoryPanel recordId={entity.id} />}
    </article>
  );
}

function RelationshipLabel(props: {
  edge: EntityRecord;
  outgoing: boolean;
  onSelect: (id: string) => void;
}) {
  const { edge, outgoing, onSelect } = props;
  const label = getSchema(edge.schema).label;
  return (
    <button
      type="button"
      className="entity-link-button entity-edge-label"
      title="Open this relationship"
      onClick={() => onSelect(edge.id)}
    >
      {outgoing ? `${label} →` : `← ${label}`}
    </button>
  );
}
