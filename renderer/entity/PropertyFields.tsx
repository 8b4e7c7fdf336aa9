import type { Property } from '@alephdata/followthemoney';
import { useMemo, useState } from 'react';
import type { EntityRecord } from '../../shared/model/index.ts';
import { lengthProblem } from '../../shared/model/limits.ts';
import { phoneWarning } from '../../shared/search/phone.ts';
import type { FieldPlan, FormValues } from './entityForm.ts';
import {
  addValue,
  countryOptions,
  entityOptions,
  fieldValues,
  filterFields,
  inputKindOf,
  removeValue,
  setValue,
} from './entityForm.ts';

interface PropertyFieldProps {
  readonly property: Property;
  readonly values: FormValues;
  readonly onChange: (values: FormValues) => void;
  readonly error?: string;
  readonly entities: readonly EntityRecord[];
  /** The record being edited, left out of its own reference selects. */
  readonly selfId?: string;
  readonly idPrefix: string;
}

/** One FtM property: a labelled input per value, with add/remove for multi-valued properties. */
export function PropertyField(props: PropertyFieldProps) {
  const { property, values, onChange, entities, selfId, idPrefix } = props;
  const kind = inputKindOf(property);
  const options = useMemo(
    () =>
      kind === 'entity'
        ? entityOptions(property, entities, selfId)
        : kind === 'country'
          ? countryOptions()
          : [],
    [kind, property, entities, selfId],
  );
  const list = fieldValues(values, property.name);
  // A value over FtM's length limit is named while typing; a maxLength attribute would cut a
  // pasted text silently instead (issue 12).
  const error =
    props.error ??
    list.map((value) => lengthProblem(property.label, value, property.maxLength)).find(Boolean);
  const errorId = `${idPrefix}-${property.name}-error`;
  // A phone that is stored but cannot be matched (national, or too short) is warned about, not
  // refused: an officer may only have part of a number (issue 12).
  const country = values.country?.[0] ?? values.nationality?.[0];
  const warning =
    !error && property.type.name === 'phone'
      ? list.map((value) => phoneWarning(value, country)).find(Boolean)
      : undefined;
  return (
    <div className={`entity-field${error ? ' entity-field-invalid' : ''}`}>
      <label className="entity-field-label" htmlFor={`${idPrefix}-${property.name}-0`}>
        {property.label}
      </label>
      {list.map((value, index) => {
        const common = {
          id: `${idPrefix}-${property.name}-${index}`,
          'data-testid': index === 0 ? `field-${property.name}` : `field-${property.name}-${index}`,
          'aria-label': index === 0 ? undefined : `${property.label} ${index + 1}`,
          'aria-invalid': error ? true : undefined,
          'aria-describedby': error ? errorId : undefined,
          value,
        };
        const change = (next: string) => onChange(setValue(values, property.name, index, next));
        let input;
        if (kind === 'entity' || kind === 'country') {
          const known = value === '' || options.some((option) => option.value === value);
          input = (
            <select {...common} onChange={(event) => change(event.target.value)}>
              <option value="">—</option>
              {!known && <option value={value}>{value} (not in this case)</option>}
              {options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          );
        } else if (kind === 'textarea') {
          input = (
            <textarea {...common} rows={3} onChange={(event) => change(event.target.value)} />
          );
        } else {
          input = (
            <input
              {...common}
              type="text"
              placeholder={kind === 'date' ? 'YYYY-MM-DD' : undefined}
              onChange={(event) => change(event.target.value)}
            />
          );
        }
        return (
          <div className="entity-field-value" key={index}>
            {input}
            {list.length > 1 && (
              <button
                type="button"
                className="entity-icon-button"
                aria-label={`Remove ${property.label} ${index + 1}`}
                onClick={() => onChange(removeValue(values, property.name, index))}
              >
                ×
              </button>
            )}
          </div>
        );
      })}
      {list[list.length - 1] !== '' && (
        <button
          type="button"
          className="entity-link-button"
          onClick={() => onChange(addValue(values, property.name))}
        >
          + Another {property.label.toLowerCase()}
        </button>
      )}
      {warning && (
        <p className="entity-field-warning" data-testid={`field-warning-${property.name}`}>
          {warning}
        </p>
      )}
      {error && (
        <p className="entity-field-error" id={errorId} data-testid={`field-error-${property.name}`}>
          {error}
        </p>
      )}
    </div>
  );
}

interface PropertyFieldsProps extends Omit<PropertyFieldProps, 'property' | 'error'> {
  readonly plan: FieldPlan;
  readonly errors: Readonly<Record<string, string>>;
}

/** Featured properties, then the rest behind "More fields" (opened when one of them has an error). */
export function PropertyFields({ plan, errors, ...rest }: PropertyFieldsProps) {
  const [showMore, setShowMore] = useState(false);
  const [filter, setFilter] = useState('');
  const moreHasError = plan.more.some((property) => errors[property.name]);
  const moreHasValue = plan.more.some((property) =>
    (rest.values[property.name] ?? []).some((value) => value !== ''),
  );
  const open = showMore || moreHasError;
  return (
    <>
      {plan.featured.map((property) => (
        <PropertyField
          key={property.name}
          property={property}
          error={errors[property.name]}
          {...rest}
        />
      ))}
      {plan.more.length > 0 && (
        <button
          type="button"
          className="entity-more-toggle"
          aria-expanded={open}
          data-testid="entity-more-fields"
          onClick={() => setShowMore(!open)}
        >
          {open ? '▾' : '▸'} More fields ({plan.more.length}
          {moreHasValue ? ', some filled' : ''})
        </button>
      )}
      {open && plan.more.length > 12 && (
        <label className="entity-inline-field">
          <span>Find a field</span>
          <input
            type="search"
            data-testid="entity-field-filter"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </label>
      )}
      {open &&
        filterFields(plan.more, filter).map((property) => (
          <PropertyField
            key={property.name}
            property={property}
            error={errors[property.name]}
            {...rest}
          />
        ))}
    </>
  );
}

interface ErrorSummaryProps {
  readonly errors: Readonly<Record<string, string>>;
  readonly order: readonly string[];
}

export function ErrorSummary({ errors, order }: ErrorSummaryProps) {
  if (order.length === 0) return null;
  return (
    <div className="entity-error-summary" role="alert" data-testid="entity-error-summary">
      <p>Not saved. Please correct {order.length === 1 ? 'this problem' : 'these problems'}:</p>
      <ul>
        {order.map((key) => (
          <li key={key}>{errors[key]}</li>
        ))}
      </ul>
    </div>
  );
}
