/**
 * Core settings for the two ways the chart draws, which the adapter creates its Core with (they
 * cannot change afterwards, so the view makes a new adapter, in a new element, when the mode
 * changes). Small charts get Cytoscape's defaults. Charts over BIG_CHART_ELEMENTS get the
 * performance settings: a cached bitmap of the view (edges included) used while the viewport
 * moves, no labels while it moves, no motion blur, and a pixel ratio of (just over) 1: a HiDPI
 * screen would otherwise paint four times the pixels.
 * Charts too big even for those are drawn by level of detail (see overview/ChartOverview.ts).
 */

export interface CoreProps {
  readonly minZoom: number;
  readonly maxZoom: number;
  readonly boxSelectionEnabled: boolean;
  readonly hideEdgesOnViewport?: boolean;
  readonly textureOnViewport?: boolean;
  readonly hideLabelsOnViewport?: boolean;
  readonly motionBlur?: boolean;
  readonly pixelRatio?: number;
}

/**
 * The big chart's pixel ratio: one screen pixel per canvas pixel, just over 1. At a ratio of 1 or
 * less Cytoscape makes its viewport texture (textureOnViewport, the bitmap a pan moves) at twice
 * the canvas size (`textureMult`, matchCanvasSize in cytoscape 3.34), so the first frame of every
 * pan rasterised each node again at the next detail level: 10-18 s for 2,000-3,000 nodes in
 * headless Chromium at load 14-17, against 0.6-3 s just over 1 (bench/profiles/chart.md, round 6).
 * Drawn 0.01 % larger, the canvas is off by 0.4 px at 3,840 px wide.
 */
export const BIG_CHART_PIXEL_RATIO = 1.0001;

const SMALL_CHART_PROPS: CoreProps = { minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false };
const BIG_CHART_PROPS: CoreProps = {
  minZoom: 0.01,
  maxZoom: 4,
  boxSelectionEnabled: false,
  // Edges stay in the pan texture. Hiding them made Cytoscape build the texture (the first frame
  // of every pan and wheel zoom) node by node (drawCachedNodes: one drawImage per node, 2.4 s
  // self for 2,000 nodes at load 13) instead of from its layer bitmaps of the still chart
  // (drawLayeredElements: a few drawImages), and the texture then moves as one bitmap whatever
  // it holds (bench/profiles/chart.md, section 7).
  hideEdgesOnViewport: false,
  textureOnViewport: true,
  // Where the texture cannot stand in (it is redrawn after a change), a moving view draws no
  // labels; motion blur repaints the previous frames and costs a frame's worth of drawing.
  hideLabelsOnViewport: true,
  motionBlur: false,
  pixelRatio: BIG_CHART_PIXEL_RATIO,
};

export function coreProps(big: boolean): CoreProps {
  return big ? BIG_CHART_PROPS : SMALL_CHART_PROPS;
}
