/** One transform of a property mapping, with the fields its kind takes (pattern, separator…). */
import type { Transform } from '../../shared/importer/index.ts';
import { TRANSFORMS } from './wizardModel.ts';

export function TransformEditor({
  transform,
  onChange,
  onRemove,
}: {
  readonly transform: Transform;
  readonly onChange: (next: Transform) => void;
  readonly onRemove: () => void;
}) {
  const label = TRANSFORMS.find((t) => t.op === transform.op)?.label ?? transform.op;
  return (
    <span className="import-transform" data-testid={`import-transform-${transform.op}`}>
      <span>{label}</span>
      <TransformFields transform={transform} onChange={onChange} />
      <button type="button" aria-label={`Remove ${label}`} onClick={onRemove}>
        ×
      </button>
    </span>
  );
}

function TextField({
  label,
  value,
  width = 8,
  onChange,
}: {
  label: string;
  value: string;
  width?: number;
  readonly onChange: (value: string) => void;
}) {
  return (
    <input
      type="text"
      aria-label={label}
      placeholder={label}
      size={width}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function TransformFields({
  transform,
  onChange,
}: {
  readonly transform: Transform;
  readonly onChange: (next: Transform) => void;
}) {
  switch (transform.op) {
    case 'replace':
      return (
        <>
          <TextField
            label="find"
            value={transform.find}
            onChange={(find) => onChange({ ...transform, find })}
          />
          <TextField
            label="replace with"
            value={transform.with}
            onChange={(text) => onChange({ ...transform, with: text })}
          />
        </>
      );
    case 'split':
      return (
        <TextField
          label="separator"
          width={3}
          value={transform.separator}
          onChange={(separator) => onChange({ ...transform, separator })}
        />
      );
    case 'date':
      return (
        <>
          <TextField
            label="pattern, e.g. dd/MM/yyyy HH:mm"
            width={16}
            value={transform.pattern}
            onChange={(pattern) => onChange({ ...transform, pattern })}
          />
          <TextField
            label="time zone, e.g. Europe/Vienna"
            width={14}
            value={transform.timeZone ?? ''}
            onChange={(zone) => {
              const { timeZone: _old, ...rest } = transform;
              onChange(zone ? { ...rest, timeZone: zone } : rest);
            }}
          />
        </>
      );
    case 'number':
      return (
        <select
          aria-label="decimal separator"
          value={transform.decimal}
          onChange={(e) => onChange({ ...transform, decimal: e.target.value === ',' ? ',' : '.' })}
        >
          <option value=".">decimal point 1,234.5</option>
          <option value=",">decimal comma 1.234,5</option>
        </select>
      );
    case 'phone':
      return (
        <TextField
          label="country, e.g. AT"
          width={4}
          value={transform.defaultCountry ?? ''}
          onChange={(country) => {
            const { defaultCountry: _old, ...rest } = transform;
            const code = country.trim().toUpperCase();
            onChange(code ? { ...rest, defaultCountry: code } : rest);
          }}
        />
      );
    default:
      return null;
  }
}
