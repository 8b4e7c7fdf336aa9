/**
 * The overview of a huge chart: what the chart shows, flattened into typed arrays that a worker
 * paints once into a bitmap, and the arithmetic that places that bitmap on screen.
 *
 * Why: on a browser without a usable GPU, a Cytoscape frame that draws 50,000 nodes and 100,000
 * edges takes one to two seconds, and panning the whole chart needs such frames whenever a drag
 * starts or ends. Zoomed out that far each node covers a pixel or two, so a pre-painted bitmap
 * moved and scaled with the viewport looks the same and costs one drawImage per frame. Once the
 * user zooms in to where few enough nodes are on screen, Cytoscape draws them itself (it skips
 * what is off screen). Everything here is pure, so it is unit-tested without a browser.
 */
import type { ChartTheme, ChartViewModel } from '../chartModel.ts';
import { ANALYSIS_HIGHLIGHT } from '../chartModel.ts';
import type { Point } from '../chartGeometry.ts';
import { CHART_ICONS, GENERIC_ICON_KEY } from '../chartIcons.ts';
import { EdgeLook, tierAlphas, WEIGHT_TIERS, weightTier } from './scenePaint.ts';

// The painter lives in scenePaint.ts (its worker loads nothing else); its names are this module's too.
export type { Paint2D } from './scenePaint.ts';
export {
  EdgeLook,
  paintScene,
  tierAlphas,
  TINY_DISC_PX,
  WEIGHT_TIERS,
  weightTier,
} from './scenePaint.ts';

/** Default node diameter in model units (the style sheet's width). */
export const DEFAULT_NODE_SIZE = 40;
/** Padding of a group box around its members (the style sheet's compound padding). */
const GROUP_PADDING = 16;

export interface OverviewScene {
  /** Model-space bounds of everything drawn (node discs and group boxes). */
  readonly bounds: Bounds;
  /** Fill colours; nodes refer to them by index. */
  readonly palette: readonly string[];
  readonly nodeX: Float32Array;
  readonly nodeY: Float32Array;
  readonly nodeRadius: Float32Array;
  readonly nodeFill: Uint16Array;
  /** 1 where the node is dimmed by an analysis highlight. */
  readonly nodeDimmed: Uint8Array;
  /** Ring colour index + 1 (0: no ring): conditional-formatting borders and path highlights. */
  readonly nodeRing: Uint16Array;
  /** Edge ends as node indexes. */
  readonly edgeSource: Uint32Array;
  readonly edgeTarget: Uint32Array;
  readonly edgeLook: Uint8Array;
  /** How many single links each edge stands for (a combined link's members; 1 otherwise). */
  readonly edgeWeight: Uint32Array;
  /**
   * Plain edges of at least this weight are the chart's top pairs, painted on top in `strongColor`
   * (Infinity when no edge stands out: nothing combined, or all alike).
   */
  readonly strongWeight: number;
  /** Group boxes as x1, y1, x2, y2 quadruples. */
  readonly groupBoxes: Float32Array;
  readonly edgeColor: string;
  readonly strongColor: string;
  readonly highlightColor: string;
  readonly groupColor: string;
  readonly background: string;
}

export interface Bounds {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface Viewport {
  readonly zoom: number;
  readonly pan: Point;
}

function isGroup(classes: string | undefined): boolean {
  return classes !== undefined && /(^|\s)chart-group(\s|$)/.test(classes);
}

/** Whether a chart node is a group box (compound node) rather than an entity. */
export function isGroupNode(node: { readonly classes?: string }): boolean {
  return isGroup(node.classes);
}

function hasClass(classes: string | undefined, name: string): boolean {
  // Most elements carry no class or only `chart-bundle`: skip the split for them (373,599 links).
  return classes !== undefined && classes.includes(name) && classes.split(/\s+/).includes(name);
}

/** Share of the edges that count as top pairs (at most TOP_PAIRS_MAX of them). */
const TOP_PAIRS_SHARE = 0.001;
const TOP_PAIRS_MAX = 500;

/**
 * The weight from which an edge is a top pair: the weight of the k-th heaviest edge, k a small
 * share of them, so the strongest few hundred pairs of a million-call chart stand out. Edges of
 * weight 1 never do; Infinity when no edge is heavier than 1.
 */
export function strongWeightOf(weights: Uint32Array): number {
  if (weights.length === 0) return Infinity;
  const k = Math.min(TOP_PAIRS_MAX, Math.max(1, Math.ceil(weights.length * TOP_PAIRS_SHARE)));
  // A counting pass over the weights (small integers), not a sort of all of them.
  const counts = new Map<number, number>();
  for (const weight of weights) counts.set(weight, (counts.get(weight) ?? 0) + 1);
  let seen = 0;
  for (const weight of [...counts.keys()].sort((a, b) => b - a)) {
    seen += counts.get(weight)!;
    if (seen >= k) return weight > 1 ? weight : Infinity;
  }
  return Infinity;
}

/**
 * Flattens `view` for painting. `positionOf` gives a node's current model position (the live
 * chart's, which may be newer than the view model's after a drag); nodes it does not know keep
 * the view model's.
 */
export function buildOverviewScene(
  view: ChartViewModel,
  theme: ChartTheme,
  positionOf: (id: string) => Point | undefined = () => undefined,
): OverviewScene {
  const members = view.nodes.filter((node) => !isGroup(node.classes));
  const count = members.length;
  const nodeX = new Float32Array(count);
  const nodeY = new Float32Array(count);
  const nodeRadius = new Float32Array(count);
  const nodeFill = new Uint16Array(count);
  const nodeDimmed = new Uint8Array(count);
  const nodeRing = new Uint16Array(count);
  const palette: string[] = [];
  const paletteIndex = new Map<string, number>();
  const colourIndex = (colour: string): number => {
    let index = paletteIndex.get(colour);
    if (index === undefined) {
      index = palette.length;
      palette.push(colour);
      paletteIndex.set(colour, index);
    }
    return index;
  };
  const groupBounds = new Map<string, [number, number, number, number]>();
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  members.forEach((node, i) => {
    const at = positionOf(node.id) ?? node;
    const radius = (node.size ?? DEFAULT_NODE_SIZE) / 2;
    nodeX[i] = at.x;
    nodeY[i] = at.y;
    nodeRadius[i] = radius;
    const icon = CHART_ICONS[node.iconKey] ?? CHART_ICONS[GENERIC_ICON_KEY]!;
    nodeFill[i] = colourIndex(node.color ?? icon.color);
    nodeDimmed[i] = hasClass(node.classes, 'analysis-dim') ? 1 : 0;
    const ring = hasClass(node.classes, 'analysis-path') ? ANALYSIS_HIGHLIGHT : node.borderColor;
    nodeRing[i] = ring === undefined ? 0 : colourIndex(ring) + 1;
    x1 = Math.min(x1, at.x - radius);
    y1 = Math.min(y1, at.y - radius);
    x2 = Math.max(x2, at.x + radius);
    y2 = Math.max(y2, at.y + radius);
    if (node.parent !== undefined) {
      const box = groupBounds.get(node.parent);
      if (box) {
        box[0] = Math.min(box[0], at.x - radius);
        box[1] = Math.min(box[1], at.y - radius);
        box[2] = Math.max(box[2], at.x + radius);
        box[3] = Math.max(box[3], at.y + radius);
      } else {
        groupBounds.set(node.parent, [at.x - radius, at.y - radius, at.x + radius, at.y + radius]);
      }
    }
  });
  const groupBoxes = new Float32Array(groupBounds.size * 4);
  let g = 0;
  for (const [bx1, by1, bx2, by2] of groupBounds.values()) {
    groupBoxes.set(
      [bx1 - GROUP_PADDING, by1 - GROUP_PADDING, bx2 + GROUP_PADDING, by2 + GROUP_PADDING],
      g,
    );
    x1 = Math.min(x1, bx1 - GROUP_PADDING);
    y1 = Math.min(y1, by1 - GROUP_PADDING);
    x2 = Math.max(x2, bx2 + GROUP_PADDING);
    y2 = Math.max(y2, by2 + GROUP_PADDING);
    g += 4;
  }

  // Edge ends from the view's index (node index → member index): no id look-ups per edge, and
  // none at all after a drag (see viewIndex).
  const index = viewIndex(view);
  const memberOf = new Int32Array(view.nodes.length).fill(-1);
  for (let i = 0, m = 0; i < view.nodes.length; i++) if (index.group[i] === 0) memberOf[i] = m++;
  const ends = (k: number): [number, number] => {
    const s = index.edgeSource[k]!;
    const t = index.edgeTarget[k]!;
    return [s >= 0 ? memberOf[s]! : -1, t >= 0 ? memberOf[t]! : -1];
  };
  let edgeCount = 0;
  for (let k = 0; k < view.edges.length; k++) {
    const [s, t] = ends(k);
    if (s >= 0 && t >= 0) edgeCount++;
  }
  const edgeSource = new Uint32Array(edgeCount);
  const edgeTarget = new Uint32Array(edgeCount);
  const edgeLook = new Uint8Array(edgeCount);
  const edgeWeight = new Uint32Array(edgeCount);
  for (let k = 0, e = 0; k < view.edges.length; k++) {
    const [s, t] = ends(k);
    if (s < 0 || t < 0) continue;
    const edge = view.edges[k]!;
    edgeSource[e] = s;
    edgeTarget[e] = t;
    edgeLook[e] = hasClass(edge.classes, 'analysis-path')
      ? EdgeLook.Highlighted
      : hasClass(edge.classes, 'analysis-dim')
        ? EdgeLook.Dimmed
        : EdgeLook.Plain;
    edgeWeight[e] = edge.members?.length ?? 1;
    e++;
  }
  const bounds = Number.isFinite(x1) ? { x1, y1, x2, y2 } : { x1: 0, y1: 0, x2: 0, y2: 0 };
  return {
    bounds,
    palette,
    nodeX,
    nodeY,
    nodeRadius,
    nodeFill,
    nodeDimmed,
    nodeRing,
    edgeSource,
    edgeTarget,
    edgeLook,
    edgeWeight,
    strongWeight: strongWeightOf(edgeWeight),
    groupBoxes,
    ...sceneColours(theme),
  };
}

function sceneColours(
  theme: ChartTheme,
): Pick<
  OverviewScene,
  'edgeColor' | 'strongColor' | 'highlightColor' | 'groupColor' | 'background'
> {
  return {
    edgeColor: theme.edge,
    strongColor: theme.accent,
    highlightColor: ANALYSIS_HIGHLIGHT,
    groupColor: theme.fgMuted,
    background: theme.bg,
  };
}

/** A node of a scene without groups, classes or rings (plainScene). */
export interface PlainSceneNode {
  readonly x: number;
  readonly y: number;
  /** Diameter in model units (DEFAULT_NODE_SIZE when undefined). */
  readonly size: number | undefined;
  readonly fill: string;
}

/**
 * The scene buildOverviewScene makes of a view whose nodes carry no classes, parents or borders
 * and whose edges no classes but the bundle's: nodes in order, edges as node indexes with their
 * weights. For a scene made from columns, without the view (combinedElements.ts
 * overviewSceneOfPlan); the same arithmetic, so the two are equal (sameScene).
 */
export function plainScene(
  nodes: readonly PlainSceneNode[],
  edgeSource: Uint32Array,
  edgeTarget: Uint32Array,
  edgeWeight: Uint32Array,
  theme: ChartTheme,
): OverviewScene {
  const count = nodes.length;
  const nodeX = new Float32Array(count);
  const nodeY = new Float32Array(count);
  const nodeRadius = new Float32Array(count);
  const nodeFill = new Uint16Array(count);
  const palette: string[] = [];
  const paletteIndex = new Map<string, number>();
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  nodes.forEach((node, i) => {
    const radius = (node.size ?? DEFAULT_NODE_SIZE) / 2;
    nodeX[i] = node.x;
    nodeY[i] = node.y;
    nodeRadius[i] = radius;
    let colour = paletteIndex.get(node.fill);
    if (colour === undefined) {
      colour = palette.length;
      palette.push(node.fill);
      paletteIndex.set(node.fill, colour);
    }
    nodeFill[i] = colour;
    x1 = Math.min(x1, node.x - radius);
    y1 = Math.min(y1, node.y - radius);
    x2 = Math.max(x2, node.x + radius);
    y2 = Math.max(y2, node.y + radius);
  });
  return {
    bounds: Number.isFinite(x1) ? { x1, y1, x2, y2 } : { x1: 0, y1: 0, x2: 0, y2: 0 },
    palette,
    nodeX,
    nodeY,
    nodeRadius,
    nodeFill,
    nodeDimmed: new Uint8Array(count),
    nodeRing: new Uint16Array(count),
    edgeSource,
    edgeTarget,
    edgeLook: new Uint8Array(edgeSource.length).fill(EdgeLook.Plain),
    edgeWeight,
    strongWeight: strongWeightOf(edgeWeight),
    groupBoxes: new Float32Array(0),
    ...sceneColours(theme),
  };
}

function sameArray(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `scene` has `theme`'s colours (a theme switch repaints). */
export function sceneHasTheme(scene: OverviewScene, theme: ChartTheme): boolean {
  const colours = sceneColours(theme);
  return (
    scene.edgeColor === colours.edgeColor &&
    scene.strongColor === colours.strongColor &&
    scene.highlightColor === colours.highlightColor &&
    scene.groupColor === colours.groupColor &&
    scene.background === colours.background
  );
}

/** Whether two scenes paint the same picture: every column and colour equal. */
export function sameScene(a: OverviewScene, b: OverviewScene): boolean {
  if (a === b) return true;
  return (
    a.bounds.x1 === b.bounds.x1 &&
    a.bounds.y1 === b.bounds.y1 &&
    a.bounds.x2 === b.bounds.x2 &&
    a.bounds.y2 === b.bounds.y2 &&
    a.strongWeight === b.strongWeight &&
    a.edgeColor === b.edgeColor &&
    a.strongColor === b.strongColor &&
    a.highlightColor === b.highlightColor &&
    a.groupColor === b.groupColor &&
    a.background === b.background &&
    sameArray(a.palette, b.palette) &&
    sameArray(a.nodeX, b.nodeX) &&
    sameArray(a.nodeY, b.nodeY) &&
    sameArray(a.nodeRadius, b.nodeRadius) &&
    sameArray(a.nodeFill, b.nodeFill) &&
    sameArray(a.nodeDimmed, b.nodeDimmed) &&
    sameArray(a.nodeRing, b.nodeRing) &&
    sameArray(a.edgeSource, b.edgeSource) &&
    sameArray(a.edgeTarget, b.edgeTarget) &&
    sameArray(a.edgeLook, b.edgeLook) &&
    sameArray(a.edgeWeight, b.edgeWeight) &&
    sameArray(a.groupBoxes, b.groupBoxes)
  );
}

/** Where the overview bitmap sits: bitmap pixel (u, v) is model point (x1 + u/scale, y1 + v/scale). */
export interface Raster {
  readonly width: number;
  readonly height: number;
  /** Bitmap pixels per model unit. */
  readonly scale: number;
  readonly originX: number;
  readonly originY: number;
  /**
   * Width of a line (and of the smallest disc) in this raster's pixels, as a share of the
   * detailed raster's: 1 there. The canvas-sized first bitmap (screenRasterFor) paints its lines
   * and smallest discs as thin as the detailed raster's look once shrunk to the same size, so the
   * picture does not change when the detailed bitmap replaces it (one-pixel lines in the small
   * raster showed the edges six times as strong at 50k).
   */
  readonly lineScale?: number;
}

/** Largest bitmap side: 4096² RGBA is 64 MiB, and painting it takes well under a second. */
export const MAX_RASTER_SIDE = 4096;

/**
 * Bitmap geometry for `bounds`: at most `maxSide` pixels a side and never finer than one pixel
 * per model unit (nodes are 40 units wide; the overview is only shown zoomed far out), with a
 * margin of a few pixels so discs at the edge are not clipped.
 */
export function rasterFor(bounds: Bounds, maxSide = MAX_RASTER_SIDE): Raster {
  const { spanX, spanY } = spansOf(bounds);
  return rasterAt(bounds, Math.min(1, (maxSide - 2 * RASTER_MARGIN) / Math.max(spanX, spanY)));
}

/** Bitmap pixels left around the scene on each side, so discs at the edge are not clipped. */
const RASTER_MARGIN = 4;

function spansOf(bounds: Bounds): { spanX: number; spanY: number } {
  return { spanX: Math.max(1, bounds.x2 - bounds.x1), spanY: Math.max(1, bounds.y2 - bounds.y1) };
}

/** The raster of `bounds` at `scale` bitmap pixels per model unit. */
function rasterAt(bounds: Bounds, scale: number): Raster {
  const { spanX, spanY } = spansOf(bounds);
  return {
    width: Math.max(1, Math.ceil(spanX * scale) + 2 * RASTER_MARGIN),
    height: Math.max(1, Math.ceil(spanY * scale) + 2 * RASTER_MARGIN),
    scale,
    originX: bounds.x1 - RASTER_MARGIN / scale,
    originY: bounds.y1 - RASTER_MARGIN / scale,
  };
}

/**
 * A screen-sized bitmap is only painted first when the detailed one is at least this much finer
 * (in pixels per model unit): below that, two paints cost more than the one they would shorten.
 */
const SCREEN_RASTER_GAIN = 1.5;

/**
 * The raster of the whole scene fitted into a canvas of `width` × `height` pixels: what the chart
 * shows at first sight (a fit), at about one bitmap pixel per canvas pixel. Painting the 4,096 px
 * raster (`detail`) took about three times as long at 50,000 nodes, most of it Chromium
 * rasterising, so this one is painted and shown first and the detailed one follows for zooming
 * in (ChartOverview). Undefined when there is no canvas to fit yet, or when `detail` is not finer
 * by SCREEN_RASTER_GAIN (a chart small enough that the detailed raster is screen-sized already).
 */
export function screenRasterFor(
  bounds: Bounds,
  width: number,
  height: number,
  detail: Raster = rasterFor(bounds),
): Raster | undefined {
  const { spanX, spanY } = spansOf(bounds);
  const scale = Math.min((width - 2 * RASTER_MARGIN) / spanX, (height - 2 * RASTER_MARGIN) / spanY);
  if (!(scale > 0) || scale * SCREEN_RASTER_GAIN > detail.scale) return undefined;
  return { ...rasterAt(bounds, scale), lineScale: scale / detail.scale };
}

/** Where the bitmap lands in container pixels for `viewport`: drawImage(bitmap, x, y, w, h). */
export function placeRaster(
  raster: Raster,
  viewport: Viewport,
): { x: number; y: number; width: number; height: number } {
  const { zoom, pan } = viewport;
  return {
    x: pan.x + zoom * raster.originX,
    y: pan.y + zoom * raster.originY,
    width: (raster.width * zoom) / raster.scale,
    height: (raster.height * zoom) / raster.scale,
  };
}

/**
 * Node counts on a coarse grid over the scene, so "how many nodes would this viewport show?" is
 * answered from a few hundred cells instead of every node.
 */
export class DensityGrid {
  private readonly counts: Uint32Array;
  private readonly cellWidth: number;
  private readonly cellHeight: number;

  constructor(
    private readonly bounds: Bounds,
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    private readonly columns = 64,
    private readonly rows = 64,
  ) {
    this.counts = new Uint32Array(columns * rows);
    this.cellWidth = Math.max(1e-9, (bounds.x2 - bounds.x1) / columns);
    this.cellHeight = Math.max(1e-9, (bounds.y2 - bounds.y1) / rows);
    for (let i = 0; i < xs.length; i++) {
      this.counts[this.cellOf(ys[i]!, xs[i]!)]! += 1;
    }
  }

  private column(x: number): number {
    return Math.min(
      this.columns - 1,
      Math.max(0, Math.floor((x - this.bounds.x1) / this.cellWidth)),
    );
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.bounds.y1) / this.cellHeight)));
  }

  private cellOf(y: number, x: number): number {
    return this.row(y) * this.columns + this.column(x);
  }

  /**
   * Nodes in the cells that `extent` touches: an upper bound on the nodes inside it (cells cut
   * by the border count whole), and exact when the extent covers whole cells.
   */
  countIn(extent: Bounds): number {
    const b = this.bounds;
    if (extent.x2 < b.x1 || extent.x1 > b.x2 || extent.y2 < b.y1 || extent.y1 > b.y2) return 0;
    const c1 = this.column(extent.x1);
    const c2 = this.column(extent.x2);
    const r1 = this.row(extent.y1);
    const r2 = this.row(extent.y2);
    let total = 0;
    for (let r = r1; r <= r2; r++) {
      for (let c = c1; c <= c2; c++) total += this.counts[r * this.columns + c]!;
    }
    return total;
  }
}

/**
 * Whether the overview should stand in for Cytoscape at this viewport: above `budget` nodes on
 * screen it does; it hands back only below 80 % of the budget, so a zoom that hovers around the
 * threshold does not flip between the two every frame.
 */
export function overviewWanted(active: boolean, nodesOnScreen: number, budget: number): boolean {
  return active ? nodesOnScreen > budget * 0.8 : nodesOnScreen > budget;
}

/** The model-space rectangle a viewport of `width` × `height` container pixels shows. */
export function extentOf(viewport: Viewport, width: number, height: number): Bounds {
  const { zoom, pan } = viewport;
  return {
    x1: -pan.x / zoom,
    y1: -pan.y / zoom,
    x2: (width - pan.x) / zoom,
    y2: (height - pan.y) / zoom,
  };
}

/** Whether `outer` contains all of `inner`. */
export function contains(outer: Bounds, inner: Bounds): boolean {
  return (
    inner.x1 >= outer.x1 && inner.y1 >= outer.y1 && inner.x2 <= outer.x2 && inner.y2 <= outer.y2
  );
}

/** `bounds` grown by `share` of its width and height on each side. */
export function expand(bounds: Bounds, share: number): Bounds {
  const dx = (bounds.x2 - bounds.x1) * share;
  const dy = (bounds.y2 - bounds.y1) * share;
  return { x1: bounds.x1 - dx, y1: bounds.y1 - dy, x2: bounds.x2 + dx, y2: bounds.y2 + dy };
}

/** The part of a huge chart Cytoscape holds, and the edges that leave it. */
export interface ChartWindowView {
  /** Nodes inside the window, the edges between them and the groups they sit in. */
  readonly view: ChartViewModel;
  /**
   * Edges with one end inside and one outside, as model segments from the inside end: Cytoscape
   * does not hold them (their far ends could be anywhere, and a hub would pull in half the
   * chart), so the overlay draws them as lines.
   */
  readonly crossing: Float32Array;
  /**
   * The node indexes (in the split view's full node list) of each crossing edge's inside and
   * outside end, two per segment: what a saved drag patches (splitAfterMoves, movedScene.ts).
   */
  readonly crossingEnds: Int32Array;
}

/** What windowOfView needs of a view, by node index: built once per view, not per window. */
interface ViewIndex {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** 1 for a group box (never inside a window by itself, never the far end of an edge). */
  readonly group: Uint8Array;
  /** Edge ends as indexes of entity nodes; -1 where the id is no entity node of the view. */
  readonly edgeSource: Int32Array;
  readonly edgeTarget: Int32Array;
}

const viewIndexes = new WeakMap<ChartViewModel, ViewIndex>();
/** The latest index per edge list, with the node list it was built for (see viewIndex). */
const edgeIndexes = new WeakMap<
  ChartViewModel['edges'],
  { readonly nodes: ChartViewModel['nodes']; readonly index: ViewIndex }
>();

/** Whether two node lists hold the same ids and group boxes in the same order. */
function sameNodeOrder(a: ChartViewModel['nodes'], b: ChartViewModel['nodes']): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const q = b[i]!;
    if (p !== q && (p.id !== q.id || p.classes !== q.classes)) return false;
  }
  return true;
}

/**
 * The view's look-ups by node index. A saved drag makes a view with the same edge list and its
 * nodes in the same order (withNodeViews, chartModel.ts): the edge ends are kept from the view
 * before and only positions are read again, so no map of 50,000 ids is built after a drag.
 */
function viewIndex(view: ChartViewModel): ViewIndex {
  let index = viewIndexes.get(view);
  if (index) return index;
  const count = view.nodes.length;
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  view.nodes.forEach((node, i) => {
    x[i] = node.x;
    y[i] = node.y;
  });
  const before = edgeIndexes.get(view.edges);
  if (before && sameNodeOrder(before.nodes, view.nodes)) {
    index = { ...before.index, x, y };
  } else {
    const group = new Uint8Array(count);
    const indexOf = new Map<string, number>();
    view.nodes.forEach((node, i) => {
      if (isGroup(node.classes)) group[i] = 1;
      else indexOf.set(node.id, i);
    });
    const edgeSource = new Int32Array(view.edges.length);
    const edgeTarget = new Int32Array(view.edges.length);
    view.edges.forEach((edge, k) => {
      edgeSource[k] = indexOf.get(edge.source) ?? -1;
      edgeTarget[k] = indexOf.get(edge.target) ?? -1;
    });
    index = { x, y, group, edgeSource, edgeTarget };
  }
  viewIndexes.set(view, index);
  edgeIndexes.set(view.edges, { nodes: view.nodes, index });
  return index;
}

/**
 * Splits `view` at `window` (see ChartWindowView). Order follows `view`, so diffs are stable.
 * A pan moves the window over the same view again and again: the view's look-ups are built once
 * (viewIndex), so a split scans numbers only (at 150,000 elements, building them per split was
 * the long frame of a zoomed-in pan).
 */
export function windowOfView(view: ChartViewModel, window: Bounds): ChartWindowView {
  const { x, y, group, edgeSource, edgeTarget } = viewIndex(view);
  const nodes = view.nodes;
  const inside = new Uint8Array(nodes.length);
  const groups = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    if (group[i] === 1) continue;
    if (x[i]! >= window.x1 && x[i]! <= window.x2 && y[i]! >= window.y1 && y[i]! <= window.y2) {
      inside[i] = 1;
      const parent = nodes[i]!.parent;
      if (parent !== undefined) groups.add(parent);
    }
  }
  const edges: ChartViewModel['edges'][number][] = [];
  const crossing: number[] = [];
  const crossingEnds: number[] = [];
  for (let k = 0; k < edgeSource.length; k++) {
    const s = edgeSource[k]!;
    const t = edgeTarget[k]!;
    const sourceInside = s >= 0 && inside[s] === 1;
    const targetInside = t >= 0 && inside[t] === 1;
    if (sourceInside && targetInside) {
      edges.push(view.edges[k]!);
    } else if (sourceInside || targetInside) {
      const near = sourceInside ? s : t;
      const far = sourceInside ? t : s;
      if (far >= 0) {
        const radius = (nodes[near]!.size ?? DEFAULT_NODE_SIZE) / 2;
        crossing.push(x[near]!, y[near]!, x[far]!, y[far]!, radius);
        crossingEnds.push(near, far);
      }
    }
  }
  return {
    view: {
      nodes: nodes.filter((node, i) => inside[i] === 1 || groups.has(node.id)),
      edges,
    },
    crossing: Float32Array.from(crossing),
    crossingEnds: Int32Array.from(crossingEnds),
  };
}

/** Floats per crossing edge in ChartWindowView.crossing: near x, y, far x, y, near radius. */
export const CROSSING_STRIDE = 5;

/** Grid spacing of the grid layout for huge charts: node diameter plus room for a label. */
const GRID_SPACING = 110;

/** A square grid, row by row in the given order (the grid layout for charts Cytoscape holds only part of). */
export function gridPositions(ids: readonly string[]): Map<string, Point> {
  const columns = Math.max(1, Math.ceil(Math.sqrt(ids.length)));
  const placed = new Map<string, Point>();
  ids.forEach((id, index) => {
    placed.set(id, {
      x: (index % columns) * GRID_SPACING,
      y: Math.floor(index / columns) * GRID_SPACING,
    });
  });
  return placed;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/**
 * The scene as SVG in model coordinates: group boxes, edges, node discs and rings, with the looks
 * paintScene gives them. For huge charts, whose SVG export Cytoscape cannot make (it holds only
 * the window on screen).
 */
export function sceneToSvg(scene: OverviewScene): string {
  const { x1, y1, x2, y2 } = scene.bounds;
  const width = Math.max(1, x2 - x1);
  const height = Math.max(1, y2 - y1);
  const round = (value: number) => Math.round(value * 10) / 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${round(x1)} ${round(y1)} ${round(width)} ${round(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}">`,
    `<rect x="${round(x1)}" y="${round(y1)}" width="${round(width)}" height="${round(height)}" fill="${escapeXml(scene.background)}"/>`,
  ];
  for (let g = 0; g < scene.groupBoxes.length; g += 4) {
    const [gx1, gy1, gx2, gy2] = [0, 1, 2, 3].map((k) => scene.groupBoxes[g + k]!);
    parts.push(
      `<rect x="${round(gx1!)}" y="${round(gy1!)}" width="${round(gx2! - gx1!)}" height="${round(gy2! - gy1!)}" fill="none" stroke="${escapeXml(scene.groupColor)}" stroke-dasharray="6 4"/>`,
    );
  }
  const looks: Record<EdgeLook, string> = {
    [EdgeLook.Plain]: `stroke="${escapeXml(scene.edgeColor)}" stroke-width="1"`,
    [EdgeLook.Dimmed]: `stroke="${escapeXml(scene.edgeColor)}" stroke-width="1" stroke-opacity="0.25"`,
    [EdgeLook.Highlighted]: `stroke="${escapeXml(scene.highlightColor)}" stroke-width="5"`,
  };
  let plain = 0;
  for (let k = 0; k < scene.edgeLook.length; k++) if (scene.edgeLook[k] === EdgeLook.Plain) plain++;
  const alphas = tierAlphas(plain);
  const strong = `stroke="${escapeXml(scene.strongColor)}" stroke-width="8" stroke-opacity="0.9"`;
  const tiers = alphas.map(
    (alpha) => `stroke="${escapeXml(scene.edgeColor)}" stroke-width="4" stroke-opacity="${alpha}"`,
  );
  // Painted in paintScene's order: heavier and highlighted edges on top.
  const lookOf = (k: number): string => {
    const look = scene.edgeLook[k] as EdgeLook;
    if (look !== EdgeLook.Plain) return looks[look];
    const weight = scene.edgeWeight[k]!;
    return weight >= scene.strongWeight ? strong : tiers[weightTier(weight)]!;
  };
  const rank = (k: number): number => {
    const look = scene.edgeLook[k] as EdgeLook;
    if (look === EdgeLook.Dimmed) return -1;
    if (look === EdgeLook.Highlighted) return WEIGHT_TIERS + 1;
    const weight = scene.edgeWeight[k]!;
    return weight >= scene.strongWeight ? WEIGHT_TIERS : weightTier(weight);
  };
  const order = Array.from(scene.edgeLook, (_, k) => k).sort((a, b) => rank(a) - rank(b) || a - b);
  for (const k of order) {
    const s = scene.edgeSource[k]!;
    const t = scene.edgeTarget[k]!;
    parts.push(
      `<line x1="${round(scene.nodeX[s]!)}" y1="${round(scene.nodeY[s]!)}" x2="${round(scene.nodeX[t]!)}" y2="${round(scene.nodeY[t]!)}" ${lookOf(k)}/>`,
    );
  }
  for (let i = 0; i < scene.nodeX.length; i++) {
    const ring = scene.nodeRing[i]!;
    parts.push(
      `<circle cx="${round(scene.nodeX[i]!)}" cy="${round(scene.nodeY[i]!)}" r="${round(scene.nodeRadius[i]!)}" fill="${escapeXml(scene.palette[scene.nodeFill[i]!]!)}"${scene.nodeDimmed[i] ? ' fill-opacity="0.25"' : ''}${ring ? ` stroke="${escapeXml(scene.palette[ring - 1]!)}" stroke-width="4"` : ''}/>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
