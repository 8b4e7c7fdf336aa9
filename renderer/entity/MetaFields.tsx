import type { Grading, Markings } from '../../shared/model/index.ts';
import {
  DEFAULT_CLASSIFICATIONS,
  describeGrading,
  INFORMATION_CREDIBILITY,
  SOURCE_RELIABILITY,
  TLP_LEVELS,
} from '../../shared/model/index.ts';

export interface MetaValue {
  readonly source: string;
  readonly grading: Grading;
  readonly markings: Markings;
}

interface MetaFieldsProps {
  readonly value: MetaValue;
  readonly onChange: (value: MetaValue) => void;
  readonly idPrefix: string;
  /** Grading and markings only: the import wizard names the source itself (the file). */
  readonly hideSource?: boolean;
}

/** Provenance source, Admiralty grading and handling markings of an entity or relationship. */
export function MetaFields({ value, onChange, idPrefix, hideSource = false }: MetaFieldsProps) {
  const id = (name: string) => `${idPrefix}-meta-${name}`;
  const classifications: readonly string[] = DEFAULT_CLASSIFICATIONS.includes(
    value.markings.classification as (typeof DEFAULT_CLASSIFICATIONS)[number],
  )
    ? DEFAULT_CLASSIFICATIONS
    : [...DEFAULT_CLASSIFICATIONS, value.markings.classification];
  const setMarkings = (patch: Partial<Markings>) =>
    onChange({ ...value, markings: { ...value.markings, ...patch } });
  return (
    <fieldset className="entity-meta">
      <legend>{hideSource ? 'Grading and handling' : 'Source, grading and handling'}</legend>
      {!hideSource && (
        <div className="entity-field">
          <label className="entity-field-label" htmlFor={id('source')}>
            Source (document or report)
          </label>
          <input
            id={id('source')}
            data-testid="field-source"
            type="text"
            maxLength={1024}
            placeholder="Recorded in Tessera"
            value={value.source}
            onChange={(event) => onChange({ ...value, source: event.target.value })}
          />
        </div>
      )}
      <div className="entity-meta-row">
        <SelectField
          label="Source reliability"
          id={id('reliability')}
          testId="field-grading-source"
          value={value.grading.source}
          options={gradingOptions(SOURCE_RELIABILITY)}
          onChange={(source) => onChange({ ...value, grading: { ...value.grading, source } })}
        />
        <SelectField
          label="Information credibility"
          id={id('credibility')}
          testId="field-grading-information"
          value={value.grading.information}
          options={gradingOptions(INFORMATION_CREDIBILITY)}
          onChange={(information) =>
            onChange({ ...value, grading: { ...value.grading, information } })
          }
        />
      </div>
      <p className="entity-hint">{describeGrading(value.grading)}</p>
      <div className="entity-meta-row">
        <SelectField
          label="Classification"
          id={id('classification')}
          testId="field-classification"
          value={value.markings.classification}
          options={classifications.map((level) => ({ value: level, label: level }))}
          onChange={(classification) => setMarkings({ classification })}
        />
        <SelectField
          label="TLP"
          id={id('tlp')}
          testId="field-tlp"
          value={value.markings.tlp}
          options={TLP_LEVELS.map((level) => ({ value: level, label: `TLP:${level}` }))}
          onChange={(tlp) => setMarkings({ tlp })}
        />
      </div>
    </fieldset>
  );
}

/** An Admiralty code table as options: "B — Usually reliable". */
function gradingOptions<T extends string>(table: Readonly<Record<T, string>>) {
  return (Object.entries(table) as [T, string][]).map(([code, text]) => ({
    value: code,
    label: `${code} — ${text}`,
  }));
}

/** A labelled select over a closed set of codes; `onChange` gets one of the offered values. */
function SelectField<T extends string>({
  label,
  id,
  testId,
  value,
  options,
  onChange,
}: {
  label: string;
  id: string;
  testId: string;
  value: T;
  options: readonly { value: T; label: string }[];
  readonly onChange: (value: T) => void;
}) {
  return (
    <div className="entity-field">
      <label className="entity-field-label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        data-testid={testId}
        value={value}
        onChange={(event) => {
          const chosen = options.find((option) => option.value === event.target.value);
          if (chosen) onChange(chosen.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
