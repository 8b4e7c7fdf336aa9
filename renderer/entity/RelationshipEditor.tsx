import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import {
  captionOf,
  cleanProperties,
  DEFAULT_MARKINGS,
  edgeEnds,
  getSchema,
  linkSuggestions,
  rankedEdgeSchemata,
  UNGRADED,
} from '../../shared/model/index.ts';
import type { LinkSuggestion, PropertySuggestion } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { useEntities, useEntity } from '../db/queries.ts';
import { fieldPlan, orderedErrorKeys } from './entityForm.ts';
import { useTypedValues } from './useTypedValues.ts';
import type { MetaValue } from './MetaFields.tsx';
import { MetaFields } from './MetaFields.tsx';
import { ErrorSummary, PropertyFields } from './PropertyFields.tsx';
import { editorKeyDown, reportSaveError } from '../core/saveError.ts';
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
  // Best first (shared/model/linkSuggestions.ts): the model's most specific types lead.
  const suggestions = useMemo(
    () => (from && to ? linkSuggestions(from.schema, to.schema) : []),
    [from, to],
  );
  const types = useMemo(
    () => suggestions.flatMap((s) => (s.kind === 'relationship' ? [s.schema] : [])),
    [suggestions],
  );
  const propertyLinks = useMemo(
    () => (existing ? [] : suggestions.filter((s) => s.kind === 'property')),
    [existing, suggestions],
  );
  const { schemaName, values, errors, setErrors, retype, chooseSchema, changeValues } =
    useTypedValues(existing?.schema ?? types[0] ?? '', existing?.properties ?? {});
  // A new link whose best fit is a property of one end (a phone's owner) starts as that property.
  const [propertyLink, setPropertyLink] = useState<PropertySuggestion | undefined>(() =>
    !existing && suggestions[0]?.kind === 'property' ? suggestions[0] : undefined,
  );
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
  const holderOf = (link: PropertySuggestion) => (link.holder === 'from' ? from : to);
  const reversedTypes = rankedEdgeSchemata(to.schema, from.schema);
  // A stored relationship keeps its type, so it can only be turned round when that type allows it;
  // a property link means the same either way round (the holder keeps the property).
  const canSwap = existing
    ? reversedTypes.includes(existing.schema)
    : propertyLink !== undefined || reversedTypes.length > 0;
  const swap = () => {
    setFromId(toId);
    setToId(fromId);
    if (propertyLink) {
      setPropertyLink({ ...propertyLink, holder: propertyLink.holder === 'from' ? 'to' : 'from' });
    }
    if (!existing && !reversedTypes.includes(schemaName)) {
      retype(reversedTypes[0] ?? '');
    }
  };

  const chooseLink = (value: string) => {
    const property = propertyLinks.find((s) => propertyLinkKey(s) === value);
    setPropertyLink(property);
    if (!property) chooseSchema(value);
    else setErrors({});
  };

  /** A property link is one more value on the holder (the phone's owner), not a new record. */
  const saveProperty = async (link: PropertySuggestion) => {
    const holder = holderOf(link);
    const other = link.holder === 'from' ? to : from;
    const current = holder.properties[link.property] ?? [];
    setSaving(true);
    try {
      const saved = current.includes(other.id)
        ? holder
        : await repository.updateEntity(holder.id, {
            properties: { ...holder.properties, [link.property]: [...current, other.id] },
          });
      onSaved(saved);
    } catch (error) {
      reportSaveError(error, setErrors, app.notify);
    } finally {
      setSaving(false);
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (saving) return;
    if (propertyLink) {
      await saveProperty(propertyLink);
      return;
    }
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
      {existing ? (
        <SchemaSelect
          label="Relationship type"
          idPrefix={idPrefix}
          testId="relationship-type-select"
          schemaName={schemaName}
          existingSchema={existing.schema}
          types={types}
          emptyOption={undefined}
          autoFocus={false}
          error={errors.schema}
          onChange={chooseSchema}
        />
      ) : (
        <LinkTypeSelect
          idPrefix={idPrefix}
          value={propertyLink ? propertyLinkKey(propertyLink) : schemaName}
          suggestions={suggestions}
          holderCaption={(link) => captionOf(holderOf(link).schema, holderOf(link).properties)}
          error={errors.schema}
          onChange={chooseLink}
        />
      )}
      {propertyLink && (
        <p className="relationship-property-note" data-testid="relationship-property-note">
          Recorded on “{captionOf(holderOf(propertyLink).schema, holderOf(propertyLink).properties)}
          ” as its {getSchema(propertyLink.schema).getProperty(propertyLink.property).label} (a
          property, not a relationship record); the chart draws it as a dashed link.
        </p>
      )}
      {plan && !propertyLink && (
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
      {plan && !propertyLink && <MetaFields value={meta} onChange={setMeta} idPrefix={idPrefix} />}
      <div className="entity-form-actions">
        <button
          type="submit"
          className="entity-primary"
          data-testid="relationship-save"
          disabled={saving || (!schemaName && !propertyLink)}
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

/** The select's value for a property link ("property:to:Phone.owner"); relationship types use their name. */
function propertyLinkKey(link: PropertySuggestion): string {
  return `property:${link.holder}:${link.schema}.${link.property}`;
}

/**
 * The type of a new link, best first as shared/model/linkSuggestions.ts ranks them: relationship
 * types and the property links the two ends allow ("Owner of +43 660 1234567").
 */
function LinkTypeSelect({
  idPrefix,
  value,
  suggestions,
  holderCaption,
  error,
  onChange,
}: {
  idPrefix: string;
  value: string;
  suggestions: readonly LinkSuggestion[];
  holderCaption: (link: PropertySuggestion) => string;
  error: string | undefined;
  readonly onChange: (value: string) => void;
}) {
  return (
    <div className="entity-field">
      <label className="entity-field-label" htmlFor={`${idPrefix}-schema`}>
        Relationship type
      </label>
      <select
        id={`${idPrefix}-schema`}
        data-testid="relationship-type-select"
        value={value}
        autoFocus
        onChange={(event) => onChange(event.target.value)}
      >
        {suggestions.length === 0 && <option value="">No relationship type fits</option>}
        {suggestions.map((link) =>
          link.kind === 'relationship' ? (
            <option key={link.schema} value={link.schema}>
              {link.label}
            </option>
          ) : (
            <option key={propertyLinkKey(link)} value={propertyLinkKey(link)}>
              {getSchema(link.schema).getProperty(link.property).label} of {holderCaption(link)}
            </option>
          ),
        )}
      </select>
      {error && (
        <p className="entity-field-error" data-testid="field-error-schema">
          {error}
        </p>
      )}
    </div>
  );
}
