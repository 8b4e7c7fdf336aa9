import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { ChartEdgeModel, ChartViewModel } from './chartModel.ts';
import { buildChartElements, schemaLabel } from './chartModel.ts';
import {
  bundleId,
  bundleKey,
  combineParallelLinks,
  countWidth,
  formatDuration,
  isBundleId,
  MAX_LINK_WIDTH,
  MIN_LINK_WIDTH,
  summarise,
  toggleBundle,
} from './parallelLinks.ts';

const NODES = ['p0', 'p1', 'p2', 'p3'];

function nodesOf(ids: readonly string[]): ChartViewModel['nodes'] {
  return ids.map((id) => ({ id, label: id, schema: 'Phone', iconKey: 'Phone', x: 0, y: 0 }));
}

interface EdgeSpec {
  source: string;
  target: string;
  schema: 'Call' | 'Payment';
  duration: number | undefined;
  amount: number | undefined;
  date: Date | undefined;
}

const edgeArb: fc.Arbitrary<EdgeSpec> = fc.record({
  source: fc.constantFrom(...NODES),
  target: fc.constantFrom(...NODES),
  schema: fc.constantFrom('Call', 'Payment'),
  duration: fc.option(fc.integer({ min: 0, max: 7200 }), { nil: undefined }),
  amount: fc.option(fc.integer({ min: 0, max: 100000 }), { nil: undefined }),
  date: fc.option(
    fc.date({ min: new Date('2020-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }),
    { nil: undefined },
  ),
});

function viewOf(edges: EdgeSpec[]): ChartViewModel {
  return {
    nodes: nodesOf(NODES),
    edges: edges.map((e, index): ChartEdgeModel => ({
      id: `e${index}`,
      source: e.source,
      target: e.target,
      schema: e.schema,
      label: e.schema,
      directed: true,
      facts: {
        ...(e.duration !== undefined ? { duration: e.duration } : {}),
        ...(e.amount !== undefined ? { amount: e.amount, currency: 'EUR' } : {}),
        ...(e.date !== undefined ? { date: e.date.toISOString().slice(0, 10) } : {}),
      },
    })),
  };
}

/** Every relationship a drawn view stands for: single links and the members of combined ones. */
function represented(view: ChartViewModel, base: ChartViewModel): ChartEdgeModel[] {
  const byId = new Map(base.edges.map((e) => [e.id, e]));
  return view.edges.flatMap((e) => (e.members ? e.members.map((id) => byId.get(id)!) : [e]));
}

describe('combineParallelLinks', () => {
  it('preserves counts and sums, and draws one link per pair and type', () => {
    fc.assert(
      fc.property(fc.array(edgeArb, { maxLength: 80 }), (edges) => {
        const base = viewOf(edges);
        const view = combineParallelLinks(base, { combine: true });
        // Nothing lost, nothing doubled.
        expect(
          represented(view, base)
            .map((e) => e.id)
            .sort(),
        ).toEqual(base.edges.map((e) => e.id).sort());
        // One drawn link per bundle key.
        const keys = view.edges.map(bundleKey);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.length).toBe(new Set(base.edges.map(bundleKey)).size);
        // Each combined link's count and totals are its members'.
        for (const edge of view.edges.filter((e) => e.members)) {
          const members = base.edges.filter((e) => bundleKey(e) === bundleKey(edge));
          expect(edge.members).toHaveLength(members.length);
          const summary = summarise(members);
          const durations = members.map((m) => m.facts?.duration).filter((d) => d !== undefined);
          if (durations.length > 0) {
            expect(summary.duration).toBe(durations.reduce((a, b) => a + b, 0));
            expect(edge.label).toContain(formatDuration(summary.duration!));
          }
          expect(edge.label.startsWith(`${members.length} × `)).toBe(true);
          expect(edge.width).toBeGreaterThanOrEqual(MIN_LINK_WIDTH);
          expect(edge.width).toBeLessThanOrEqual(MAX_LINK_WIDTH);
        }
      }),
    );
  });

  it('expands each bundle to its single links and collapses them back (round trip)', () => {
    fc.assert(
      fc.property(fc.array(edgeArb, { minLength: 1, maxLength: 60 }), (edges) => {
        const base = viewOf(edges);
        const combined = combineParallelLinks(base, { combine: true });
        let expanded: ReadonlySet<string> = new Set();
        for (const edge of combined.edges) {
          if (isBundleId(edge.id)) expanded = toggleBundle(expanded, base, edge.id);
        }
        // All expanded: exactly the single links.
        const open = combineParallelLinks(base, { combine: true, expanded });
        expect(open.edges.map((e) => e.id).sort()).toEqual(base.edges.map((e) => e.id).sort());
        // Collapse each through one of its members: back to the combined view.
        for (const edge of combined.edges) {
          if (edge.members) expanded = toggleBundle(expanded, base, edge.members.at(-1)!);
        }
        expect(expanded.size).toBe(0);
        expect(combineParallelLinks(base, { combine: true, expanded })).toEqual(combined);
      }),
    );
  });

  it('draws 320 calls between ten phones as at most 45 links, not 320 labelled curves', () => {
    const phones = Array.from({ length: 10 }, (_, i) => `phone${i}`);
    const edges = Array.from({ length: 320 }, (_, i) => {
      const a = i % 10;
      const b = (a + 1 + ((i * 7) % 9)) % 10;
      return {
        source: phones[a]!,
        target: phones[b]!,
        schema: 'Call' as const,
        duration: 60 + i,
        amount: undefined,
        date: new Date(Date.UTC(2024, 0, 1 + (i % 90))),
      };
    });
    const base = { ...viewOf(edges), nodes: nodesOf(phones) };
    const view = combineParallelLinks(base, { combine: true }, () => 'Call');
    expect(base.edges).toHaveLength(320);
    expect(view.edges.length).toBeLessThanOrEqual(45);
    expect(represented(view, base)).toHaveLength(320);
    const total = view.edges.reduce((sum, e) => sum + (e.members?.length ?? 1), 0);
    expect(total).toBe(320);
    const widest = view.edges.reduce((a, b) => ((a.width ?? 0) >= (b.width ?? 0) ? a : b));
    // Width follows the count on a fixed scale: about 11 calls a pair is far from the widest.
    expect(widest.width).toBe(countWidth(widest.members!.length));
    expect(widest.width).toBeLessThan(MAX_LINK_WIDTH);
    for (const a of view.edges) {
      for (const b of view.edges) {
        if ((a.members?.length ?? 1) < (b.members?.length ?? 1))
          expect(a.width).toBeLessThan(b.width!);
      }
    }
    expect(widest.label).toMatch(/^\d+ × Call · .*\n2024-01-\d\d – 2024-0\d-\d\d$/);
    // Turned off: every call is its own link again.
    expect(combineParallelLinks(base, { combine: false }).edges).toHaveLength(320);
  });

  it('sums payments per currency and widths by sum when asked', () => {
    const edge = (
      id: string,
      target: string,
      amount: number,
      currency: string,
    ): ChartEdgeModel => ({
      id,
      source: 'a',
      target,
      schema: 'Payment',
      label: 'Payment',
      directed: true,
      facts: { amount, currency, date: `2024-0${id.length}-01` },
    });
    const base: ChartViewModel = {
      nodes: nodesOf(['a', 'b', 'c']),
      edges: [
        edge('x', 'b', 100, 'EUR'),
        edge('xx', 'b', 50.5, 'EUR'),
        edge('xxx', 'b', 20, 'USD'),
        edge('y', 'c', 5000, 'EUR'),
        edge('yy', 'c', 5000, 'EUR'),
      ],
    };
    const byCount = combineParallelLinks(base, { combine: true }, () => 'Payment');
    const toB = byCount.edges.find((e) => e.target === 'b')!;
    expect(toB.id).toBe(bundleId(bundleKey(toB)));
    expect(toB.label).toBe('3 × Payment · 150.5 EUR · 20 USD\n2024-01-01 – 2024-03-01');
    expect(toB.width).toBe(countWidth(3));
    const bySum = combineParallelLinks(base, { combine: true, widthBy: 'sum' });
    const toC = bySum.edges.find((e) => e.target === 'c')!;
    expect(toC.width).toBe(MAX_LINK_WIDTH);
    expect(bySum.edges.find((e) => e.target === 'b')!.width).toBeLessThan(MAX_LINK_WIDTH);
  });

  it('draws no arrow for a bundle whose members run both ways', () => {
    const base: ChartViewModel = {
      nodes: nodesOf(['a', 'b']),
      edges: [
        { id: '1', source: 'a', target: 'b', schema: 'Call', label: '', directed: true },
        { id: '2', source: 'b', target: 'a', schema: 'Call', label: '', directed: true },
      ],
    };
    const [bundle] = combineParallelLinks(base, { combine: true }).edges;
    expect(bundle!.directed).toBe(false);
    expect(bundle!.members).toEqual(['1', '2']);
  });
});

describe('buildChartElements facts', () => {
  it('reads date, duration and amount from calls and payments', () => {
    const entity = (id: string, schema: string, properties: Record<string, string[]>) =>
      ({ id, kind: 'entity', schema, properties, deleted: false }) as unknown as EntityRecord;
    const entities = [
      entity('a', 'Phone', { number: ['+43 660 1'] }),
      entity('b', 'Phone', { number: ['+43 660 2'] }),
      entity('c1', 'Call', {
        caller: ['a'],
        receiver: ['b'],
        date: ['2024-01-02'],
        duration: ['90'],
      }),
      entity('c2', 'Call', {
        caller: ['a'],
        receiver: ['b'],
        date: ['2024-02-03'],
        duration: ['30'],
      }),
    ];
    const view = buildChartElements(entities, {
      nodes: { a: { x: 0, y: 0 }, b: { x: 1, y: 1 } },
    });
    expect(view.edges.map((e) => e.facts)).toEqual([
      { date: '2024-01-02', duration: 90 },
      { date: '2024-02-03', duration: 30 },
    ]);
    const combined = combineParallelLinks(view, { combine: true }, schemaLabel);
    expect(combined.edges).toHaveLength(1);
    expect(combined.edges[0]!.label).toBe(
      `2 × ${schemaLabel('Call')} · 2 min\n2024-01-02 – 2024-02-03`,
    );
  });
});
