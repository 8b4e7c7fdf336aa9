import { describe, expect, it } from 'vitest';
import type {
  ChartNodeView,
  ChartRecord,
  EntityProperties,
  EntityRecord,
} from '../../shared/model/index.ts';
import { addEntityToChart } from './chartActions.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import { NODE_SCHEMATA } from '../../shared/model/index.ts';
import { CHART_ICONS, GENERIC_ICON_KEY, iconDataUri, iconKeyFor, iconSvg } from './chartIcons.ts';
import {
  buildChartElements,
  buildChartStylesheet,
  DARK_CHART_THEME,
  entitiesNotOnChart,
  LIGHT_CHART_THEME,
  relationshipLabel,
  toCytoscapeElements,
} from './chartModel.ts';
import type { ChartViewModel } from './chartModel.ts';
import { exportFileName, mergePositions, nodeAt, placeNewNodes } from './chartGeometry.ts';
import { diffViewModels, isEmptyPatch, limitAdditions } from './elementDiff.ts';

function entity(
  id: string,
  schema: string,
  properties: EntityProperties,
  deleted = false,
): EntityRecord {
  return testEntity(id, schema, {}, { properties, deleted });
}

const ivan = entity('p1', 'Person', { name: ['Ivan Petrov'] });
const olga = entity('p2', 'Person', { name: ['Olga Petrova'] });
const acme = entity('c1', 'Company', { name: ['Acme Ltd'] });
const gone = entity('p3', 'Person', { name: ['Deleted Dan'] }, true);
const family = entity('r1', 'Family', {
  person: ['p1'],
  relative: ['p2'],
  relationship: ['sister'],
});
const owns = entity('r2', 'Ownership', { owner: ['p1'], asset: ['c1'], startDate: ['2021-03-04'] });
const paid = entity('r3', 'Payment', {
  payer: ['c1'],
  beneficiary: ['p2'],
  amount: ['25000'],
  currency: ['EUR'],
  date: ['2022-01-02'],
});
const toGone = entity('r4', 'Associate', { person: ['p1'], associate: ['p3'] });
const deadLink = entity('r5', 'Associate', { person: ['p1'], associate: ['p2'] }, true);
const all = [ivan, olga, acme, gone, family, owns, paid, toGone, deadLink];

function chart(nodes: Record<string, ChartNodeView>) {
  return { nodes };
}

describe('buildChartElements', () => {
  it('makes nodes for charted entities with caption, type and saved position', () => {
    const view = buildChartElements(
      all,
      chart({ p1: { x: 10, y: 20 }, c1: { x: -5, y: 7.5, color: '#ff0000' } }),
    );
    expect(view.nodes).toEqual([
      { id: 'p1', label: 'Ivan Petrov', schema: 'Person', iconKey: 'Person', x: 10, y: 20 },
      {
        id: 'c1',
        label: 'Acme Ltd',
        schema: 'Company',
        iconKey: 'Company',
        x: -5,
        y: 7.5,
        color: '#ff0000',
      },
    ]);
    expect(view.edges.map((e) => e.id)).toEqual(['r2']);
  });

  it('shows a relationship only when both ends are on the chart', () => {
    const onlyPeople = buildChartElements(all, chart({ p1: { x: 0, y: 0 }, p2: { x: 1, y: 1 } }));
    expect(onlyPeople.edges.map((e) => e.id)).toEqual(['r1']);
    const everyone = buildChartElements(
      all,
      chart({ p1: { x: 0, y: 0 }, p2: { x: 1, y: 1 }, c1: { x: 2, y: 2 } }),
    );
    expect(everyone.edges.map((e) => e.id).sort()).toEqual(['r1', 'r2', 'r3']);
    const fam = everyone.edges.find((e) => e.id === 'r1');
    expect(fam).toMatchObject({ source: 'p1', target: 'p2', schema: 'Family', directed: false });
    expect(everyone.edges.find((e) => e.id === 'r3')).toMatchObject({
      source: 'c1',
      target: 'p2',
      directed: true,
    });
  });

  it('skips tombstoned entities and relationships, unknown ids and relationships listed as nodes', () => {
    const view = buildChartElements(
      all,
      chart({
        p1: { x: 0, y: 0 },
        p2: { x: 0, y: 0 },
        p3: { x: 0, y: 0 },
        zz: { x: 0, y: 0 },
        r1: { x: 0, y: 0 },
      }),
    );
    expect(view.nodes.map((n) => n.id)).toEqual(['p1', 'p2']);
    expect(view.edges.map((e) => e.id)).toEqual(['r1']);
  });

  it('labels relationships with type, detail, date and amount', () => {
    expect(relationshipLabel(family)).toBe('Family (sister)');
    expect(relationshipLabel(owns)).toBe('Ownership\n2021-03-04');
    expect(relationshipLabel(paid)).toBe('Payment\n2022-01-02 · 25000 EUR');
  });

  it('is JSON round-trippable and converts to Cytoscape elements', () => {
    const view = buildChartElements(
      all,
      chart({ p1: { x: 1, y: 2, size: 60 }, p2: { x: 3, y: 4 } }),
    );
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    const elements = toCytoscapeElements(view);
    expect(elements[0]).toEqual({
      group: 'nodes',
      data: { id: 'p1', label: 'Ivan Petrov', schema: 'Person', iconKey: 'Person', size: 60 },
      position: { x: 1, y: 2 },
    });
    expect(elements[2]).toMatchObject({
      group: 'edges',
      data: { source: 'p1', target: 'p2' },
      classes: '',
    });
  });

  it('lists node entities not on the chart, sorted by caption', () => {
    expect(entitiesNotOnChart(all, chart({ p2: { x: 0, y: 0 } })).map((e) => e.id)).toEqual([
      'c1',
      'p1',
    ]);
  });
});

describe('icons and style sheet', () => {
  it('has an icon for every node schema, plus a generic fallback', () => {
    for (const name of NODE_SCHEMATA) {
      expect(iconKeyFor(name)).toBe(name);
      expect(CHART_ICONS[name]?.glyph).toMatch(/<(path|circle|rect)/);
      expect(iconSvg(name)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg".*<\/svg>$/);
      expect(iconDataUri(name)).toMatch(/^data:image\/svg\+xml;utf8,%3Csvg/);
    }
    const colours = NODE_SCHEMATA.map((name) => CHART_ICONS[name].color);
    expect(new Set(colours).size).toBe(colours.length);
    expect(iconKeyFor('NoSuchSchema')).toBe(GENERIC_ICON_KEY);
    expect(iconKeyFor('LegalEntity')).toBe(GENERIC_ICON_KEY);
    expect(iconKeyFor('Airplane')).toBe('Vehicle');
    expect(iconKeyFor('PublicBody')).toBe('Organization');
  });

  it('builds light and dark style sheets with a rule per icon', () => {
    const light = buildChartStylesheet(LIGHT_CHART_THEME);
    const dark = buildChartStylesheet(DARK_CHART_THEME);
    for (const key of Object.keys(CHART_ICONS)) {
      expect(light.some((b) => b.selector === `node[iconKey = "${key}"]`)).toBe(true);
    }
    const nodeRule = (sheet: typeof light) => sheet.find((b) => b.selector === 'node')!.style;
    expect(nodeRule(light).color).toBe(LIGHT_CHART_THEME.fg);
    expect(nodeRule(dark).color).toBe(DARK_CHART_THEME.fg);
    expect(dark.find((b) => b.selector === 'node:selected')!.style['border-color']).toBe(
      DARK_CHART_THEME.accent,
    );
  });
});

describe('geometry', () => {
  it('merges moved positions, keeps style overrides and reports no-ops', () => {
    const nodes = { a: { x: 0, y: 0, color: '#123456' }, b: { x: 5, y: 5 } };
    expect(mergePositions(nodes, { a: { x: 0.01, y: 0 }, b: { x: 5, y: 5 } })).toBeUndefined();
    expect(mergePositions(nodes, { a: { x: 10.123, y: -3 }, ghost: { x: 1, y: 1 } })).toEqual({
      a: { x: 10.1, y: -3, color: '#123456' },
      b: { x: 5, y: 5 },
    });
  });

  it('places new nodes on free cells around the anchor', () => {
    const placed = placeNewNodes([{ x: 0, y: 0 }], ['n1', 'n2', 'n3'], { x: 0, y: 0 }, 100);
    const points = Object.values(placed);
    expect(points).toHaveLength(3);
    expect(points).not.toContainEqual({ x: 0, y: 0 });
    const keys = new Set(points.map((p) => `${p.x},${p.y}`));
    expect(keys.size).toBe(3);
    for (const p of points) expect(Math.max(Math.abs(p.x), Math.abs(p.y))).toBe(100);
    const many = placeNewNodes(
      [],
      Array.from({ length: 500 }, (_, i) => `m${i}`),
      { x: 50, y: 50 },
    );
    expect(new Set(Object.values(many).map((p) => `${p.x},${p.y}`)).size).toBe(500);
  });

  it('hit-tests the topmost node disc', () => {
    const circles = [
      { id: 'a', x: 0, y: 0, radius: 10 },
      { id: 'b', x: 5, y: 0, radius: 10 },
    ];
    expect(nodeAt(circles, 3, 0)).toBe('b');
    expect(nodeAt(circles, -9, 0)).toBe('a');
    expect(nodeAt(circles, 0, 20)).toBeUndefined();
  });

  it('makes safe export file names', () => {
    expect(exportFileName('Op. "Falcon": links/2024', 'png')).toBe('Op. Falcon links 2024.png');
    expect(exportFileName('  ', 'svg')).toBe('chart.svg');
  });
});

describe('diffViewModels', () => {
  const base: ChartViewModel = buildChartElements(
    all,
    chart({ p1: { x: 0, y: 0 }, p2: { x: 1, y: 1 }, c1: { x: 2, y: 2 } }),
  );

  it('is empty for identical models', () => {
    expect(isEmptyPatch(diffViewModels(base, base))).toBe(true);
  });

  it('adds, removes, updates and moves by id', () => {
    const renamed = entity('p1', 'Person', { name: ['Ivan P.'] });
    const next = buildChartElements(
      [renamed, olga, acme, family, owns, paid],
      chart({ p1: { x: 0, y: 0 }, p2: { x: 9, y: 9 }, p3: { x: 0, y: 0 } }),
    );
    const patch = diffViewModels(base, next);
    expect(patch.removeNodes).toEqual(['c1']);
    expect(patch.removeEdges.sort()).toEqual(['r2', 'r3']);
    expect(patch.updateNodes.map((n) => n.id)).toEqual(['p1']);
    expect(patch.moveNodes.map((n) => n.id)).toEqual(['p2']);
    expect(patch.addNodes).toEqual([]);
    expect(patch.addEdges).toEqual([]);
    const back = diffViewModels(next, base);
    expect(back.addNodes.map((n) => n.id)).toEqual(['c1']);
    expect(back.addEdges.map((e) => e.id).sort()).toEqual(['r2', 'r3']);
  });

  it('replaces an edge whose ends changed and updates a relabelled one', () => {
    const next: ChartViewModel = {
      nodes: base.nodes,
      edges: base.edges.map((e) =>
        e.id === 'r1'
          ? { ...e, source: 'p2', target: 'p1' }
          : e.id === 'r2'
            ? { ...e, label: 'x' }
            : e,
      ),
    };
    const patch = diffViewModels(base, next);
    expect(patch.removeEdges).toEqual(['r1']);
    expect(patch.addEdges.map((e) => e.id)).toEqual(['r1']);
    expect(patch.updateEdges.map((e) => e.id)).toEqual(['r2']);
  });
});

describe('limitAdditions', () => {
  const node = (id: string, parent?: string) => ({
    id,
    label: id,
    schema: 'Person',
    iconKey: 'Person',
    x: 0,
    y: 0,
    ...(parent ? { parent } : {}),
  });
  const edge = (id: string, source: string, target: string) => ({
    id,
    source,
    target,
    schema: 'Associate',
    label: '',
    directed: false,
  });
  const next: ChartViewModel = {
    nodes: [node('a', 'g'), node('b', 'g'), node('c'), node('d'), node('g')],
    edges: [edge('ab', 'a', 'b'), edge('bc', 'b', 'c'), edge('cd', 'c', 'd')],
  };
  const previous: ChartViewModel = { nodes: [node('old')], edges: [] };

  it('adds a chunk of nodes, groups before members, with only edges whose ends are present', () => {
    const whole = diffViewModels(previous, next);
    const { patch, applied } = limitAdditions(previous, next, whole, 3);
    expect(patch.addNodes.map((n) => n.id)).toEqual(['c', 'd', 'g']);
    expect(patch.addEdges.map((e) => e.id)).toEqual(['cd']);
    expect(patch.removeNodes).toEqual(['old']);
    expect(applied.nodes.map((n) => n.id)).toEqual(['c', 'd', 'g']);
    expect(applied.edges.map((e) => e.id)).toEqual(['cd']);
  });

  it('reaches the whole model in chunks, and leaves a patch within the limit as it is', () => {
    let applied = previous;
    let rounds = 0;
    while (applied !== next) {
      const step = limitAdditions(applied, next, diffViewModels(applied, next), 2);
      expect(step.patch.addNodes.length).toBeLessThanOrEqual(2);
      applied = step.applied;
      rounds++;
    }
    expect(rounds).toBe(3);
    const small = diffViewModels(previous, next);
    expect(limitAdditions(previous, next, small, 10)).toEqual({ patch: small, applied: next });
  });
});

describe('addEntityToChart', () => {
  it('adds the entity at the position, keeping the other nodes', async () => {
    const stored = {
      id: 'ch1',
      deleted: false,
      nodes: { a: { x: 1, y: 1, color: '#000000' } } as Record<string, ChartNodeView>,
    };
    const updates: unknown[] = [];
    const repository = {
      getChart: () => Promise.resolve(stored as unknown as ChartRecord),
      updateChart: (id: string, patch: Partial<ChartRecord>) => {
        updates.push([id, patch]);
        return Promise.resolve({ ...stored, ...patch } as unknown as ChartRecord);
      },
    };
    await addEntityToChart(repository, 'ch1', 'b', { x: 5, y: 6 });
    expect(updates).toEqual([
      ['ch1', { nodes: { a: { x: 1, y: 1, color: '#000000' }, b: { x: 5, y: 6 } } }],
    ]);
  });
});
