import { describe, expect, it } from 'vitest';
import { BIG_CHART_PIXEL_RATIO, coreProps } from './bigChart.ts';

describe('coreProps', () => {
  it('gives small charts Cytoscape’s own pixel ratio and viewport drawing', () => {
    const small = coreProps(false);
    expect(small.pixelRatio).toBeUndefined();
    expect(small.textureOnViewport).toBeUndefined();
  });

  it('draws a big chart one canvas pixel per screen pixel, above the ratio at which Cytoscape doubles its pan texture', () => {
    const big = coreProps(true);
    expect(big.textureOnViewport).toBe(true);
    // Edges hidden on viewport made Cytoscape build the pan texture one node at a time instead
    // of from the still chart's layer bitmaps (the worst frame of every pan).
    expect(big.hideEdgesOnViewport).toBe(false);
    expect(big.pixelRatio).toBe(BIG_CHART_PIXEL_RATIO);
    // Cytoscape (matchCanvasSize) draws the viewport texture at twice the canvas size when the
    // ratio is 1 or less: every pan's first frame then rasterised each node again.
    expect(big.pixelRatio!).toBeGreaterThan(1);
    // Still one pixel per pixel: across a 4K-wide canvas the drawing is off by under half a pixel.
    expect(3840 * (big.pixelRatio! - 1)).toBeLessThan(0.5);
  });
});
