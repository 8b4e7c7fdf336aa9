/**
 * The first bitmap rasterised in JavaScript (sceneRaster.ts): which scenes it takes, and the
 * pixels it makes of squares and hairlines, as the canvas would paint them (the 50k picture was
 * compared with Chromium's canvas: bench/profiles/chart.md §10).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIGHT_CHART_THEME } from '../chartModel.ts';
import type { OverviewScene, PlainSceneNode, Raster } from './overviewScene.ts';
import { EdgeLook, plainScene, tierAlphas } from './overviewScene.ts';
import { hairlineAlpha, hexColour, rasteriseScene } from './sceneRaster.ts';

const FILL = '#2563eb';

/** A raster of `size` pixels a side, one pixel per model unit from (0, 0), lines at `thin`. */
function raster(size: number, thin = 0.25): Raster {
  return { width: size, height: size, scale: 1, originX: 0, originY: 0, lineScale: thin };
}

function sceneOf(
  nodes: readonly PlainSceneNode[],
  edges: readonly (readonly [number, number])[] = [],
): OverviewScene {
  return plainScene(
    nodes,
    Uint32Array.from(edges, ([s]) => s),
    Uint32Array.from(edges, ([, t]) => t),
    new Uint32Array(edges.length).fill(1),
    LIGHT_CHART_THEME,
  );
}

function pixel(pixels: Uint8ClampedArray, size: number, x: number, y: number): number[] {
  const p = (y * size + x) * 4;
  return [pixels[p]!, pixels[p + 1]!, pixels[p + 2]!, pixels[p + 3]!];
}

describe('hexColour', () => {
  it('reads #rgb and #rrggbb, and nothing else', () => {
    expect(hexColour('#2563eb')).toEqual([0x25, 0x63, 0xeb]);
    expect(hexColour('#FfF')).toEqual([255, 255, 255]);
    expect(hexColour('rgb(1, 2, 3)')).toBeUndefined();
    expect(hexColour('red')).toBeUndefined();
  });
});

describe('rasteriseScene', () => {
  it('leaves to the canvas what it would not draw as hairlines and squares', () => {
    const tiny = { x: 5, y: 5, size: 1, fill: FILL };
    const plain = sceneOf([tiny, { ...tiny, x: 8 }], [[0, 1]]);
    expect(rasteriseScene(plain, raster(16))).toBeDefined();
    // Lines a pixel wide (the detailed raster), discs wider than a square, other looks or colours.
    expect(rasteriseScene(plain, raster(16, 1))).toBeUndefined();
    expect(rasteriseScene(sceneOf([{ ...tiny, size: 6 }]), raster(16))).toBeUndefined();
    expect(
      rasteriseScene({ ...plain, nodeRing: Uint16Array.of(1, 0) }, raster(16)),
    ).toBeUndefined();
    expect(
      rasteriseScene({ ...plain, nodeDimmed: Uint8Array.of(0, 1) }, raster(16)),
    ).toBeUndefined();
    expect(
      rasteriseScene({ ...plain, edgeLook: Uint8Array.of(EdgeLook.Highlighted) }, raster(16)),
    ).toBeUndefined();
    expect(
      rasteriseScene({ ...plain, groupBoxes: Float32Array.of(0, 0, 4, 4) }, raster(16)),
    ).toBeUndefined();
    expect(rasteriseScene(sceneOf([{ ...tiny, fill: 'teal' }]), raster(16))).toBeUndefined();
  });

  it('paints the background, and a square over the pixel it covers in its colour', () => {
    // A one-unit square centred on (3.5, 2.5) covers pixel (3, 2) exactly.
    const pixels = rasteriseScene(sceneOf([{ x: 3.5, y: 2.5, size: 1, fill: FILL }]), raster(8))!;
    expect(pixel(pixels, 8, 3, 2)).toEqual([...hexColour(FILL)!, 255]);
    expect(pixel(pixels, 8, 4, 2)).toEqual([255, 255, 255, 255]);
    expect(pixel(pixels, 8, 0, 0)).toEqual([255, 255, 255, 255]);
    // Half a pixel covered: half-way between the background and the colour.
    const half = rasteriseScene(sceneOf([{ x: 3, y: 2.5, size: 1, fill: FILL }]), raster(8))!;
    const [r] = hexColour(FILL)!;
    expect(pixel(half, 8, 2, 2)[0]).toBeCloseTo((255 + r) / 2, -0.5);
    expect(pixel(half, 8, 3, 2)[0]).toBeCloseTo((255 + r) / 2, -0.5);
  });

  it('paints a small disc by the share of each pixel inside it', () => {
    // A disc 3 px across centred on pixel (4, 4)'s centre: that pixel whole, its corners' pixels
    // partly, pixels two away not at all.
    const pixels = rasteriseScene(sceneOf([{ x: 4.5, y: 4.5, size: 3, fill: FILL }]), raster(10))!;
    const [r] = hexColour(FILL)!;
    expect(pixel(pixels, 10, 4, 4)).toEqual([...hexColour(FILL)!, 255]);
    expect(pixel(pixels, 10, 4, 3)[0]).toBe(r);
    const corner = pixel(pixels, 10, 3, 3)[0]!;
    expect(corner).toBeGreaterThan(r);
    expect(corner).toBeLessThan(255);
    expect(pixel(pixels, 10, 2, 4)[0]).toBe(255);
  });

  it('draws an edge as a hairline at its alpha scaled by its width', () => {
    // Two squares far apart on row 4, the edge between them along the row's centre.
    const nodes = [
      { x: 1.5, y: 4.5, size: 1, fill: FILL },
      { x: 30.5, y: 4.5, size: 1, fill: FILL },
    ];
    const pixels = rasteriseScene(sceneOf(nodes, [[0, 1]]), raster(32))!;
    const alpha = hairlineAlpha(tierAlphas(1)[0]!, 0.25) / 255;
    const [er] = hexColour(LIGHT_CHART_THEME.edge)!;
    const expected = 255 - (255 - er) * alpha;
    for (const x of [5, 10, 20]) {
      expect(pixel(pixels, 32, x, 4)[0]).toBeCloseTo(expected, -0.5);
      // Nothing beside the line.
      expect(pixel(pixels, 32, x, 3)[0]).toBe(255);
      expect(pixel(pixels, 32, x, 5)[0]).toBe(255);
    }
  });

  it('gives the same pixels whatever the order of the edges', () => {
    const point = fc.record({
      x: fc.double({ min: 1, max: 30, noNaN: true }),
      y: fc.double({ min: 1, max: 30, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 2, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 12 }),
        (points, pairs) => {
          const nodes = points.map((at) => ({ ...at, size: 1, fill: FILL }));
          const edges = pairs
            .map(([s, t]) => [s % nodes.length, t % nodes.length] as const)
            .filter(([s, t]) => s !== t);
          const forward = rasteriseScene(sceneOf(nodes, edges), raster(32))!;
          const backward = rasteriseScene(sceneOf(nodes, [...edges].reverse()), raster(32))!;
          // Float sums in another order may differ in the last bit, never by a whole level.
          for (let p = 0; p < forward.length; p++) {
            expect(Math.abs(forward[p]! - backward[p]!)).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
