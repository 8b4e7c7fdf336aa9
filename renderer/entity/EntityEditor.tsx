import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';
import type { EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import {
  cleanProperties,
  DEFAULT_MARKINGS,
  getSchema,
  isKnownSchema,
  NODE_SCHEMATA,
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
import { useUnsavedChangesGuard } from '../platform/unsavedChanges.ts';
import { SchemaSelect } from './SchemaSelect.tsx';
import './entity.css';

export interface EntityEditorProps {
  readonly caseId: string;
  /** Edit this entity; leave out to create one. */
  readonly entityId?: string;
  /** Type of a new entity; without it the form starts with a type picker. */
  readonly schema?: string;
  /** Values a new entity starts with (e.g. from a search or an import suggestion). */
  readonly initialProperties?: EntityProperties;
  readonly onSaved: (entity: EntityRecord) => void;
  readonly onCancel: () => void;
}

/** Create or edit a node entity through a form generated from its FtM schema. */
export function EntityEditor(props: EntityEditorProps) {
  const existing = useEntity(props.entityId);
  if (props.entityId) {
    if (!existing) return <p className="entity-loading">Loading…</p>;
    return <EntityForm key={existing.id} {...props} existing={existing} />;
  }
  return <EntityForm {...props} />;
}

interface EntityFormProps extends EntityEditorProps {
  readonly existing?: EntityRecord;
}

function EntityForm({
  caseId,
  existing,
  schema,
  initialProperties,
  onSaved,
  onCancel,
}: EntityFormProps) {
  const app = useAppServices();
  const { repository } = app;
  const entities = useEntities(caseId);
  const { schemaName, values, errors, setErrors, chooseSchema, changeValues } = useTypedValues(
    existing?.schema ?? (schema && isKnownSchema(schema) ? schema : ''),
    existing?.properties ?? initialProperties ?? {},
  );
  const [meta, setMeta] = useState<MetaValue>({
    source: existing?.provenance.source ?? '',
    grading: existing?.grading ?? UNGRADED,
    markings: existing?.markings ?? DEFAULT_MARKINGS,
  });
  const [saving, setSaving] = useState(false);
  const [initial] = useState(() => JSON.stringify([schemaName, values, meta]));
  useUnsavedChangesGuard(JSON.stringify([schemaName, values, meta]) !== initial);
  const plan = useMemo(() => (schemaName ? fieldPlan(schemaName) : undefined), [schemaName]);
  const knownIds = useMemo(
    () => (entities ? new Set(entities.map((entity) => entity.id)) : undefined),
    [entities],
  );
  const errorOrder = plan ? orderedErrorKeys(errors, plan) : Object.keys(errors);
  const idPrefix = `entity-${existing?.id ?? 'new'}`;

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (saving) return;
    if (!schemaName) {
      setErrors({ schema: 'Choose the type of entity' });
      return;
    }
    await saveEntityForm({
      repository,
      caseId,
      existing,
      schemaName,
      properties: cleanProperties(values),
      knownIds,
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

  const title = existing
    ? `Edit ${getSchema(existing.schema).label.toLowerCase()}`
    : schemaName
      ? `New ${getSchema(schemaName).label.toLowerCase()}`
      : 'New entity';

  return (
    <form
      className="entity-form"
      data-testid="entity-editor"
      aria-label={title}
      noValidate
      onSubmit={(event) => void submit(event)}
      onKeyDown={onKeyDown}
    >
      <h2 className="entity-form-title">{title}</h2>
      <ErrorSummary errors={errors} order={errorOrder} />
      <SchemaSelect
        label="Type"
        idPrefix={idPrefix}
        testId="entity-type-select"
        schemaName={schemaName}
        existingSchema={existing?.schema}
        types={NODE_SCHEMATA}
        emptyOption={schemaName ? undefined : 'Choose a type…'}
        autoFocus={!existing && !schemaName}
        error={errors.schema}
        onChange={chooseSchema}
      />
      {plan && (
        <PropertyFields
          plan={plan}
          errors={errors}
          values={values}
          onChange={changeValues}
          entities={entities ?? []}
          selfId={existing?.id}
          idPrefix={idPrefix}
        />
      )}
      {plan && <MetaFields value={meta} onChange={setMeta} idPrefix={idPrefix} />}
      <div className="entity-form-actions">
        <button
          type="submit"
          className="entity-primary"
          data-testid="entity-save"
          disabled={saving}
        >
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" data-testid="entity-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
