/**
 * The mapping editor: the entities one row becomes (each a schema, its property mappings and the
 * identity rules that merge it with an incoming or existing entity), and the row rules (include,
 * exclude) that decide which rows are imported.
 */
import type { EntityMapping, ImportSpec, RowCondition } from '../../shared/importer/index.ts';
import { getSchema } from '../../shared/model/index.ts';
import { PropertyRow } from './PropertyRow.tsx';
import type { RuleList } from './wizardModel.ts';
import {
  addCondition,
  addEntity,
  addProperty,
  CONDITION_OPS,
  conditionTakesValue,
  hasIdentity,
  IDENTITY_RULES,
  MAPPABLE_SCHEMATA,
  mappableProperties,
  removeCondition,
  removeEntity,
  removeProperty,
  toggleIdentity,
  updateCondition,
  updateEntity,
  updateProperty,
} from './wizardModel.ts';

export function MappingEditor({
  spec,
  columns,
  onSpec,
}: {
  readonly spec: ImportSpec;
  readonly columns: readonly string[];
  readonly onSpec: (spec: ImportSpec) => void;
}) {
  const keys = spec.entities.map((entity) => entity.key);
  return (
    <div className="import-editor" data-testid="import-editor">
      {spec.entities.map((entity, index) => (
        <EntityCard
          key={index}
          entity={entity}
          index={index}
          columns={columns}
          otherKeys={keys.filter((key) => key !== entity.key)}
          onChange={(next) => onSpec(updateEntity(spec, index, () => next))}
          onRemove={() => onSpec(removeEntity(spec, index))}
        />
      ))}
      <label className="import-add">
        Each row also makes
        <select
          data-testid="import-add-entity"
          value=""
          onChange={(e) => onSpec(addEntity(spec, e.target.value))}
        >
          <option value="">+ an entity or relationship…</option>
          {MAPPABLE_SCHEMATA.map((name) => (
            <option key={name} value={name}>
              {getSchema(name).label}
            </option>
          ))}
        </select>
      </label>
      <RuleEditor spec={spec} list="include" columns={columns} onSpec={onSpec} />
      <RuleEditor spec={spec} list="exclude" columns={columns} onSpec={onSpec} />
    </div>
  );
}

function EntityCard({
  entity,
  index,
  columns,
  otherKeys,
  onChange,
  onRemove,
}: {
  readonly entity: EntityMapping;
  readonly index: number;
  readonly columns: readonly string[];
  readonly otherKeys: readonly string[];
  readonly onChange: (next: EntityMapping) => void;
  readonly onRemove: () => void;
}) {
  const schema = getSchema(entity.schema);
  const properties = mappableProperties(entity.schema);
  const labelOf = (name: string) => properties.find((p) => p.name === name)?.label ?? name;
  return (
    <fieldset className="import-entity" data-testid={`import-entity-${entity.key}`}>
      <legend>
        {schema.label} <span className="mono">{entity.key}</span>
      </legend>
      <div className="import-entity-bar">
        <label className="import-inline">
          <input
            type="checkbox"
            checked={entity.optional === true}
            onChange={(e) => {
              const { optional: _old, ...rest } = entity;
              onChange(e.target.checked ? { ...rest, optional: true } : rest);
            }}
          />
          optional (rows with none of its columns simply have none)
        </label>
        <span className="import-identity">
          Same entity when:
          {IDENTITY_RULES.map(({ rule, label }) => (
            <label key={rule.by} className="import-inline">
              <input
                type="checkbox"
                data-testid={`import-identity-${index}-${rule.by}`}
                checked={hasIdentity(entity, rule.by)}
                onChange={(e) => onChange(toggleIdentity(entity, rule, e.target.checked))}
              />
              {label}
            </label>
          ))}
        </span>
        <button type="button" onClick={onRemove}>
          Remove
        </button>
      </div>
      <table className="import-properties">
        <tbody>
          {entity.properties.map((mapping, p) => (
            <PropertyRow
              key={p}
              testId={`import-property-${entity.key}-${mapping.property}`}
              mapping={mapping}
              propertyLabel={labelOf(mapping.property)}
              columns={columns}
              entityKeys={otherKeys}
              onChange={(next) => onChange(updateProperty(entity, p, () => next))}
              onRemove={() => onChange(removeProperty(entity, p))}
            />
          ))}
        </tbody>
      </table>
      <select
        aria-label={`${entity.key}: add a property`}
        data-testid={`import-add-property-${entity.key}`}
        value=""
        onChange={(e) => onChange(addProperty(entity, e.target.value, columns[0] ?? '#1'))}
      >
        <option value="">+ property…</option>
        {properties.map((p) => (
          <option key={p.name} value={p.name}>
            {p.label}
          </option>
        ))}
      </select>
    </fieldset>
  );
}

function RuleEditor({
  spec,
  list,
  columns,
  onSpec,
}: {
  readonly spec: ImportSpec;
  readonly list: RuleList;
  readonly columns: readonly string[];
  readonly onSpec: (spec: ImportSpec) => void;
}) {
  const rules = spec[list] ?? [];
  const set = (index: number, next: RowCondition) =>
    onSpec(updateCondition(spec, list, index, next));
  return (
    <div className="import-rules" data-testid={`import-rules-${list}`}>
      <span>{list === 'include' ? 'Import only rows where' : 'Leave out rows where'}</span>
      {rules.map((rule, index) => (
        <span key={index} className="import-rule">
          <select
            aria-label="column"
            value={rule.column}
            onChange={(e) => set(index, { ...rule, column: e.target.value })}
          >
            {!columns.includes(rule.column) && <option value={rule.column}>{rule.column}</option>}
            {columns.map((column) => (
              <option key={column} value={column}>
                {column}
              </option>
            ))}
          </select>
          <select
            aria-label="condition"
            value={rule.op}
            onChange={(e) => set(index, { ...rule, op: e.target.value as RowCondition['op'] })}
          >
            {CONDITION_OPS.map((op) => (
              <option key={op.op} value={op.op}>
                {op.label}
              </option>
            ))}
          </select>
          {conditionTakesValue(rule.op) && (
            <input
              type="text"
              aria-label="value"
              size={10}
              value={rule.value ?? ''}
              onChange={(e) => set(index, { ...rule, value: e.target.value })}
            />
          )}
          <button
            type="button"
            aria-label="Remove the rule"
            onClick={() => onSpec(removeCondition(spec, list, index))}
          >
            ×
          </button>
        </span>
      ))}
      <button type="button" onClick={() => onSpec(addCondition(spec, list, columns[0] ?? '#1'))}>
        + rule
      </button>
    </div>
  );
}
