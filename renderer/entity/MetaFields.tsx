import type {
  Grading,
  InformationCredibility,
  Markings,
  SourceReliability,
  Tlp,
} from '../../shared/model/index.ts';
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
}

/** Provenance source, Admiralty grading and handling markings of an entity or relationship. */
export function MetaFields({ value, onChange, idPrefix }: MetaFieldsProps) {
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
      <legend>Source, grading and handling</legend>
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
      <div className="entity-meta-row">
        <div className="entity-field">
          <label className="entity-field-label" htmlFor={id('reliability')}>
            Source reliability
          </label>
          <select
            id={id('reliability')}
            data-testid="field-grading-source"
            value={value.grading.source}
            onChange={(event) =>
              onChange({
                ...value,
                grading: { ...value.grading, source: event.target.value as SourceReliability },
              })
            }
          >
            {Object.entries(SOURCE_RELIABILITY).map(([code, text]) => (
              <option key={code} value={code}>
                {code} — {text}
              </option>
            ))}
          </select>
        </div>
        <div className="entity-field">
          <label className="entity-field-label" htmlFor={id('credibility')}>
            Information credibility
          </label>
          <select
            id={id('credibility')}
            data-testid="field-grading-information"
            value={value.grading.information}
            onChange={(event) =>
              onChange({
                ...value,
                grading: {
                  ...value.grading,
                  information: event.target.value as InformationCredibility,
                },
              })
            }
          >
            {Object.entries(INFORMATION_CREDIBILITY).map(([code, text]) => (
              <option key={code} value={code}>
                {code} — {text}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="entity-hint">{describeGrading(value.grading)}</p>
      <div className="entity-meta-row">
        <div className="entity-field">
          <label className="entity-field-label" htmlFor={id('classification')}>
            Classification
          </label>
          <select
            id={id('classification')}
            data-testid="field-classification"
            value={value.markings.classification}
            onChange={(event) => setMarkings({ classification: event.target.value })}
          >
            {classifications.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </div>
        <div className="entity-field">
          <label className="entity-field-label" htmlFor={id('tlp')}>
            TLP
          </label>
          <select
            id={id('tlp')}
            data-testid="field-tlp"
            value={value.markings.tlp}
            onChange={(event) => setMarkings({ tlp: event.target.value as Tlp })}
          >
            {TLP_LEVELS.map((level) => (
              <option key={level} value={level}>
                TLP:{level}
              </option>
            ))}
          </select>
        </div>
      </div>
    </fieldset>
  );
}
