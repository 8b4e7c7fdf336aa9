import { describe, expect, it } from 'vitest';
import type { EntityProperties, EntityRecord } from '../../shared/model/index.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import {
  buildChartElements,
  buildChartStylesheet,
  edgeElement,
  LIGHT_CHART_THEME,
  schemaLabel,
} from './chartModel.ts';
import { applyOverlay } from './chartOverlay.ts';
import {
  isPropertyEdgeId,
  propertyEdgeHolder,
  propertyEdgeId,
  propertyEdges,
} from './propertyEdges.ts';

function entity(id: string, schema: string, properties: EntityProperties): EntityRecord {
  return testEntity(id, schema, {}, { properties });
}

const marta = entity('p1', 'Person', { name: ['Marta Ionescu'] });
const ion = entity('p2', 'Person', { name: ['Ion Popa'] });
const phone = entity('ph1', 'Phone', { number: ['+43 660 1234567'], owner: ['p1'] });
const car = entity('v1', 'Vehicle', { name: ['VW Golf'], owner: ['p1'], operator: ['p2'] });
const passport = entity('id1', 'Passport', { number: ['X123'], holder: ['p2'] });
const at = (x: number) => ({ x, y: 0 });

describe('propertyEdges', () => {
  it("draws a phone's owner, a vehicle's owner and operator and a passport's holder", () => {
    const edges = propertyEdges([marta, ion, phone, car, passport]);
    expect(edges.map((e) => [e.source, e.schema, e.target, e.label])).toEqual([
      ['ph1', 'Phone:owner', 'p1', 'Owner'],
      ['v1', 'Vehicle:owner', 'p1', 'Owner'],
      ['v1', 'Vehicle:operator', 'p2', 'Operator'],
      ['id1', 'Identification:holder', 'p2', 'Identification holder'],
    ]);
  });

  it('draws nothing when the named entity is not on the chart or the property is cleared', () => {
    expect(propertyEdges([phone, ion])).toEqual([]);
    const cleared = entity('ph1', 'Phone', { number: ['+43 660 1234567'] });
    expect(propertyEdges([marta, cleared])).toEqual([]);
  });

  it('skips a value naming the holder itself and repeated values', () => {
    const odd = entity('ph2', 'Phone', { number: ['1'], owner: ['p1', 'p1', 'ph2'] });
    expect(propertyEdges([marta, odd]).map((e) => e.target)).toEqual(['p1']);
  });

  it('gives ids that name the holder and never look like an entity id', () => {
    const id = propertyEdgeId('ph1', 'owner', 'p1');
    expect(isPropertyEdgeId(id)).toBe(true);
    expect(isPropertyEdgeId('ph1')).toBe(false);
    expect(propertyEdgeHolder(id)).toBe('ph1');
    expect(propertyEdgeHolder('prop:not json')).toBeUndefined();
  });
});

describe('property links on the chart', () => {
  const nodes = { p1: at(0), p2: at(100), ph1: at(200), v1: at(300) };

  it('adds them to the view model, styled apart from relationships and labelled', () => {
    const view = buildChartElements([marta, ion, phone, car], { nodes });
    const links = view.edges.filter((e) => e.kind === 'property');
    expect(links.map((e) => e.label)).toEqual(['Owner', 'Owner', 'Operator']);
    const element = edgeElement(links[0]!);
    expect(element.classes.split(' ')).toContain('property-link');
    expect(element.data.label).toBe('Owner');
    const style = buildChartStylesheet(LIGHT_CHART_THEME).find(
      (block) => block.selector === 'edge.property-link',
    );
    expect(style?.style['line-style']).toBe('dashed');
    expect(schemaLabel('Phone:owner')).toBe('Owner');
  });

  it('goes when the property is cleared', () => {
    const cleared = entity('ph1', 'Phone', { number: ['+43 660 1234567'] });
    const view = buildChartElements([marta, ion, cleared], { nodes });
    expect(view.edges).toEqual([]);
  });

  it('stays under a time filter while both ends are shown, and goes with an end', () => {
    const view = buildChartElements([marta, ion, phone], { nodes });
    const byId = new Map([marta, ion, phone].map((e) => [e.id, e]));
    const both = applyOverlay(view, byId, { visibleEntityIds: new Set(['p1', 'ph1']) });
    expect(both.edges).toHaveLength(1);
    const oneEnd = applyOverlay(view, byId, { visibleEntityIds: new Set(['ph1']) });
    expect(oneEnd.edges).toHaveLength(0);
  });
});
