/**
 * Core settings for the two ways the chart draws, which the adapter creates its Core with (they
 * cannot change afterwards, so the view makes a new adapter, in a new element, when the mode
 * changes). Small charts get Cytoscape's defaults. Charts over BIG_CHART_ELEMENTS get the
 * performance settings: edges hidden and a cached bitmap of the view used while the viewport
 * moves, no labels while it moves, no motion blur, and a pixel ratio of 1 (a HiDPI screen would
 * otherwise paint four times the pixels).
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

const SMALL_CHART_PROPS: CoreProps = { minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false };
const BIG_CHART_PROPS: CoreProps = {
  minZoom: 0.01,
  maxZoom: 4,
  boxSelectionEnabled: false,
  hideEdgesOnViewport: true,
  textureOnViewport: true,
  // Where the texture cannot stand in (it is redrawn after a change), a moving view draws no
  // labels; motion blur repaints the previous frames and costs a frame's worth of drawing.
  hideLabelsOnViewport: true,
  motionBlur: false,
  pixelRatio: 1,
};

export function coreProps(big: boolean): CoreProps {
  return big ? BIG_CHART_PROPS : SMALL_CHART_PROPS;
}
