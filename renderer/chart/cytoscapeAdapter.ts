/**
 * The only code that talks to Cytoscape (with the files named after it: cytoscapeAdapterLayouts.ts,
 * cytoscape-svg.d.ts); eslint.config.js keeps every other file from importing it. The adapter
 * creates the Core in the container it is given and destroys it with itself. The chart components
 * hand it view models and themes; it patches the live graph by diff (see elementDiff.ts), reads
 * positions back, runs the layouts in the layout worker (Cytoscape's own on a headless copy of
 * the graph, see cytoscapeAdapterLayouts.ts), reports gestures, and exports images. What the view,
 * the link gesture, the overview and the test hooks need of the graph are narrow methods here,
 * in chart terms (ids, points, rectangles); none of them holds the Core.
 *
 * Charts over BIG_CHART_ELEMENTS get the performance settings of bigChart.ts, fixed when the Core
 * is created (the view makes a new adapter when a chart crosses the threshold). Huge charts on the
 * 2D canvas (over OVERVIEW_NODE_BUDGET nodes) are not held whole: Cytoscape holds the window on
 * screen, or nothing under the overview bitmap (see overview/ChartOverview.ts), while layouts,
 * positions, exports and the test hooks still see the whole chart.
 */
import cytoscape from 'cytoscape';
import type { CollectionReturnValue, Core, EventObject, NodeSingular } from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';
import { coreProps } from './bigChart.ts';
import type { Point, HitCircle } from './chartGeometry.ts';
import type { ChartLayoutName, ChartNodeModel, ChartTheme, ChartViewModel } from './chartModel.ts';
import {
  buildChartStylesheet,
  EMPTY_VIEW_MODEL,
  edgeClasses,
  edgeElement,
  nodeElement,
} from './chartModel.ts';
import { layoutInputOf } from './cytoscapeAdapterLayouts.ts';
import type { ElementPatch } from './elementDiff.ts';
import { layoutGraphOf } from './fastLayout.ts';
import { runCytoscapeLayoutInWorker, runLayoutInWorker } from './layout/runLayoutInWorker.ts';
import { diffViewModels, isEmptyPatch, sliceWindowPatch, windowPatchRest } from './elementDiff.ts';
import { FillPacer } from './fillPacer.ts';
import { ChartOverview } from './overview/ChartOverview.ts';
import type { LabelBox } from './labelLevels.ts';
import {
  MIN_READABLE_FONT_PX,
  PRIORITY_HOVERED,
  PRIORITY_NODE,
  PRIORITY_SELECTED,
  visibleLabels,
} from './labelLevels.ts';
import type { OverviewSurface } from './overview/ChartOverview.ts';
import { gridPositions, isGroupNode } from './overview/overviewScene.ts';
import { testHooksEnabled } from './testHooks.ts';

declare module 'cytoscape' {
  interface Core {
    /** From cytoscape-svg: the graph as SVG markup. */
    svg(options?: { full?: boolean; scale?: number; bg?: string }): string;
  }
}

let extensionsRegistered = false;

/** cytoscape.use() warns when an extension registers twice, so it happens once per page. */
export function registerCytoscapeExtensions(): void {
  if (extensionsRegistered) return;
  cytoscape.use(cytoscapeSvg);
  extensionsRegistered = true;
}

/** The part of cytoscape-svg's canvas-to-SVG context (canvas2svg, `window.C2S`) patched below. */
interface SvgContextPrototype {
  __applyCurrentDefaultPath: (this: SvgContext) => void;
  __keepsCanvasPath?: true;
}
interface SvgContext {
  __currentElement: Element;
  __currentDefaultPath: string;
  __createElement(name: string, attributes: Record<string, string>, reset: boolean): Element;
  __closestGroupOrSvg(): Element;
}

/**
 * On a canvas the current path outlives drawImage, clip and restore: Cytoscape draws a node's
 * border by stroking the shape path again after its icon is drawn. canvas2svg forgets which
 * element held the path and logs "Attempted to apply path command to node g" instead (about one
 * per node, and that border is missing from the SVG). Here the path it still has as text is
 * drawn into a fresh path element, as the canvas would.
 */
function keepCanvasPathOnSvgContext(): void {
  const prototype = (window as { C2S?: { prototype: SvgContextPrototype } }).C2S?.prototype;
  if (!prototype || prototype.__keepsCanvasPath) return;
  const original = prototype.__applyCurrentDefaultPath;
  prototype.__applyCurrentDefaultPath = function (this: SvgContext) {
    if (this.__currentElement.nodeName !== 'path') {
      if (!this.__currentDefaultPath) return;
      const path = this.__createElement('path', {}, true);
      this.__closestGroupOrSvg().appendChild(path);
      this.__currentElement = path;
    }
    original.call(this);
  };
  prototype.__keepsCanvasPath = true;
}

/** Default node diameter (the style sheet's), for layouts of nodes Cytoscape does not hold. */
const NODE_SIZE = 40;
/** The style sheet's label fonts and node label width (chartModel.ts), for the label layout. */
const NODE_FONT_PX = 11;
const EDGE_FONT_PX = 9;
const NODE_LABEL_MAX_WIDTH = 140;

/** Most a saved position differs from where the node was left: half of 0.1 (movedNodes). */
const SAVE_ROUNDING = 0.05 + 1e-9;

/**
 * Where a patch's node move puts a node Cytoscape holds at `at`, or undefined to leave it there.
 *
 * - A node the user holds (`grabbed`, from the press to the release) stays under the pointer.
 *   A chart read back mid-drag (the previous drag's save, which the view writes 400 ms after its
 *   release whether or not a new drag has begun) carries where the node was, not where it is:
 *   set, it jumped back under the moving pointer and Cytoscape went on dragging it from there,
 *   so the part of the drag before the answer was lost. Its release saves where it is; that
 *   save's answer then finds it in place.
 * - A saved drag: the node is where the user left it and the model holds that spot rounded
 *   (chartGeometry.ts movedNodes). Setting it would move it by the rounding and invalidate
 *   Cytoscape's layer bitmaps: a redraw of every node held, in the frame after the save.
 */
export function patchedPosition(at: Point, target: Point, grabbed: boolean): Point | undefined {
  if (grabbed) return undefined;
  if (Math.abs(at.x - target.x) <= SAVE_ROUNDING && Math.abs(at.y - target.y) <= SAVE_ROUNDING) {
    return undefined;
  }
  return { x: target.x, y: target.y };
}

/** What the user did on the chart, in chart terms (see ChartAdapter.onGestures). */
export interface ChartGestures {
  /** A click or tap: on an element (its id), or on the background (undefined). */
  tap(targetId: string | undefined): void;
  /** A double click on the background, at this model position. */
  backgroundDoubleTap(position: Point): void;
  /**
   * Nodes were dragged and let go: their ids (a group's members with it), so the view reads back
   * only what moved (a drag on a 50,000-node chart touches only the moved nodes).
   */
  nodeDragged(nodeIds: readonly string[]): void;
  /** A double click on an edge (its id): expands or collapses parallel links. */
  edgeDoubleTap?(edgeId: string): void;
}

/** What the test hooks read of a node Cytoscape holds. */
export interface NodeStyleInfo {
  readonly size?: number;
  readonly color?: string;
  readonly borderColor?: string;
  readonly width: number;
  readonly classes: string[];
  readonly parent?: string;
}

/**
 * What a window slice weighs for the pacer: removals cost Cytoscape a fraction of an addition
 * (no style, no bounds), and counted alike they let the pacer grow the next slice of additions
 * past what a frame holds (a slice of 800 additions after quick removals: 83 ms, 50k bench).
 */
export function sliceWeight(patch: ElementPatch): number {
  return (
    patch.addNodes.length +
    patch.addEdges.length +
    (patch.removeNodes.length + patch.removeEdges.length) / 4
  );
}

/**
 * The parts of Cytoscape's canvas renderer (3.34) that prepareDraw uses; each is optional, and
 * without them (a headless Core, another version) the next draw does this work itself.
 */
interface CanvasRendererInternals {
  /** Runs the queue of elements changed since the last draw (what its draw runs first). */
  flushRenderedStyleQueue?: () => void;
  getPixelRatio?: () => number;
  /** The elements in drawing order; `nondrag` is what the node layer draws. */
  getCachedZSortedEles?: () => { nondrag: unknown };
  data?: {
    eleTxrCache?: {
      getBoundingBox?: (ele: unknown) => unknown;
      getElement?: (ele: unknown, box: unknown, pxRatio: number) => unknown;
    };
    lyrTxrCache?: LayerCacheInternals;
  };
}

/** Cytoscape's layer bitmaps (3.34 `LayeredTextureCache`), as the layer hand-over uses them. */
interface LayerCacheInternals {
  getLayers?: (eles: unknown, pxRatio: number) => unknown;
  /** Layers waiting for elements to be drawn into them, one element per `dequeue`. */
  layersQueue?: { size?: () => number };
  dequeue?: (pxRatio: number) => unknown;
  /** Set before each draw: whether an element changed within `invalidThreshold`. */
  skipping?: boolean;
  lastInvalidationTime?: number;
}

function rendererOf(cy: Core): CanvasRendererInternals | undefined {
  return (cy as unknown as { renderer?: () => CanvasRendererInternals | undefined }).renderer?.();
}

/**
 * Cytoscape draws nothing from its layer bitmaps for this long after an element changed
 * (`invalidThreshold`, 250 ms in 3.34): layers asked for sooner are not even queued.
 */
const LAYERS_AFTER_MS = 300;
/** Cytoscape's `invalidThreshold` (3.34): how long after a change its layers are skipped. */
const LAYERS_SKIP_MS = 250;

/**
 * The longest the overview covers a filled window while its layers are built (handOver): past
 * it Cytoscape draws whatever is missing element by element, as without the hand-over.
 */
export const HAND_OVER_MAX_MS = 600;
/** Layer building a frame during the hand-over (the frame has nothing else of the chart's). */
const HAND_OVER_STEP_MS = 12;

/**
 * Queues the bitmaps of the still chart (Cytoscape's layer textures, built a slice per frame in
 * its idle frames) when nothing has been drawn for a moment. A viewport gesture's first frame
 * draws every element into its texture, from the layers where they are complete and element by
 * element otherwise. Cytoscape queues the layers itself only from a draw made 250 ms after the
 * last change; a window's first draw comes right after its last slice, and nothing is drawn
 * again until the user moves, so the first pan or wheel step after a window change drew
 * element by element (one 90-105 ms draw of the texture at 50k). A still chart with complete
 * layers returns them at once.
 *
 * Cytoscape decides whether to skip its layers (`skipping`) only before a draw. A drag's last
 * draw comes within 250 ms of its last change, so the flag stayed set on the still chart after
 * it and this request was skipped: the first wheel step after a drag drew element by element
 * (a 549 ms frame at load 6, §13). The flag is decided again here, by Cytoscape's own rule.
 */
export function prepareLayers(cy: Core, now = performance.now()): void {
  const renderer = rendererOf(cy);
  const layers = renderer?.data?.lyrTxrCache;
  const pxRatio = renderer?.getPixelRatio?.();
  if (!layers?.getLayers || !renderer?.getCachedZSortedEles || pxRatio === undefined) return;
  if (typeof layers.skipping === 'boolean' && typeof layers.lastInvalidationTime === 'number') {
    layers.skipping = now - layers.lastInvalidationTime <= LAYERS_SKIP_MS;
  }
  layers.getLayers(renderer.getCachedZSortedEles().nondrag, pxRatio);
}

/**
 * The layer hand-over (ChartAdapter.handOver): queues the layers of the window just filled while
 * the overview still covers and Cytoscape's drawing is held. Cytoscape would skip the request
 * (`skipping`: an element changed within 250 ms), but that guard is there to stop it building
 * layers that the next change throws away; here nothing changes until the layers are drawn.
 * Returns whether there is layer work to do: false without these internals, when the layers
 * are already complete, or when Cytoscape cannot use layers at this zoom (too large a bitmap).
 */
export function queueLayers(cy: Core): boolean {
  const renderer = rendererOf(cy);
  const layers = renderer?.data?.lyrTxrCache;
  const pxRatio = renderer?.getPixelRatio?.();
  if (
    !layers?.getLayers ||
    !layers.dequeue ||
    typeof layers.layersQueue?.size !== 'function' ||
    typeof layers.skipping !== 'boolean' ||
    !renderer?.getCachedZSortedEles ||
    pxRatio === undefined
  ) {
    return false;
  }
  layers.skipping = false;
  layers.getLayers(renderer.getCachedZSortedEles().nondrag, pxRatio);
  return layers.layersQueue.size() > 0;
}

/**
 * Draws queued elements into their layers until `until` (performance.now()) or the queue is
 * empty; returns whether it is empty. Once it is, the layers are marked current (the last change
 * is older than Cytoscape's threshold) so that the next draw is made from them: a few
 * drawImages instead of every element of the window one by one.
 */
export function buildLayers(cy: Core, until: number): boolean {
  const renderer = rendererOf(cy);
  const layers = renderer?.data?.lyrTxrCache;
  const pxRatio = renderer?.getPixelRatio?.();
  const queue = layers?.layersQueue;
  if (!layers?.dequeue || typeof queue?.size !== 'function' || pxRatio === undefined) return true;
  // At least one element a call, so the work always moves on however late the frame.
  do layers.dequeue(pxRatio);
  while (queue.size() > 0 && performance.now() < until);
  if (queue.size() > 0) return false;
  layers.lastInvalidationTime = performance.now() - 2 * LAYERS_AFTER_MS;
  return true;
}

/**
 * Does now, for the elements just added, what Cytoscape's next draw would do for them first: the
 * queue of changed elements (their connected edges' end points, the texture caches' checks: 68 ms
 * before the hand-over's draw at 50k) and each node's bitmap at this zoom (its element texture,
 * made on first draw). A huge chart's window goes in slices, so this work is spread over the
 * slices' frames instead of landing in the one frame that first draws the window. Nothing drawn
 * changes: the same caches, filled earlier.
 */
export function prepareDraw(cy: Core, added: CollectionReturnValue): void {
  const renderer = rendererOf(cy);
  if (!renderer || typeof renderer.flushRenderedStyleQueue !== 'function') return;
  renderer.flushRenderedStyleQueue();
  const cache = renderer.data?.eleTxrCache;
  const pxRatio = renderer.getPixelRatio?.();
  if (!cache?.getElement || !cache.getBoundingBox || pxRatio === undefined) return;
  added.nodes().forEach((node) => {
    cache.getElement!(node, cache.getBoundingBox!(node), pxRatio);
  });
}

export class ChartAdapter {
  /** What the chart shows; `applied` is the part of it Cytoscape holds (all of it, or a window). */
  private full: ChartViewModel = EMPTY_VIEW_MODEL;
  private applied: ChartViewModel = EMPTY_VIEW_MODEL;
  private fullIndex: { view: ChartViewModel; nodes: Map<string, ChartNodeModel> } | undefined;
  private theme: ChartTheme | undefined;
  private fillFrame: number | undefined;
  /** What is left of a window change being sliced: wanted `next`, from `applied` (applyWindow). */
  private windowRest:
    | {
        readonly next: ChartViewModel;
        readonly applied: ChartViewModel;
        readonly patch: ElementPatch;
      }
    | undefined;
  /** Entity nodes of `full` (see counts). */
  private fullNodeCount: { readonly view: ChartViewModel; readonly nodes: number } | undefined;
  /**
   * Sizes each frame's slice of a huge chart's window change (fillPacer.ts): Cytoscape styles and
   * measures new elements in the frame after they are added, so a window of a few thousand nodes
   * added at once would freeze the page for most of a second.
   */
  private readonly pacer = new FillPacer();
  /**
   * Whether the adapter holds Cytoscape's drawing back (an open batch: its render loop skips
   * every frame while batching) between the slices of a window change the overview covers.
   * Each slice would otherwise redraw every element held, one by one (the layer caches are
   * invalid after an add): at 3,000 nodes and 6,000 edges ~250 ms a frame at load 5-9, for a
   * drawing nobody sees. The window is drawn once, when it is full.
   */
  private drawHeld = false;
  /** The next frame of a filled window's hand-over (handOver), which ends by releasing the draw. */
  private releaseFrame: number | undefined;
  private layerTimer: ReturnType<typeof setTimeout> | undefined;
  /** Level of detail for huge charts on the 2D canvas (see overview/ChartOverview.ts). */
  private readonly overview: ChartOverview | undefined;
  /** Label level of detail (labelLevels.ts): the pending frame, the hovered node, the shown set. */
  private labelTimer: ReturnType<typeof setTimeout> | undefined;
  private hovered: string | undefined;
  private shownLabels: ReadonlySet<string> = new Set();
  private readonly textWidths = new Map<string, number>();
  private measureContext: CanvasRenderingContext2D | null | undefined;

  /**
   * Creates the Core in `container`. `big`: with the performance settings and the lighter style;
   * `overviewCanvas`: where a big chart shows its overview bitmap while zoomed out too far for
   * Cytoscape to draw every node quickly.
   */
  static mount(
    container: HTMLElement,
    big = false,
    overviewCanvas?: HTMLCanvasElement,
  ): ChartAdapter {
    registerCytoscapeExtensions();
    return new ChartAdapter(cytoscape({ container, ...coreProps(big) }), big, overviewCanvas);
  }

  /** Takes over `cy` (a test may hand in a headless Core); destroy() destroys it. */
  constructor(
    private readonly cy: Core,
    readonly big = false,
    overviewCanvas?: HTMLCanvasElement,
  ) {
    registerCytoscapeExtensions();
    if (big && overviewCanvas) {
      this.overview = new ChartOverview(this.surface(), overviewCanvas, () => this.applyWindow());
    }
    // Big charts have their own level of detail (min-zoomed-font-size, the overview); a headless
    // Core has no screen to lay labels out on.
    if (!big && cy.container()) this.watchLabels();
    cy.on('dragfree', 'node', this.onDragFree);
    if (big && cy.container()) {
      cy.on('render', this.onDrawn);
      if (testHooksEnabled()) this.timeDraws();
    }
  }

  /**
   * The z-index the last dragged node was raised to: each drag's node goes above the last one's.
   * Let go, a dragged node fell back to its place in Cytoscape's drawing order (the order the
   * elements were added in), under any neighbour added after it. Dropped onto or beside one, it
   * was drawn under that neighbour, and pressing it again grabbed the neighbour (Cytoscape
   * hit-tests the topmost element): a second nudge of the same node moved another one. Raised,
   * it stays drawn as the drag showed it, on top, and is what the next press there finds.
   */
  private raisedZ = 0;
  private readonly onDragFree = (event: EventObject): void => {
    this.raisedZ += 1;
    (event.target as NodeSingular).style('z-index', this.raisedZ);
  };

  /** After Cytoscape's last draw for a moment, the layers of the still chart (prepareLayers). */
  private readonly onDrawn = (): void => {
    if (this.layerTimer !== undefined) clearTimeout(this.layerTimer);
    this.layerTimer = setTimeout(() => {
      this.layerTimer = undefined;
      if (this.cy.destroyed() || this.filling || this.drawHeld || this.overviewActive) return;
      prepareLayers(this.cy);
    }, LAYERS_AFTER_MS);
  };

  /**
   * For the bench (test hooks only): each of Cytoscape's draws as a `chart:cy-draw` measure, so a
   * slow frame shows whether Cytoscape drew in it and for how long.
   */
  private timeDraws(): void {
    const core = this.cy as unknown as {
      renderer?: () =>
        | {
            render?: (...args: unknown[]) => unknown;
            beforeRenderCallbacks?: { fn: (...args: unknown[]) => unknown }[];
          }
        | undefined;
    };
    const renderer = core.renderer?.();
    const render = renderer?.render;
    if (!renderer || typeof render !== 'function') return;
    // Its work before a draw (element texture queues, dirty styles): each callback timed apart.
    for (const callback of renderer.beforeRenderCallbacks ?? []) {
      const fn = callback.fn;
      callback.fn = (...args: unknown[]) => {
        const start = performance.now();
        try {
          return fn(...args);
        } finally {
          const end = performance.now();
          if (end - start > 2) performance.measure('chart:cy-before', { start, end });
        }
      };
    }
    renderer.render = function (this: unknown, ...args: unknown[]) {
      const start = performance.now();
      try {
        return render.apply(this, args);
      } finally {
        performance.measure('chart:cy-draw', { start, end: performance.now() });
      }
    };
  }

  private watchLabels(): void {
    const cy = this.cy;
    const schedule = () => this.scheduleLabels();
    cy.on('viewport resize add remove data select unselect free', schedule);
    cy.on('mouseover', 'node', (event: EventObject) => {
      this.hovered = (event.target as { id(): string }).id();
      schedule();
    });
    cy.on('mouseout', 'node', () => {
      this.hovered = undefined;
      schedule();
    });
  }

  /** Lays labels out once the viewport has been still for a moment (not on every wheel step). */
  private scheduleLabels(): void {
    if (this.labelTimer !== undefined) clearTimeout(this.labelTimer);
    this.labelTimer = setTimeout(() => {
      this.labelTimer = undefined;
      if (!this.cy.destroyed()) this.layoutLabels();
    }, 60);
  }

  /** Rough width of `text` at `fontPx`, measured once per text on a canvas. */
  private textWidth(text: string, fontPx: number): number {
    const key = `${fontPx} ${text}`;
    let width = this.textWidths.get(key);
    if (width === undefined) {
      if (this.measureContext === undefined) {
        this.measureContext = document.createElement('canvas').getContext('2d');
      }
      const ctx = this.measureContext;
      if (ctx) {
        ctx.font = `${fontPx}px Helvetica Neue, Helvetica, sans-serif`;
        width = ctx.measureText(text).width;
      } else {
        width = text.length * fontPx * 0.6;
      }
      if (this.textWidths.size > 20_000) this.textWidths.clear();
      this.textWidths.set(key, width);
    }
    return width;
  }

  /**
   * Which labels are drawn at this zoom: none overlap; zoomed out, only selected, hovered and
   * large nodes keep theirs, drawn at a readable size.
   */
  layoutLabels(): void {
    const cy = this.cy;
    const zoom = cy.zoom();
    const zoomedOut = NODE_FONT_PX * zoom < MIN_READABLE_FONT_PX;
    const degrees: number[] = [];
    cy.nodes().forEach((node) => {
      degrees.push(node.degree(false));
    });
    degrees.sort((a, b) => b - a);
    // "Large": the best connected tenth (at least 4 links), or drawn bigger than the default.
    const hubDegree = Math.max(4, degrees[Math.floor(degrees.length / 10)] ?? 0);
    const boostPx = MIN_READABLE_FONT_PX + 2;
    const boxes: LabelBox[] = [];
    cy.nodes().forEach((node) => {
      const label = String(node.data('label') ?? '');
      if (!label || node.isParent()) return;
      const selected = node.selected();
      const hovered = node.id() === this.hovered;
      const size = Number(node.data('size') ?? NODE_SIZE);
      const important = selected || hovered || size > NODE_SIZE || node.degree(false) >= hubDegree;
      const fontPx = zoomedOut ? boostPx : NODE_FONT_PX * zoom;
      const width = Math.min(this.textWidth(label, NODE_FONT_PX), NODE_LABEL_MAX_WIDTH);
      const scale = fontPx / NODE_FONT_PX;
      const at = node.renderedPosition();
      const height = fontPx * 1.3;
      boxes.push({
        id: node.id(),
        x: at.x,
        y: at.y + node.renderedHeight() / 2 + 4 * zoom + height / 2,
        width: width * scale + 4,
        height: height + 4,
        priority: selected
          ? PRIORITY_SELECTED
          : hovered
            ? PRIORITY_HOVERED
            : PRIORITY_NODE + size * 1e4 + node.degree(false),
        important,
      });
    });
    if (!zoomedOut) {
      cy.edges().forEach((edge) => {
        const label = String(edge.data('label') ?? '');
        if (!label) return;
        const lines = label.split('\n');
        const width = Math.max(...lines.map((line) => this.textWidth(line, EDGE_FONT_PX)));
        const at = edge.renderedMidpoint();
        boxes.push({
          id: edge.id(),
          x: at.x,
          y: at.y,
          width: width * zoom + 2,
          height: lines.length * EDGE_FONT_PX * 1.25 * zoom + 2,
          priority: edge.selected() ? PRIORITY_SELECTED : Number(edge.data('count') ?? 1),
        });
      });
    }
    // 4 px apart: the boxes are estimates (text measured on a canvas), and at 2 px one pair of
    // Cytoscape's own label boxes touched in the 320-calls e2e once the canvas grew taller (the
    // one-row toolbar, issue 12).
    const shown = visibleLabels(boxes, { zoomedOut, gap: 4 });
    this.shownLabels = shown;
    cy.batch(() => {
      cy.elements().forEach((ele) => {
        const hide = !shown.has(ele.id());
        if (ele.hasClass('label-hidden') !== hide) ele.toggleClass('label-hidden', hide);
        if (!ele.isNode()) return;
        // Zoomed out, the labels still drawn are drawn at a readable size.
        const boost = zoomedOut && !hide;
        if (boost) {
          ele.style({
            'font-size': boostPx / zoom,
            'text-max-width': `${(NODE_LABEL_MAX_WIDTH * boostPx) / NODE_FONT_PX / zoom}px`,
          });
        } else if (ele.hasClass('label-boosted')) {
          ele.removeStyle('font-size text-max-width');
        }
        ele.toggleClass('label-boosted', boost);
      });
    });
  }

  /** Ids of the elements whose labels are drawn now (the level of detail's choice). */
  labelsShown(): string[] {
    return [...this.shownLabels];
  }

  /** Whether destroy() has run (the Core is gone). */
  isDestroyed(): boolean {
    return this.cy.destroyed();
  }

  /** What the overview needs of the drawing surface. */
  private surface(): OverviewSurface {
    const cy = this.cy;
    const subscribe = (events: string, listener: () => void): (() => void) => {
      cy.on(events, listener);
      return () => {
        if (!cy.destroyed()) cy.removeListener(events, listener);
      };
    };
    return {
      isDestroyed: () => cy.destroyed(),
      size: () => ({ width: cy.width(), height: cy.height() }),
      viewport: () => ({ zoom: cy.zoom(), pan: cy.pan() }),
      heldPositions: () => {
        const held = new Map<string, Point>();
        cy.nodes().forEach((node) => {
          held.set(node.id(), node.position());
        });
        return held;
      },
      heldPosition: (id) => {
        const node = cy.getElementById(id);
        return node.nonempty() && node.isNode() ? node.position() : undefined;
      },
      forceRender: () => cy.forceRender(),
      onViewport: (listener) => subscribe('viewport', listener),
      onRender: (listener) => subscribe('render', listener),
    };
  }

  /**
   * Reports the user's taps, double taps and drags until the returned function is called.
   * Cytoscape's own gestures (pan, zoom, drag) go on regardless.
   */
  onGestures(gestures: ChartGestures): () => void {
    const cy = this.cy;
    const onTap = (event: EventObject) => {
      const target = event.target as Core | { id(): string };
      gestures.tap(target === cy ? undefined : (target as { id(): string }).id());
    };
    const onDoubleTap = (event: EventObject) => {
      const target = event.target as Core | { id(): string; isEdge(): boolean };
      if (target === cy) gestures.backgroundDoubleTap({ ...event.position });
      else if ((target as { isEdge(): boolean }).isEdge()) {
        gestures.edgeDoubleTap?.((target as { id(): string }).id());
      }
    };
    // Cytoscape reports each dragged node; a group's members move with it.
    const onDragFree = (event: EventObject) => {
      const node = event.target as NodeSingular;
      gestures.nodeDragged([node.id(), ...node.descendants().map((child) => child.id())]);
    };
    cy.on('tap', onTap);
    cy.on('dbltap', onDoubleTap);
    cy.on('dragfree', 'node', onDragFree);
    return () => {
      if (cy.destroyed()) return;
      cy.removeListener('tap', onTap);
      cy.removeListener('dbltap', onDoubleTap);
      cy.removeListener('dragfree', 'node', onDragFree);
    };
  }

  /** Whether the user holds a node now (pressed on it and not yet let go). */
  holdsNode(): boolean {
    return this.cy.nodes(':grabbed').nonempty();
  }

  /** Where the drawing area is on the page (client pixels), while it is mounted. */
  containerRect(): DOMRect | undefined {
    return this.cy.container()?.getBoundingClientRect();
  }

  /** Whether Cytoscape holds only part of the chart (a huge chart; see ChartOverview). */
  get windowed(): boolean {
    const window = this.overview?.window;
    return window !== undefined && window !== 'all';
  }

  /** Nodes and edges the chart shows, and how many of them Cytoscape holds now. */
  counts(): { nodes: number; edges: number; heldNodes: number } {
    // Counted once per view: the bench polls this every 50 ms while a window fills, and a filter
    // of 50,000 nodes per poll landed in the frames it measures.
    let counted = this.fullNodeCount;
    if (counted?.view !== this.full) {
      let nodes = 0;
      for (const node of this.full.nodes) if (!isGroupNode(node)) nodes++;
      counted = { view: this.full, nodes };
      this.fullNodeCount = counted;
    }
    return {
      nodes: counted.nodes,
      edges: this.full.edges.length,
      heldNodes: this.cy.nodes().length,
    };
  }

  /** Whether the overview bitmap stands in for Cytoscape's drawing now. */
  get overviewActive(): boolean {
    return this.overview?.active ?? false;
  }

  /** How long the worker took to paint the latest overview bitmap, if there is one. */
  get overviewPaintMs(): number | undefined {
    return this.overview?.paintMilliseconds;
  }

  /** Resolves once the overview, where it is showing, is painted for the current chart. */
  overviewDrawn(): Promise<void> {
    return this.overview?.whenDrawn() ?? Promise.resolve();
  }

  /** Restyles every element, so the theme already applied (same object) is skipped. */
  setTheme(theme: ChartTheme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    const sheet = buildChartStylesheet(theme, this.big);
    this.cy.style(sheet);
    this.overview?.setTheme(theme);
  }

  /**
   * Patches the graph to show `view`; returns what changed in Cytoscape now (a huge chart's
   * window may go on filling over the next frames).
   */
  update(view: ChartViewModel): ElementPatch {
    if (view === this.full) return diffViewModels(EMPTY_VIEW_MODEL, EMPTY_VIEW_MODEL);
    this.full = view;
    this.overview?.setView(view);
    return this.applyWindow();
  }

  /**
   * Makes Cytoscape hold the part of the chart the overview's window asks for. A window change
   * (a rectangle, or nothing under the overview) goes in slices over the next frames, nearest the
   * middle of the view first; the overview covers Cytoscape until the window is full.
   */
  private applyWindow(): ElementPatch {
    // The pacer times a slice from here: its own styling runs in this call (styleNow).
    const started = performance.now();
    const wasHeld = this.drawHeld;
    this.releaseDraw();
    const window = this.overview?.window ?? 'all';
    const next =
      window === 'all'
        ? this.full
        : window === 'none'
          ? EMPTY_VIEW_MODEL
          : (this.overview?.windowView ?? EMPTY_VIEW_MODEL);
    // The rest of the window change the last slice left, while it still stands (the same window
    // wanted, nothing applied since): no diff of everything held and wanted per slice.
    const rest = this.windowRest;
    const whole =
      rest && rest.next === next && rest.applied === this.applied
        ? rest.patch
        : diffViewModels(this.applied, next);
    const previous = this.applied;
    const { patch, applied } =
      window === 'all'
        ? { patch: whole, applied: next }
        : sliceWindowPatch(previous, next, whole, this.pacer.budget, this.viewportCenter());
    this.applied = applied;
    const filling = applied !== next;
    const restPatch = filling ? windowPatchRest(previous, whole, patch) : undefined;
    this.windowRest = restPatch ? { next, applied, patch: restPatch } : undefined;
    if (!isEmptyPatch(patch)) {
      this.applyPatch(patch);
      if (window !== 'all') {
        this.styleNow(patch);
        this.pacer.observe(performance.now() - started, sliceWeight(patch));
      }
    }
    this.overview?.setFilling(filling);
    if (filling) {
      this.scheduleFill();
      if (this.overview?.covers) this.holdDraw();
    } else if (wasHeld && !isEmptyPatch(patch)) {
      // The covered fill's last slice: Cytoscape's first draw of the window (every element, one
      // by one, 90-260 ms at 50k) would land in this frame too; the overview covers on while the
      // window's layers are built, a few milliseconds a frame.
      this.holdDraw();
      this.handOver();
    }
    if (window !== 'all' && !isEmptyPatch(patch) && typeof document !== 'undefined') {
      // For the bench: which slice fell in a slow frame, and how much it moved.
      if (testHooksEnabled()) {
        performance.measure('chart:fill-slice', {
          start: started,
          end: performance.now(),
          detail: {
            addNodes: patch.addNodes.length,
            addEdges: patch.addEdges.length,
            remove: patch.removeNodes.length + patch.removeEdges.length,
            budget: this.pacer.budget,
            last: !filling,
          },
        });
      }
    }
    return patch;
  }

  /**
   * Styles and measures a slice's new elements now, in the frame that added them (Cytoscape
   * would do it lazily before its next draw, which a held draw puts off to the last slice, all
   * at once: 340 ms of the 1.2 s hand-over frame at 10k, load 7).
   */
  private styleNow(patch: ElementPatch): void {
    if (patch.addNodes.length + patch.addEdges.length === 0) return;
    const cy = this.cy;
    const added = cy.collection();
    for (const node of patch.addNodes) added.merge(cy.getElementById(node.id));
    for (const edge of patch.addEdges) added.merge(cy.getElementById(edge.id));
    // The bounds of a collection make Cytoscape style the elements and compute what it draws
    // them from (label sizes, edge end points) first: the work of the frame after an add.
    added.boundingBox();
    prepareDraw(this.cy, added);
  }

  /**
   * Builds the filled window's layer bitmaps over the next frames, with Cytoscape's drawing held
   * and the overview covering, then lets Cytoscape draw: its first visible draw of the window is
   * made from the layers. Bounded: after HAND_OVER_MAX_MS the draw is let go whatever is built
   * (Cytoscape then draws what is missing itself, as it did before), and any change (a slice, an
   * update) lets it go at once (releaseDraw cancels the frame).
   */
  private handOver(): void {
    const started = performance.now();
    const deadline = started + HAND_OVER_MAX_MS;
    let queued = false;
    let frames = 0;
    const done = (layers: 'complete' | 'bound' | 'none') => {
      this.releaseDraw();
      // For the bench: how long the overview covered for the layers, and how it ended.
      if (testHooksEnabled() && typeof document !== 'undefined') {
        performance.measure('chart:hand-over', {
          start: started,
          end: performance.now(),
          detail: { frames, layers },
        });
      }
    };
    const step = () => {
      this.releaseFrame = undefined;
      if (this.cy.destroyed()) return;
      frames++;
      if (!queued) {
        queued = true;
        if (!queueLayers(this.cy)) {
          done('none');
          return;
        }
      }
      const now = performance.now();
      if (buildLayers(this.cy, Math.min(deadline, now + HAND_OVER_STEP_MS))) {
        done('complete');
        return;
      }
      if (now >= deadline) {
        done('bound');
        return;
      }
      this.releaseFrame = requestAnimationFrame(step);
    };
    this.releaseFrame = requestAnimationFrame(step);
  }

  private holdDraw(): void {
    if (this.drawHeld || this.cy.destroyed()) return;
    this.cy.startBatch();
    this.drawHeld = true;
  }

  private releaseDraw(): void {
    if (this.releaseFrame !== undefined) cancelAnimationFrame(this.releaseFrame);
    this.releaseFrame = undefined;
    if (!this.drawHeld) return;
    this.drawHeld = false;
    if (!this.cy.destroyed()) this.cy.endBatch();
  }

  /** Whether a window change is still being applied, a slice a frame. */
  get filling(): boolean {
    return this.fillFrame !== undefined;
  }

  private scheduleFill(): void {
    if (this.fillFrame !== undefined) return;
    this.fillFrame = requestAnimationFrame(() => {
      this.fillFrame = undefined;
      if (this.cy.destroyed()) return;
      this.applyWindow();
    });
  }

  /**
   * The elements of `ids` Cytoscape holds, as one collection: removed with one call. A remove()
   * per element re-indexes the graph each time: a huge chart's window leaving the screen
   * (zooming out to the overview: thousands of nodes and edges) took 8.6-10.6 s one by one and
   * 1.6-1.8 s as one collection, 4,000 nodes and 8,000 edges in Node at load 18.
   */
  private heldCollection(ids: readonly string[]): CollectionReturnValue {
    const cy = this.cy;
    const held = cy.collection();
    for (const id of ids) held.merge(cy.getElementById(id));
    return held;
  }

  private applyPatch(patch: ElementPatch): void {
    const cy = this.cy;
    cy.batch(() => {
      // Order matters for compound nodes: removing a group would take its children with it, so
      // new groups are added and children moved out before any node is removed.
      if (patch.removeEdges.length > 0) this.heldCollection(patch.removeEdges).remove();
      if (patch.addNodes.length > 0) {
        const groupsFirst = [...patch.addNodes].sort(
          (a, b) => Number(b.parent === undefined) - Number(a.parent === undefined),
        );
        cy.add(groupsFirst.map(nodeElement));
      }
      for (const node of patch.updateNodes) {
        const ele = cy.getElementById(node.id);
        const data = nodeElement(node).data;
        delete data.parent;
        if (node.color === undefined) ele.removeData('color');
        if (node.size === undefined) ele.removeData('size');
        if (node.borderColor === undefined) ele.removeData('borderColor');
        ele.data(data);
        ele.classes(node.classes ?? '');
        const parent = ele.parent();
        const currentParent = parent.nonempty() ? parent.first().id() : undefined;
        if (currentParent !== node.parent) ele.move({ parent: node.parent ?? null });
      }
      if (patch.removeNodes.length > 0) this.heldCollection(patch.removeNodes).remove();
      for (const node of patch.moveNodes) {
        const ele = cy.getElementById(node.id);
        if (ele.empty() || !ele.isNode()) continue;
        const to = patchedPosition(ele.position(), node, ele.grabbed());
        if (to) ele.position(to);
      }
      if (patch.addEdges.length > 0) cy.add(patch.addEdges.map(edgeElement));
      for (const edge of patch.updateEdges) {
        const ele = cy.getElementById(edge.id);
        ele.data('label', edge.label);
        ele.data('schema', edge.schema);
        // removeData, not data(undefined): a missing width falls back to the plain edge style.
        if (edge.width !== undefined) ele.data('width', edge.width);
        else ele.removeData('width');
        if (edge.members) ele.data('count', edge.members.length);
        else ele.removeData('count');
        ele.classes(edgeClasses(edge));
      }
    });
  }

  /**
   * Model positions of the nodes `ids` (where Cytoscape holds them, else where the chart puts
   * them; unknown ids are left out): what a drag reads back, not every node's.
   */
  positionsOf(ids: Iterable<string>): Record<string, Point> {
    const result: Record<string, Point> = {};
    for (const id of ids) {
      const node = this.cy.getElementById(id);
      if (node.nonempty() && node.isNode()) {
        const { x, y } = node.position();
        result[id] = { x, y };
      } else {
        const shown = this.fullNode(id);
        if (shown) result[id] = { x: shown.x, y: shown.y };
      }
    }
    return result;
  }

  /** A node of the whole chart by id (an index built once per view, not a scan per look-up). */
  private fullNode(id: string): ChartNodeModel | undefined {
    if (this.fullIndex?.view !== this.full) {
      this.fullIndex = { view: this.full, nodes: new Map(this.full.nodes.map((n) => [n.id, n])) };
    }
    return this.fullIndex.nodes.get(id);
  }

  /** Model positions of every node, by entity id. */
  positions(): Record<string, Point> {
    const result: Record<string, Point> = {};
    if (this.windowed) {
      for (const node of this.full.nodes) result[node.id] = { x: node.x, y: node.y };
    }
    this.cy.nodes().forEach((node) => {
      const { x, y } = node.position();
      result[node.id()] = { x, y };
    });
    return result;
  }

  /**
   * Runs a layout to completion and returns the new positions. Every layout computes in the
   * layout worker, so the page keeps answering input however long it takes.
   */
  async runLayout(name: ChartLayoutName): Promise<Record<string, Point>> {
    if (this.full.nodes.length === 0) return {};
    if (name === 'force-fast') {
      await this.runFastLayout();
    } else if (this.windowed) {
      // Cytoscape holds only a window, so its layouts would place only that; the toolbar offers
      // a huge chart the grid and the fast force layout, both computed here for every node.
      if (name === 'grid') this.placeNodes(gridPositions(this.layoutNodes().map((n) => n.id)));
      else await this.runFastLayout();
    } else {
      const result = await runCytoscapeLayoutInWorker(layoutInputOf(this.cy, name));
      if (this.cy.destroyed()) return {};
      const placed = new Map<string, Point>();
      result.ids.forEach((id, index) => {
        placed.set(id, { x: result.positions[2 * index]!, y: result.positions[2 * index + 1]! });
      });
      this.placeNodes(placed);
    }
    this.fit();
    return this.positions();
  }

  /** Entity nodes of the chart with their drawn diameter (group boxes left out). */
  private layoutNodes(): { id: string; size: number }[] {
    return this.full.nodes
      .filter((node) => !isGroupNode(node))
      .map((node) => ({ id: node.id, size: node.size ?? NODE_SIZE }));
  }

  /** The multilevel force layout in a Web Worker: the UI keeps running while it computes. */
  private async runFastLayout(): Promise<void> {
    const graph = layoutGraphOf(
      this.layoutNodes(),
      this.full.edges.map((edge) => ({ source: edge.source, target: edge.target })),
    );
    const positions = await runLayoutInWorker(graph.graph, { transferInput: true });
    const placed = new Map<string, Point>();
    graph.ids.forEach((id, index) => {
      placed.set(id, { x: positions[2 * index]!, y: positions[2 * index + 1]! });
    });
    this.placeNodes(placed);
  }

  /** Moves nodes to new positions (a layout's), whether or not Cytoscape holds them. */
  private placeNodes(placed: ReadonlyMap<string, Point>): void {
    if (this.windowed) {
      this.full = {
        ...this.full,
        nodes: this.full.nodes.map((node) => {
          const at = placed.get(node.id);
          return at ? { ...node, x: at.x, y: at.y } : node;
        }),
      };
      this.overview?.setView(this.full);
      this.applyWindow();
      return;
    }
    this.cy.batch(() => {
      for (const [id, at] of placed) this.cy.getElementById(id).position(at);
    });
  }

  /** Call when the container changed size: Cytoscape only notices window resizes itself. */
  resize(): void {
    this.cy.resize();
  }

  fit(): void {
    if (this.full.nodes.length === 0) return;
    if (this.big) this.fitToNodeDiscs(40);
    else this.cy.fit(undefined, 40);
    if (this.cy.zoom() > 1.5) this.cy.zoom({ level: 1.5, position: this.viewportCenter() });
  }

  /**
   * cy.fit() on a big chart measures the bounding box of every element, edges and labels
   * included (seconds for 100,000 edges); the node discs bound the drawing well enough.
   */
  private fitToNodeDiscs(padding: number): void {
    const cy = this.cy;
    const known = this.overview?.sceneBounds;
    if (known) {
      this.fitTo(known, padding);
      return;
    }
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    cy.nodes().forEach((node) => {
      if (node.isParent()) return;
      const { x, y } = node.position();
      const r = node.width() / 2;
      x1 = Math.min(x1, x - r);
      y1 = Math.min(y1, y - r);
      x2 = Math.max(x2, x + r);
      y2 = Math.max(y2, y + r);
    });
    if (!Number.isFinite(x1)) return;
    this.fitTo({ x1, y1, x2, y2 }, padding);
  }

  private fitTo(bounds: { x1: number; y1: number; x2: number; y2: number }, padding: number): void {
    const { x1, y1, x2, y2 } = bounds;
    const cy = this.cy;
    const width = cy.width();
    const height = cy.height();
    const fitted = Math.min(
      (width - 2 * padding) / Math.max(1, x2 - x1),
      (height - 2 * padding) / Math.max(1, y2 - y1),
    );
    const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), fitted));
    cy.viewport({
      zoom,
      pan: { x: (width - zoom * (x1 + x2)) / 2, y: (height - zoom * (y1 + y2)) / 2 },
    });
  }

  /** Model coordinates of the visible area's centre (where new entities go). */
  viewportCenter(): Point {
    const extent = this.cy.extent();
    return { x: (extent.x1 + extent.x2) / 2, y: (extent.y1 + extent.y2) / 2 };
  }

  /** Makes the Cytoscape selection match the app's: exactly `id`, or nothing. */
  select(id: string | undefined): void {
    const cy = this.cy;
    this.overview?.select(id);
    cy.batch(() => {
      cy.$(':selected').forEach((ele) => {
        if (ele.id() !== id) ele.unselect();
      });
      if (id !== undefined) {
        const ele = cy.getElementById(id);
        if (ele.nonempty() && !ele.selected()) ele.select();
      }
    });
  }

  /** Node discs in container pixels, for hit-testing the pointer. */
  renderedNodeCircles(): HitCircle[] {
    const circles: HitCircle[] = [];
    this.cy.nodes().forEach((node) => {
      if (node.hasClass('chart-group')) return;
      const { x, y } = node.renderedPosition();
      circles.push({ id: node.id(), x, y, radius: node.renderedOuterWidth() / 2 });
    });
    return circles;
  }

  /** The label data of a held edge. */
  heldEdgeLabel(id: string): string | undefined {
    const edge = this.cy.getElementById(id);
    return edge.nonempty() && edge.isEdge() ? String(edge.data('label')) : undefined;
  }

  /** Zooms about the centre of the view. */
  zoomTo(level: number): void {
    this.cy.zoom({ level, renderedPosition: { x: this.cy.width() / 2, y: this.cy.height() / 2 } });
  }

  /**
   * Pairs of drawn labels whose boxes (Cytoscape's own label bounds, on screen) overlap by more
   * than a pixel each way: what the level of detail must keep at zero.
   */
  labelOverlaps(): number {
    const zoom = this.cy.zoom();
    const boxes: { x1: number; x2: number; y1: number; y2: number }[] = [];
    this.cy.elements().forEach((ele) => {
      if (ele.isNode() && ele.isParent()) return;
      if (!String(ele.style('label') ?? '')) return;
      const box = ele.boundingBox({
        includeNodes: false,
        includeEdges: false,
        includeLabels: true,
      });
      if (box.w > 0 && box.h > 0) boxes.push(box);
    });
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const dx = (Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * zoom;
        const dy = (Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)) * zoom;
        if (dx > 1 && dy > 1) overlaps++;
      }
    }
    return overlaps;
  }

  /** Midpoint of a held edge in rendered (container) pixels. */
  renderedEdgeMidpoint(id: string): Point | undefined {
    const edge = this.cy.getElementById(id);
    return edge.nonempty() && edge.isEdge() ? edge.renderedMidpoint() : undefined;
  }

  renderedPosition(id: string): Point | undefined {
    const node = this.cy.getElementById(id);
    if (node.nonempty() && node.isNode()) return node.renderedPosition();
    // A huge chart's node outside the window Cytoscape holds: where it would be drawn.
    const shown = this.windowed ? this.fullNode(id) : undefined;
    if (!shown) return undefined;
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    return { x: shown.x * zoom + pan.x, y: shown.y * zoom + pan.y };
  }

  /** Model zoom level: 1 draws a model pixel as a screen pixel. */
  zoom(): number {
    return this.cy.zoom();
  }

  /** The label drawn on a node Cytoscape holds. */
  heldLabel(id: string): string | undefined {
    const node = this.cy.getElementById(id);
    return node.empty() ? undefined : String(node.data('label'));
  }

  /** What is drawn for a node Cytoscape holds: size and colour data, drawn width, classes. */
  heldNodeStyle(id: string): NodeStyleInfo | undefined {
    const node = this.cy.getElementById(id);
    if (node.empty()) return undefined;
    const data = node.data() as Record<string, unknown>;
    const parent = node.parent();
    return {
      ...(typeof data.size === 'number' ? { size: data.size } : {}),
      ...(typeof data.color === 'string' ? { color: data.color } : {}),
      ...(typeof data.borderColor === 'string' ? { borderColor: data.borderColor } : {}),
      width: node.width(),
      classes: node.classes(),
      ...(parent.nonempty() ? { parent: parent.first().id() } : {}),
    };
  }

  /** Ids of the nodes and edges Cytoscape holds with a class (e.g. an analysis highlight). */
  heldWithClass(className: string): { nodes: string[]; edges: string[] } {
    return {
      nodes: this.cy.nodes(`.${className}`).map((n) => n.id()),
      edges: this.cy.edges(`.${className}`).map((e) => e.id()),
    };
  }

  /** Resolves after a frame with the current elements is drawn (by Cytoscape or the overview). */
  afterRender(): Promise<void> {
    if (this.filling) {
      // A window change still going in, a slice a frame: drawn means drawn once it is all in.
      return new Promise<void>((resolve) => {
        const wait = () => {
          if (this.filling && !this.cy.destroyed()) requestAnimationFrame(wait);
          else resolve(this.afterRender());
        };
        requestAnimationFrame(wait);
      });
    }
    if (this.overviewActive) return this.overviewDrawn();
    return new Promise<void>((resolve) => {
      // Cytoscape draws in its animation-frame loop; this watches the renderer's pending-frame
      // flag: once a frame after the forced redraw has cleared it, everything current has been
      // drawn (one more frame to present).
      const core = this.cy as unknown as { renderer?: () => { requestedFrame?: boolean } };
      const renderer = core.renderer?.();
      this.cy.forceRender();
      const check = () => {
        if (renderer?.requestedFrame === true && !this.cy.destroyed()) {
          requestAnimationFrame(check);
        } else {
          requestAnimationFrame(() => resolve());
        }
      };
      requestAnimationFrame(check);
    });
  }

  setClass(id: string | undefined, className: string): void {
    this.cy.$(`.${className}`).removeClass(className);
    if (id !== undefined) this.cy.getElementById(id).addClass(className);
  }

  /** The whole chart as PNG (a huge chart's is its overview bitmap: Cytoscape holds a window). */
  exportPng(bg: string): Blob | undefined {
    if (this.windowed) return this.overview?.exportPng();
    return this.cy.png({ output: 'blob', full: true, scale: 2, bg });
  }

  /** The whole chart as SVG (a huge chart's as plain discs and lines, from its overview). */
  exportSvg(bg: string): string | undefined {
    if (this.windowed) return this.overview?.exportSvg();
    keepCanvasPathOnSvgContext();
    return this.cy.svg({ full: true, scale: 1, bg });
  }

  /** Entity nodes the chart shows (group boxes left out). */
  nodeIds(): string[] {
    return this.full.nodes.filter((node) => !isGroupNode(node)).map((node) => node.id);
  }

  edgeIds(): string[] {
    return this.full.edges.map((edge) => edge.id);
  }

  /** Destroys the Core and forgets what was applied. */
  destroy(): void {
    if (this.labelTimer !== undefined) clearTimeout(this.labelTimer);
    this.labelTimer = undefined;
    if (this.layerTimer !== undefined) clearTimeout(this.layerTimer);
    this.layerTimer = undefined;
    this.full = EMPTY_VIEW_MODEL;
    this.applied = EMPTY_VIEW_MODEL;
    this.fullIndex = undefined;
    this.theme = undefined;
    if (this.fillFrame !== undefined) cancelAnimationFrame(this.fillFrame);
    this.fillFrame = undefined;
    this.releaseDraw();
    this.overview?.destroy();
    if (!this.cy.destroyed()) this.cy.destroy();
  }
}
