/** One property mapping: where its value comes from in a row, its transforms, whether required. */
import type { PropertyMapping, ValueSource } from '../../shared/importer/index.ts';
import { TransformEditor } from './TransformEditor.tsx';
import type { TransformOp, ValueKind } from './wizardModel.ts';
import {
  addTransform,
  changeValueKind,
  removeTransform,
  TRANSFORMS,
  updateTransform,
  valueKind,
} from './wizardModel.ts';

const VALUE_KINDS: readonly { kind: ValueKind; label: string }[] = [
  { kind: 'column', label: 'column' },
  { kind: 'columns', label: 'columns joined' },
  { kind: 'constant', label: 'fixed text' },
  { kind: 'entity', label: 'entity of the row' },
];

export function PropertyRow({
  mapping,
  propertyLabel,
  columns,
  entityKeys,
  testId,
  onChange,
  onRemove,
}: {
  readonly mapping: PropertyMapping;
  readonly propertyLabel: string;
  readonly columns: readonly string[];
  /** The other entities' keys (a relationship's ends refer to them). */
  readonly entityKeys: readonly string[];
  readonly testId: string;
  readonly onChange: (next: PropertyMapping) => void;
  readonly onRemove: () => void;
}) {
  const kind = valueKind(mapping.value);
  const setValue = (value: ValueSource) => onChange({ ...mapping, value });
  return (
    <tr data-testid={testId}>
      <th scope="row">{propertyLabel}</th>
      <td>
        <select
          aria-label={`${propertyLabel}: value from`}
          value={kind}
          onChange={(e) =>
            setValue(
              changeValueKind(mapping.value, e.target.value as ValueKind, columns, entityKeys),
            )
          }
        >
          {VALUE_KINDS.map((option) => (
            <option key={option.kind} value={option.kind}>
              {option.label}
            </option>
          ))}
        </select>
        <ValueFields
          value={mapping.value}
          label={propertyLabel}
          columns={columns}
          entityKeys={entityKeys}
          onChange={setValue}
        />
      </td>
      <td className="import-transforms">
        {(mapping.transforms ?? []).map((transform, index) => (
          <TransformEditor
            key={index}
            transform={transform}
            onChange={(next) => onChange(updateTransform(mapping, index, next))}
            onRemove={() => onChange(removeTransform(mapping, index))}
          />
        ))}
        <select
          aria-label={`${propertyLabel}: add a transform`}
          value=""
          onChange={(e) => onChange(addTransform(mapping, e.target.value as TransformOp))}
        >
          <option value="">+ transform</option>
          {TRANSFORMS.map((t) => (
            <option key={t.op} value={t.op}>
              {t.label}
            </option>
          ))}
        </select>
      </td>
      <td>
        <label className="import-inline">
          <input
            type="checkbox"
            checked={mapping.required === true}
            onChange={(e) => {
              const { required: _old, ...rest } = mapping;
              onChange(e.target.checked ? { ...rest, required: true } : rest);
            }}
          />
          required
        </label>
      </td>
      <td>
        <button type="button" aria-label={`Remove ${propertyLabel}`} onClick={onRemove}>
          ×
        </button>
      </td>
    </tr>
  );
}

function ValueFields({
  value,
  label,
  columns,
  entityKeys,
  onChange,
}: {
  readonly value: ValueSource;
  readonly label: string;
  readonly columns: readonly string[];
  readonly entityKeys: readonly string[];
  readonly onChange: (value: ValueSource) => void;
}) {
  const columnSelect = (current: string, set: (column: string) => void, name: string) => (
    <select aria-label={name} value={current} onChange={(e) => set(e.target.value)}>
      {!columns.includes(current) && <option value={current}>{current || '—'}</option>}
      {columns.map((column) => (
        <option key={column} value={column}>
          {column}
        </option>
      ))}
    </select>
  );
  if ('column' in value) {
    return columnSelect(value.column, (column) => onChange({ column }), `${label}: column`);
  }
  if ('columns' in value) {
    return (
      <>
        {value.columns.map((column, index) => (
          <span key={index}>
            {columnSelect(
              column,
              (next) =>
                onChange({
                  ...value,
                  columns: value.columns.map((c, i) => (i === index ? next : c)),
                }),
              `${label}: column ${index + 1}`,
            )}
          </span>
        ))}
        <button
          type="button"
          onClick={() => onChange({ ...value, columns: [...value.columns, columns[0] ?? ''] })}
        >
          + column
        </button>
        <input
          type="text"
          size={3}
          aria-label={`${label}: joined with`}
          title="joined with"
          value={value.join}
          onChange={(e) => onChange({ ...value, join: e.target.value })}
        />
      </>
    );
  }
  if ('constant' in value) {
    return (
      <input
        type="text"
        aria-label={`${label}: fixed text`}
        value={value.constant}
        onChange={(e) => onChange({ constant: e.target.value })}
      />
    );
  }
  return (
    <select
      aria-label={`${label}: entity`}
      value={value.entity}
      onChange={(e) => onChange({ entity: e.target.value })}
    >
      {!entityKeys.includes(value.entity) && <option value={value.entity}>—</option>}
      {entityKeys.map((key) => (
        <option key={key} value={key}>
          {key}
        </option>
      ))}
    </select>
  );
}
