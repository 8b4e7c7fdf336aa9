import { useState } from 'react';
import { getSchema, isKnownSchema } from '../../shared/model/index.ts';
import type { ChartGrouping, FormatRule, RuleCondition, TypeCount } from './chartOverlay.ts';

export interface ChartLegendProps {
  readonly types: readonly TypeCount[];
  readonly hidden: ReadonlySet<string>;
  onToggleType: (schema: string) => void;
  readonly grouping: ChartGrouping;
  onGrouping: (grouping: ChartGrouping) => void;
  readonly rules: readonly FormatRule[];
  onRules: (rules: FormatRule[]) => void;
}

function typeLabel(schema: string): string {
  return isKnownSchema(schema) ? getSchema(schema).label : schema;
}

function describe(when: RuleCondition): string {
  if (when.kind === 'type') return `type is ${typeLabel(when.schema)}`;
  if (when.op === 'has') return `has ${when.property}`;
  return `${when.property} ${when.op} “${when.value ?? ''}”`;
}

/** Legend (hide/show by type), grouping into boxes, and conditional-formatting rules. */
export function ChartLegend(props: ChartLegendProps) {
  const { types, hidden, onToggleType, grouping, onGrouping, rules, onRules } = props;
  const [kind, setKind] = useState<'type' | 'property'>('type');
  const [schema, setSchema] = useState('');
  const [property, setProperty] = useState('');
  const [op, setOp] = useState<'has' | 'equals' | 'contains'>('equals');
  const [value, setValue] = useState('');
  const [color, setColor] = useState('#e15759');
  const [size, setSize] = useState('');
  const [border, setBorder] = useState(false);

  const nodeTypes = types.filter((t) => !t.edge);
  const addRule = () => {
    const when: RuleCondition =
      kind === 'type'
        ? { kind, schema: schema || nodeTypes[0]?.schema || 'Person' }
        : { kind, property: property.trim(), op, value };
    if (when.kind === 'property' && !when.property) return;
    const sizeValue = Number(size);
    const rule: FormatRule = {
      id: `${Date.now().toString(36)}-${rules.length}`,
      when,
      ...(border ? { borderColor: color } : { color }),
      ...(size && sizeValue > 0 && sizeValue <= 200 ? { size: sizeValue } : {}),
    };
    onRules([...rules, rule]);
  };

  return (
    <aside className="chart-legend" aria-label="Legend and formatting" data-testid="chart-legend">
      <h3>Types</h3>
      <ul className="chart-legend-types">
        {types.map((t) => (
          <li key={`${t.edge ? 'e' : 'n'}:${t.schema}`}>
            <label>
              <input
                type="checkbox"
                checked={!hidden.has(t.schema)}
                onChange={() => onToggleType(t.schema)}
                data-testid={`chart-legend-type-${t.schema}`}
              />
              {t.edge ? '— ' : ''}
              {typeLabel(t.schema)} <span className="chart-legend-count">{t.count}</span>
            </label>
          </li>
        ))}
      </ul>
      <h3>Group into boxes</h3>
      <div role="radiogroup" aria-label="Grouping" className="chart-legend-grouping">
        {(['none', 'organisation', 'country'] as const).map((g) => (
          <label key={g}>
            <input
              type="radio"
              name="chart-grouping"
              checked={grouping === g}
              onChange={() => onGrouping(g)}
              data-testid={`chart-grouping-${g}`}
            />
            {g === 'none' ? 'None' : g === 'organisation' ? 'By organisation' : 'By country'}
          </label>
        ))}
      </div>
      <h3>Conditional formatting</h3>
      <ul className="chart-legend-rules" data-testid="chart-rules">
        {rules.map((rule) => (
          <li key={rule.id}>
            <span
              className="chart-legend-swatch"
              style={{ background: rule.color ?? 'transparent', borderColor: rule.borderColor }}
            />
            {describe(rule.when)}
            {rule.size ? ` · size ${rule.size}` : ''}
            <button
              type="button"
              aria-label={`Remove rule: ${describe(rule.when)}`}
              onClick={() => onRules(rules.filter((r) => r.id !== rule.id))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="chart-legend-form">
        <label>
          When
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as 'type' | 'property')}
            data-testid="chart-rule-kind"
          >
            <option value="type">type is</option>
            <option value="property">property</option>
          </select>
        </label>
        {kind === 'type' ? (
          <label>
            Type
            <select
              value={schema}
              onChange={(e) => setSchema(e.target.value)}
              data-testid="chart-rule-schema"
            >
              {nodeTypes.map((t) => (
                <option key={t.schema} value={t.schema}>
                  {typeLabel(t.schema)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <>
            <label>
              Property
              <input
                value={property}
                placeholder="country"
                onChange={(e) => setProperty(e.target.value)}
                data-testid="chart-rule-property"
              />
            </label>
            <label>
              Test
              <select value={op} onChange={(e) => setOp(e.target.value as typeof op)}>
                <option value="equals">equals</option>
                <option value="contains">contains</option>
                <option value="has">has a value</option>
              </select>
            </label>
            {op !== 'has' && (
              <label>
                Value
                <input
                  value={value}
                  onChange={(e) => setValue(e.target.value)}
                  data-testid="chart-rule-value"
                />
              </label>
            )}
          </>
        )}
        <label>
          Colour
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <label>
          <input type="checkbox" checked={border} onChange={(e) => setBorder(e.target.checked)} />
          as border
        </label>
        <label>
          Size
          <input
            type="number"
            min={10}
            max={200}
            value={size}
            placeholder="—"
            onChange={(e) => setSize(e.target.value)}
          />
        </label>
        <button type="button" onClick={addRule} data-testid="chart-rule-add">
          Add rule
        </button>
      </div>
    </aside>
  );
}
