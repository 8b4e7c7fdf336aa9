import { getSchema } from '../../shared/model/index.ts';

/**
 * The type of the record being edited. An existing record keeps its type (the select is disabled)
 * and shows it even when it is not among `types` (a type the form no longer offers).
 */
export function SchemaSelect({
  label,
  idPrefix,
  testId,
  schemaName,
  existingSchema,
  types,
  emptyOption,
  autoFocus,
  error,
  onChange,
}: {
  label: string;
  idPrefix: string;
  testId: string;
  schemaName: string;
  /** The saved record's type; absent for a new record. */
  existingSchema: string | undefined;
  types: readonly string[];
  /** The text of the "" option; absent, there is none. */
  emptyOption: string | undefined;
  autoFocus: boolean;
  error: string | undefined;
  readonly onChange: (schemaName: string) => void;
}) {
  return (
    <div className="entity-field">
      <label className="entity-field-label" htmlFor={`${idPrefix}-schema`}>
        {label}
      </label>
      <select
        id={`${idPrefix}-schema`}
        data-testid={testId}
        value={schemaName}
        disabled={existingSchema !== undefined}
        autoFocus={autoFocus}
        onChange={(event) => onChange(event.target.value)}
      >
        {emptyOption !== undefined && <option value="">{emptyOption}</option>}
        {existingSchema !== undefined && !types.includes(existingSchema) && (
          <option value={existingSchema}>{getSchema(existingSchema).label}</option>
        )}
        {types.map((name) => (
          <option key={name} value={name}>
            {getSchema(name).label}
          </option>
        ))}
      </select>
      {error && (
        <p className="entity-field-error" data-testid="field-error-schema">
          {error}
        </p>
      )}
    </div>
  );
}
