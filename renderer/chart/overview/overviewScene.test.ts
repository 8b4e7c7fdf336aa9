import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChartEdgeModel, ChartNodeModel, ChartViewModel } from '../chartModel.ts';
import { ANALYSIS_HIGHLIGHT, LIGHT_CHART_THEME } from '../chartModel.ts';
import { CHART_ICONS } from '../chartIcons.ts';
import type { Bounds, Paint2D } from './overviewScene.ts';
import {
  buildOverviewScene,
  DensityGrid,
  EdgeLook,
  extentOf,
  isGroupNode,
  overviewWanted,
  paintScene,
  placeRaster,
  rasterFor,
  sceneToSvg,
  sameScene,
  sceneHasTheme,
  screenRasterFor,
  strongWeightOf,
  tierAlphas,
  weightTier,
  windowOfView,
} from './overviewScene.ts';

function node(
  id: string,
  x: number,
  y: number,
  extra: Partial<ChartNodeModel> = {},
): ChartNodeModel {
  return { id, label: id, schema: 'Person', iconKey: 'Person', x, y, ...extra };
}

function edge(id: string, source: string, target: string, classes?: string): ChartEdgeModel {
  return {
    id,
    source,
    target,
    schema: 'Associate',
    label: '',
    directed: false,
    ...(classes ? { classes } : {}),
  };
}

const view: ChartViewModel = {
  nodes: [
    node('chart-group:acme', 0, 0, { classes: 'chart-group', schema: 'Company' }),
    node('a', 0, 0, { parent: 'chart-group:acme' }),
    node('b', 100, 0, { parent: 'chart-group:acme', color: '#ff0000', size: 60 }),
    node('c', 0, 200, { classes: 'analysis-dim' }),
    node('d', 300, 300, { classes: 'analysis-path', borderColor: '#00ff00' }),
    node('e', -100, 50, { borderColor: '#00ff00' }),
  ],
  edges: [
    edge('ab', 'a', 'b'),
    edge('bc', 'b', 'c', 'analysis-dim'),
    edge('cd', 'c', 'd', 'analysis-path'),
    edge('dangling', 'a', 'nowhere'),
  ],
};

describe('buildOverviewScene', () => {
  const scene = buildOverviewScene(view, LIGHT_CHART_THEME, (id) =>
    id === 'e' ? { x: -200, y: 60 } : undefined,
  );

  it('keeps entity nodes, leaves group boxes out of the node list and drops dangling edges', () => {
    expect(scene.nodeX.length).toBe(5);
    expect(scene.edgeSource.length).toBe(3);
    expect([...scene.edgeLook]).toEqual([EdgeLook.Plain, EdgeLook.Dimmed, EdgeLook.Highlighted]);
    // Edge ends are node indexes: a=0, b=1, c=2, d=3.
    expect([...scene.edgeSource]).toEqual([0, 1, 2]);
    expect([...scene.edgeTarget]).toEqual([1, 2, 3]);
  });

  it('takes live positions over the view model and sizes from the node', () => {
    expect(scene.nodeX[4]).toBe(-200);
    expect(scene.nodeY[4]).toBe(60);
    expect(scene.nodeRadius[0]).toBe(20);
    expect(scene.nodeRadius[1]).toBe(30);
  });

  it('colours by formatting rule, else by type, and marks dimmed nodes and rings', () => {
    expect(scene.palette[scene.nodeFill[0]!]).toBe(CHART_ICONS.Person!.color);
    expect(scene.palette[scene.nodeFill[1]!]).toBe('#ff0000');
    expect([...scene.nodeDimmed]).toEqual([0, 0, 1, 0, 0]);
    // A path highlight wins over a formatting border.
    expect(scene.palette[scene.nodeRing[3]! - 1]).toBe(ANALYSIS_HIGHLIGHT);
    expect(scene.palette[scene.nodeRing[4]! - 1]).toBe('#00ff00');
    expect(scene.nodeRing[0]).toBe(0);
  });

  it('boxes a group around its members with padding, and bounds everything drawn', () => {
    // a at (0,0) r20, b at (100,0) r30, padding 16.
    expect([...scene.groupBoxes]).toEqual([-36, -46, 146, 46]);
    expect(scene.bounds).toEqual({ x1: -220, y1: -46, x2: 320, y2: 320 });
  });
});

describe('sameScene', () => {
  it('tells apart scenes that differ in one position, colour, weight or theme', () => {
    const small: ChartViewModel = {
      nodes: [node('a', 0, 0), node('b', 100, 0, { color: '#ff0000' }), node('c', 0, 90)],
      edges: [edge('e1', 'a', 'b'), edge('e2', 'b', 'c')],
    };
    const scene = buildOverviewScene(small, LIGHT_CHART_THEME);
    expect(sameScene(scene, buildOverviewScene(small, LIGHT_CHART_THEME))).toBe(true);
    expect(sceneHasTheme(scene, LIGHT_CHART_THEME)).toBe(true);
    const variants: ChartViewModel[] = [
      { ...small, nodes: [node('a', 0, 1), ...small.nodes.slice(1)] },
      { ...small, nodes: [node('a', 0, 0, { color: '#00ff00' }), ...small.nodes.slice(1)] },
      { ...small, edges: [{ ...edge('e1', 'a', 'b'), members: ['x', 'y'] }, small.edges[1]!] },
      { ...small, edges: [edge('e1', 'a', 'c'), small.edges[1]!] },
    ];
    for (const other of variants) {
      expect(sameScene(scene, buildOverviewScene(other, LIGHT_CHART_THEME))).toBe(false);
    }
    const dark = { ...LIGHT_CHART_THEME, bg: '#000000' };
    expect(sameScene(scene, buildOverviewScene(small, dark))).toBe(false);
    expect(sceneHasTheme(scene, dark)).toBe(false);
  });
});

describe('raster geometry', () => {
  it('keeps the bitmap within the size limit and never finer than a pixel per model unit', () => {
    const big = rasterFor({ x1: -5000, y1: 0, x2: 15000, y2: 10000 }, 4096);
    expect(big.width).toBeLessThanOrEqual(4096);
    expect(big.height).toBeLessThanOrEqual(4096);
    expect(big.scale).toBeCloseTo((4096 - 8) / 20000, 9);
    const small = rasterFor({ x1: 0, y1: 0, x2: 300, y2: 100 }, 4096);
    expect(small.scale).toBe(1);
    expect(small.width).toBe(308);
  });

  it('paints a fitted view first at about a bitmap pixel per canvas pixel, inside the canvas', () => {
    // The 50k bench chart's shape: the detailed raster is 4,096 px wide, the canvas 1,300.
    const bounds = { x1: -12_000, y1: -9_000, x2: 14_000, y2: 8_000 };
    const detail = rasterFor(bounds);
    const screen = screenRasterFor(bounds, 1300, 650, detail)!;
    expect(screen.width).toBeLessThanOrEqual(1300);
    expect(screen.height).toBeLessThanOrEqual(650);
    expect(Math.max(screen.width / 1300, screen.height / 650)).toBeGreaterThan(0.99);
    expect(detail.scale / screen.scale).toBeGreaterThan(3);
    // The fit (cytoscapeAdapter fitTo, 40 px padding) shows it at no more than one bitmap pixel
    // per canvas pixel, so it is not blurred at first sight.
    const fitZoom = Math.min((1300 - 80) / 26_000, (650 - 80) / 17_000);
    expect(screen.scale).toBeGreaterThanOrEqual(fitZoom);
  });

  it('paints the first bitmap with lines as thin as the detailed one shrunk to its size', () => {
    const bounds = { x1: -12_000, y1: -9_000, x2: 14_000, y2: 8_000 };
    const detail = rasterFor(bounds);
    const screen = screenRasterFor(bounds, 1300, 650, detail)!;
    expect(screen.lineScale).toBeCloseTo(screen.scale / detail.scale, 9);
    const widths = (raster: typeof detail) => {
      const seen: number[] = [];
      const context = new Proxy({} as Paint2D, {
        get: (_, name) => (name === 'stroke' ? () => seen.push(widthNow) : () => undefined),
        set: (_, name, value) => {
          if (name === 'lineWidth') widthNow = value as number;
          return true;
        },
      });
      let widthNow = 0;
      paintScene(context, buildOverviewScene(view, LIGHT_CHART_THEME), raster);
      return seen;
    };
    const big = widths(detail);
    const small = widths(screen);
    expect(small).toHaveLength(big.length);
    small.forEach((width, i) => expect(width).toBeCloseTo(big[i]! * screen.lineScale!, 9));
  });

  it('skips the screen-sized paint when the detailed raster is hardly finer, or there is no canvas', () => {
    const small = { x1: 0, y1: 0, x2: 900, y2: 500 };
    expect(screenRasterFor(small, 1300, 650)).toBeUndefined();
    const big = { x1: 0, y1: 0, x2: 20_000, y2: 20_000 };
    expect(screenRasterFor(big, 0, 0)).toBeUndefined();
    expect(screenRasterFor(big, 3000, 3000)).toBeUndefined();
    expect(screenRasterFor(big, 1300, 650)).toBeDefined();
  });

  it('places a screen-sized raster as exactly as the detailed one (generated bounds and canvases)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50_000, max: 50_000 }),
        fc.integer({ min: -50_000, max: 50_000 }),
        fc.integer({ min: 2_000, max: 200_000 }),
        fc.integer({ min: 2_000, max: 200_000 }),
        fc.integer({ min: 200, max: 2_500 }),
        fc.integer({ min: 200, max: 1_500 }),
        (x1, y1, spanX, spanY, width, height) => {
          const bounds = { x1, y1, x2: x1 + spanX, y2: y1 + spanY };
          const detail = rasterFor(bounds);
          const screen = screenRasterFor(bounds, width, height, detail);
          if (!screen) return;
          expect(screen.scale).toBeLessThan(detail.scale);
          expect(screen.width).toBeLessThanOrEqual(width + 1);
          expect(screen.height).toBeLessThanOrEqual(height + 1);
          // The scene's corners land on the same screen point through either bitmap.
          const viewport = { zoom: 0.05, pan: { x: 17, y: -3 } };
          for (const raster of [screen, detail]) {
            const at = placeRaster(raster, viewport);
            const u = (bounds.x2 - raster.originX) * raster.scale;
            expect(at.x + (u * at.width) / raster.width).toBeCloseTo(
              bounds.x2 * viewport.zoom + viewport.pan.x,
              6,
            );
          }
        },
      ),
    );
  });

  it('places the bitmap so every model point lands where Cytoscape would draw it', () => {
    const raster = rasterFor({ x1: -1000, y1: -500, x2: 3000, y2: 2500 }, 2048);
    const viewport = { zoom: 0.07, pan: { x: 130, y: -45 } };
    const at = placeRaster(raster, viewport);
    for (const point of [
      { x: -1000, y: -500 },
      { x: 1234, y: 987 },
      { x: 3000, y: 2500 },
    ]) {
      const u = (point.x - raster.originX) * raster.scale;
      const v = (point.y - raster.originY) * raster.scale;
      const screenX = at.x + (u * at.width) / raster.width;
      const screenY = at.y + (v * at.height) / raster.height;
      expect(screenX).toBeCloseTo(point.x * viewport.zoom + viewport.pan.x, 6);
      expect(screenY).toBeCloseTo(point.y * viewport.zoom + viewport.pan.y, 6);
    }
  });

  it('turns a viewport into the model rectangle it shows', () => {
    expect(extentOf({ zoom: 2, pan: { x: 100, y: -50 } }, 800, 600)).toEqual({
      x1: -50,
      y1: 25,
      x2: 350,
      y2: 325,
    });
  });
});

/** Records what the painter asks of a 2D context. */
class RecordingContext implements Paint2D {
  fillStyle: string | CanvasGradient | CanvasPattern = '';
  strokeStyle: string | CanvasGradient | CanvasPattern = '';
  lineWidth = 1;
  globalAlpha = 1;
  arcs: { x: number; y: number; r: number }[] = [];
  lines = 0;
  rects = 0;
  strokeRects: number[][] = [];
  fills: { style: string; alpha: number; shapes: number }[] = [];
  strokes: { style: string; alpha: number; width: number }[] = [];
  private shapes = 0;
  fillRect(): void {}
  strokeRect(x: number, y: number, w: number, h: number): void {
    this.strokeRects.push([x, y, w, h]);
  }
  beginPath(): void {
    this.shapes = 0;
  }
  moveTo(): void {}
  lineTo(): void {
    this.lines += 1;
  }
  arc(x: number, y: number, r: number): void {
    this.arcs.push({ x, y, r });
    this.shapes += 1;
  }
  rect(): void {
    this.rects += 1;
    this.shapes += 1;
  }
  fill(): void {
    this.fills.push({
      style: this.fillStyle as string,
      alpha: this.globalAlpha,
      shapes: this.shapes,
    });
  }
  stroke(): void {
    this.strokes.push({
      style: this.strokeStyle as string,
      alpha: this.globalAlpha,
      width: this.lineWidth,
    });
  }
}

describe('paintScene', () => {
  it('paints every node disc at its bitmap position, every edge once, groups and rings', () => {
    const scene = buildOverviewScene(view, LIGHT_CHART_THEME);
    const raster = rasterFor(scene.bounds, 4096);
    const context = new RecordingContext();
    paintScene(context, scene, raster);
    // 5 discs plus 2 rings (d and e).
    expect(context.arcs.length).toBe(7);
    const discOfB = context.arcs.find((a) => a.r === 30);
    expect(discOfB).toEqual({
      x: (100 - raster.originX) * raster.scale,
      y: (0 - raster.originY) * raster.scale,
      r: 30,
    });
    expect(context.lines).toBe(3);
    expect(context.strokeRects.length).toBe(1);
    // The dimmed node is filled on its own, at a quarter opacity.
    expect(context.fills).toContainEqual({
      style: CHART_ICONS.Person!.color,
      alpha: 0.25,
      shapes: 1,
    });
    expect(context.strokes).toContainEqual({ style: ANALYSIS_HIGHLIGHT, alpha: 1, width: 3 });
  });

  it('paints nodes smaller than a pixel or two as squares', () => {
    const many: ChartViewModel = {
      nodes: Array.from({ length: 50 }, (_, i) => node(`n${i}`, i * 2000, 0)),
      edges: [],
    };
    const scene = buildOverviewScene(many, LIGHT_CHART_THEME);
    const context = new RecordingContext();
    paintScene(context, scene, rasterFor(scene.bounds, 512));
    expect(context.rects).toBe(50);
    expect(context.arcs.length).toBe(0);
  });
});

describe('edge weights (a million-call overview)', () => {
  /** A ring of `count` nodes, each linked to the next by a combined link of `weight(i)` calls. */
  function weighted(count: number, weight: (i: number) => number): ChartViewModel {
    const nodes = Array.from({ length: count }, (_, i) => node(`n${i}`, i * 100, 0));
    const edges = nodes.map((n, i) => ({
      ...edge(`e${i}`, n.id, nodes[(i + 1) % count]!.id),
      members: Array.from({ length: weight(i) }, (_, m) => `c${i}.${m}`),
    }));
    return { nodes, edges };
  }

  it('takes the weight of a link from the calls it stands for', () => {
    const scene = buildOverviewScene(
      weighted(4, (i) => i + 1),
      LIGHT_CHART_THEME,
    );
    expect([...scene.edgeWeight]).toEqual([1, 2, 3, 4]);
    expect([...buildOverviewScene(view, LIGHT_CHART_THEME).edgeWeight]).toEqual([1, 1, 1]);
  });

  it('finds the top pairs: a small share of the links, never single calls', () => {
    // 1,000 links, ten of them with 50 calls: the top 0.1 % (one link) has 50.
    const weights = Uint32Array.from({ length: 1000 }, (_, i) =>
      i % 100 === 0 ? 50 : 1 + (i % 3),
    );
    expect(strongWeightOf(weights)).toBe(50);
    expect(strongWeightOf(new Uint32Array(1000).fill(1))).toBe(Infinity);
    expect(strongWeightOf(new Uint32Array())).toBe(Infinity);
  });

  it('fades single links on a crowded chart and keeps a small chart as it was', () => {
    expect(tierAlphas(3)).toEqual([0.6, 0.9, 0.9, 0.9, 0.9]);
    const crowded = tierAlphas(400_000);
    expect(crowded[0]).toBeLessThan(0.1);
    for (let t = 1; t < crowded.length; t++) expect(crowded[t]).toBeGreaterThan(crowded[t - 1]!);
    expect([1, 2, 3, 4, 7, 8, 16, 1000].map(weightTier)).toEqual([0, 1, 1, 2, 2, 3, 4, 4]);
  });

  it('paints heavier links over lighter ones and the top pairs last, wider, in the accent', () => {
    // 2,000 links: most single calls, every 100th a pair of 40 calls.
    const scene = buildOverviewScene(
      weighted(2000, (i) => (i % 100 === 0 ? 40 : 1 + (i % 2))),
      LIGHT_CHART_THEME,
    );
    const context = new RecordingContext();
    paintScene(context, scene, rasterFor(scene.bounds, 4096));
    expect(context.lines).toBe(2000);
    const edgeStrokes = context.strokes;
    const last = edgeStrokes.at(-1)!;
    expect(last).toEqual({ style: LIGHT_CHART_THEME.accent, alpha: 0.9, width: 2 });
    const plain = edgeStrokes.slice(0, -1);
    expect(plain.every((s) => s.style === LIGHT_CHART_THEME.edge)).toBe(true);
    expect(plain.map((s) => s.alpha)).toEqual([...plain.map((s) => s.alpha)].sort((a, b) => a - b));
  });
});

describe('DensityGrid', () => {
  // 100 × 100 points on a unit lattice over [0, 99]².
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j < 100; j++) {
      xs.push(i);
      ys.push(j);
    }
  }
  const grid = new DensityGrid({ x1: 0, y1: 0, x2: 100, y2: 100 }, xs, ys, 10, 10);

  it('counts everything for an extent that covers the chart and nothing outside it', () => {
    expect(grid.countIn({ x1: -10, y1: -10, x2: 200, y2: 200 })).toBe(10_000);
    expect(grid.countIn({ x1: 150, y1: 0, x2: 300, y2: 100 })).toBe(0);
  });

  it('counts whole cells: exact on cell borders, an upper bound inside them', () => {
    expect(grid.countIn({ x1: 0, y1: 0, x2: 49.9, y2: 99.9 })).toBe(5000);
    expect(grid.countIn({ x1: 12, y1: 12, x2: 14, y2: 14 })).toBe(100);
  });
});

describe('overviewWanted', () => {
  it('takes over above the budget and hands back only below 80 % of it', () => {
    expect(overviewWanted(false, 3001, 3000)).toBe(true);
    expect(overviewWanted(false, 3000, 3000)).toBe(false);
    expect(overviewWanted(true, 2500, 3000)).toBe(true);
    expect(overviewWanted(true, 2399, 3000)).toBe(false);
  });
});

describe('windowOfView', () => {
  it('holds the nodes inside, the edges between them and their groups; edges leaving are segments', () => {
    const split = windowOfView(view, { x1: -50, y1: -50, x2: 150, y2: 250 });
    // a, b (in group acme) and c are inside; d and e are not.
    expect(split.view.nodes.map((n) => n.id)).toEqual(['chart-group:acme', 'a', 'b', 'c']);
    expect(split.view.edges.map((e) => e.id)).toEqual(['ab', 'bc']);
    // c–d leaves the window: from c (0, 200, radius 20) to d (300, 300).
    expect([...split.crossing]).toEqual([0, 200, 300, 300, 20]);
  });

  it('splits as a plain scan of the view would, for generated views and windows', () => {
    // The plain scan it replaced (look-ups built per split): the reference for the indexed one.
    const reference = (v: ChartViewModel, w: Bounds) => {
      const inside = new Map<string, ChartNodeModel>();
      const byId = new Map<string, ChartNodeModel>();
      for (const node of v.nodes) {
        if (isGroupNode(node)) continue;
        byId.set(node.id, node);
        if (node.x >= w.x1 && node.x <= w.x2 && node.y >= w.y1 && node.y <= w.y2) {
          inside.set(node.id, node);
        }
      }
      const edges: ChartEdgeModel[] = [];
      const crossing: number[] = [];
      for (const edge of v.edges) {
        const source = inside.get(edge.source);
        const target = inside.get(edge.target);
        if (source && target) edges.push(edge);
        else if (source || target) {
          const near = (source ?? target)!;
          const far = byId.get(source ? edge.target : edge.source);
          if (far) crossing.push(near.x, near.y, far.x, far.y, (near.size ?? 40) / 2);
        }
      }
      const groups = new Set([...inside.values()].flatMap((n) => (n.parent ? [n.parent] : [])));
      return {
        nodes: v.nodes.filter((n) => inside.has(n.id) || groups.has(n.id)),
        edges,
        crossing: [...Float32Array.from(crossing)],
      };
    };
    const generated = fc.record({
      nodes: fc.array(
        fc.record({
          x: fc.integer({ min: -100, max: 100 }),
          y: fc.integer({ min: -100, max: 100 }),
          size: fc.option(fc.integer({ min: 10, max: 80 }), { nil: undefined }),
          grouped: fc.boolean(),
        }),
        { maxLength: 30 },
      ),
      edges: fc.array(fc.tuple(fc.nat(35), fc.nat(35)), { maxLength: 60 }),
      window: fc.tuple(
        fc.integer({ min: -120, max: 120 }),
        fc.integer({ min: -120, max: 120 }),
        fc.nat(200),
        fc.nat(200),
      ),
    });
    fc.assert(
      fc.property(generated, ({ nodes, edges, window: [x1, y1, w, h] }) => {
        const v: ChartViewModel = {
          nodes: [
            {
              id: 'chart-group:g',
              label: 'g',
              schema: 'Group',
              iconKey: 'Group',
              x: 0,
              y: 0,
              classes: 'chart-group',
            },
            ...nodes.map((n, i) => ({
              id: `n${i}`,
              label: '',
              schema: 'Person',
              iconKey: 'Person',
              x: n.x,
              y: n.y,
              ...(n.size !== undefined ? { size: n.size } : {}),
              ...(n.grouped ? { parent: 'chart-group:g' } : {}),
            })),
          ],
          // Ends past the last node stand for entities the chart does not show.
          edges: edges.map(([s, t], k) => ({
            id: `e${k}`,
            source: `n${s}`,
            target: `n${t}`,
            schema: 'Associate',
            label: '',
            directed: false,
          })),
        };
        const bounds = { x1, y1, x2: x1 + w, y2: y1 + h };
        // A saved drag: the same edge list, some nodes moved (the index is carried over).
        const moved: ChartViewModel = {
          nodes: v.nodes.map((n, i) => (i % 3 === 1 ? { ...n, x: n.x + 7, y: n.y - 3 } : n)),
          edges: v.edges,
        };
        // Twice each: the second split reuses the view's look-ups.
        for (const current of [v, v, moved, moved]) {
          const split = windowOfView(current, bounds);
          const expected = reference(current, bounds);
          expect(split.view.nodes).toEqual(expected.nodes);
          expect(split.view.edges).toEqual(expected.edges);
          expect([...split.crossing]).toEqual(expected.crossing);
          // The scene, built through the same index, is the scene of a fresh copy of the view.
          expect(buildOverviewScene(current, LIGHT_CHART_THEME)).toEqual(
            buildOverviewScene(structuredClone(current), LIGHT_CHART_THEME),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('holds nothing of a window with no node in it', () => {
    const split = windowOfView(view, { x1: 1000, y1: 1000, x2: 2000, y2: 2000 });
    expect(split.view.nodes).toEqual([]);
    expect(split.view.edges).toEqual([]);
    expect(split.crossing.length).toBe(0);
  });
});

describe('sceneToSvg', () => {
  it('writes every node as a disc and every edge as a line, in model coordinates', () => {
    const svg = sceneToSvg(buildOverviewScene(view, LIGHT_CHART_THEME));
    expect(svg.match(/<circle /g)?.length).toBe(5);
    expect(svg.match(/<line /g)?.length).toBe(3);
    expect(svg).toContain('<circle cx="100" cy="0" r="30" fill="#ff0000"/>');
    expect(svg).toContain(`stroke="${ANALYSIS_HIGHLIGHT}" stroke-width="5"`);
    expect(svg).toContain('viewBox="-120 -46 440 366"');
  });
});
