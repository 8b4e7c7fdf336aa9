import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import {
  captionOf,
  cleanProperties,
  DEFAULT_MARKINGS,
  edgeEnds,
  edgeSchemataBetween,
  getSchema,
  UNGRADED,
} from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { useEntities, useEntity } from '../db/queries.ts';
import { fieldPlan, orderedErrorKeys } from './entityForm.ts';
import { useTypedValues } from './useTypedValues.ts';
import type { MetaValue } from './MetaFields.tsx';
import { MetaFields } from './MetaFields.tsx';
import { ErrorSummary, PropertyFields } from './PropertyFields.tsx';
import { editorKeyDown } from '../core/saveError.ts';
import { saveEntityForm } from './saveEntityForm.ts';
import { SchemaSelect } from './SchemaSelect.tsx';
import './entity.css';

export interface RelationshipEditorProps {
  readonly caseId: string;
  /** The entity the relationship starts from (ignored when editing: the stored ends apply). */
  readonly sourceId: string;
  readonly targetId: string;
  /** Edit this relationship; leave out to create one. */
  readonly entityId?: string;
  readonly onSaved: (relationship: EntityRecord) => void;
  readonly onCancel: () => void;
}

/** Create or edit a relationship (an FtM edge entity) between two entities. */
export function RelationshipEditor(props: RelationshipEditorProps) {
  const existing = useEntity(props.entityId);
  const entities = useEntities(props.caseId);
  if ((props.entityId && !existing) || !entities) return <p className="entity-loading">Loading…</p>;
  const ends = existing ? edgeEnds(existing.schema, existing.properties) : undefined;
  return (
    <RelationshipForm
      key={existing?.id ?? `${props.sourceId}-${props.targetId}`}
      {...props}
      sourceId={ends?.source ?? props.sourceId}
      targetId={ends?.target ?? props.targetId}
      existing={existing}
      entities={entities}
    />
  );
}

interface RelationshipFormProps extends RelationshipEditorProps {
  readonly existing?: EntityRecord;
  readonly entities: readonly EntityRecord[];
}

function RelationshipForm(props: RelationshipFormProps) {
  const { caseId, existing, entities, onSaved, onCancel } = props;
  const app = useAppServices();
  const { repository } = app;
  const [fromId, setFromId] = useState(props.sourceId);
  const [toId, setToId] = useState(props.targetId);
  const byId = useMemo(() => new Map(entities.map((entity) => [entity.id, entity])), [entities]);
  const from = byId.get(fromId);
  const to = byId.get(toId);
  const types = useMemo(
    () => (from && to ? edgeSchemataBetween(from.schema, to.schema) : []),
    [from, to],
  );
  const { schemaName, values, errors, setErrors, retype, chooseSchema, changeValues } =
    useTypedValues(existing?.schema ?? types[0] ?? '', existing?.properties ?? {});
  const [meta, setMeta] = useState<MetaValue>({
    source: existing?.provenance.source ?? '',
    grading: existing?.grading ?? UNGRADED,
    markings: existing?.markings ?? DEFAULT_MARKINGS,
  });
  const [saving, setSaving] = useState(false);
  const plan = useMemo(() => (schemaName ? fieldPlan(schemaName) : undefined), [schemaName]);
  const idPrefix = `relationship-${existing?.id ?? 'new'}`;

  if (!from || !to) {
    return <p className="entity-field-error">One end of this relationship is not in the case.</p>;
  }
  const reversedTypes = edgeSchemataBetween(to.schema, from.schema);
  // A stored relationship keeps its type, so it can only be turned round when that type allows it.
  const canSwap = existing ? reversedTypes.includes(existing.schema) : reversedTypes.length > 0;
  const swap = () => {
    setFromId(toId);
    setToId(fromId);
    if (!existing && !reversedTypes.includes(schemaName)) {
      retype(reversedTypes[0] ?? '');
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (saving) return;
    if (!schemaName) {
      setErrors({ schema: 'Choose the type of relationship' });
      return;
    }
    const edge = getSchema(schemaName).edge;
    if (!edge) return;
    const properties = {
      ...cleanProperties(values),
      [edge.source]: [fromId],
      [edge.target]: [toId],
    };
    await saveEntityForm({
      repository,
      caseId,
      existing,
      schemaName,
      properties,
      knownIds: new Set(byId.keys()),
      meta,
      idPrefix,
      plan,
      setErrors,
      setSaving,
      notify: app.notify,
      onSaved,
    });
  };

  const onKeyDown = editorKeyDown(onCancel, submit);

  const errorOrder = plan ? orderedErrorKeys(errors, plan) : Object.keys(errors);
  const title = existing ? 'Edit relationship' : 'New relationship';
  return (
    <form
      className="entity-form"
      data-testid="relationship-editor"
      aria-label={title}
      noValidate
      onSubmit={(event) => void submit(event)}
      onKeyDown={onKeyDown}
    >
      <h2 className="entity-form-title">{title}</h2>
      <ErrorSummary errors={errors} order={errorOrder} />
      <div className="relationship-ends">
        <span data-testid="relationship-source">{captionOf(from.schema, from.properties)}</span>
        <span aria-hidden="true">→</span>
        <span data-testid="relationship-target">{captionOf(to.schema, to.properties)}</span>
        <button
          type="button"
          data-testid="relationship-swap"
          disabled={!canSwap}
          title={canSwap ? undefined : 'This type of relationship cannot point the other way'}
          onClick={swap}
        >
          ⇄ Swap direction
        </button>
      </div>
      <SchemaSelect
        label="Relationship type"
        idPrefix={idPrefix}
        testId="relationship-type-select"
        schemaName={schemaName}
        existingSchema={existing?.schema}
        types={types}
        emptyOption={types.length === 0 && !existing ? 'No relationship type fits' : undefined}
        autoFocus={!existing}
        error={errors.schema}
        onChange={chooseSchema}
      />
      {plan && (
        <PropertyFields
          plan={plan}
          errors={errors}
          values={values}
          onChange={changeValues}
          entities={entities}
          selfId={existing?.id}
          idPrefix={idPrefix}
        />
      )}
      {plan && <MetaFields value={meta} onChange={setMeta} idPrefix={idPrefix} />}
      <div className="entity-form-actions">
        <button
          type="submit"
          className="entity-primary"
          data-testid="relationship-save"
          disabled={saving || !schemaName}
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" data-testid="relationship-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
