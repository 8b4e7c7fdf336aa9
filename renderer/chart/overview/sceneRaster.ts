/**
 * The canvas-sized first bitmap of a huge chart, rasterised in plain JavaScript (issue 13: the
 * 50,000-node chart's first render).
 *
 * Why: at first sight (a fit) the 50,000 nodes of the chart are squares of about one
 * pixel and its 100,000 edges lines far thinner than a pixel, which the 2D canvas draws as
 * hairlines with their alpha scaled by their width (Skia's "treat as hairline"). Chromium's
 * software rasteriser took 0.6-1.0 s for that picture (one path per colour and tier, flushed at
 * transferToImageBitmap; bench/profiles/chart.md §10), while the picture itself is a few hundred
 * thousand pixel blends: here they take tens of milliseconds.
 *
 * The pixels follow what the canvas does for the same scene (paintScene): the background, then
 * the edge passes in paintScene's order (each a hairline of colour `c` at the pass's alpha times
 * its width, both in 8 bits as Skia modulates them, spread over the two pixels nearest the line
 * in each column or row as an anti-aliased hairline is), then the node squares by colour, each
 * pixel blended by the share of it the square covers (small discs, as at 20,000 nodes: by 4 × 4
 * samples per pixel). Overlapping shapes of one pass blend one after the other rather than as one
 * path, a difference of a few levels where two squares touch.
 *
 * Only scenes the canvas would draw that way are rasterised here: plain looks (no dimmed or
 * highlighted elements, no rings, no group boxes), every disc at most SMALL_DISC_PX wide, every
 * line a hairline, every colour a hex colour. Anything else returns undefined and is painted on the
 * canvas as before (the detailed raster always is).
 */
import type { OverviewScene, Raster } from './overviewScene.ts';
import { EdgeLook, TINY_DISC_PX, tierAlphas, weightTier } from './scenePaint.ts';

/**
 * Discs up to this many pixels across are rasterised here (by 4 × 4 samples per pixel); wider
 * ones, which a detailed look would show, are left to the canvas.
 */
const SMALL_DISC_PX = 4;

/** Sample offsets within a pixel, for a disc's coverage. */
const SAMPLES = [0.125, 0.375, 0.625, 0.875];

/** A "#rgb" or "#rrggbb" colour as [r, g, b]; undefined for any other notation. */
export function hexColour(colour: string): [number, number, number] | undefined {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(colour);
  if (short)
    return [1, 2, 3].map((k) => parseInt(short[k]!.repeat(2), 16)) as [number, number, number];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (long) return [1, 2, 3].map((k) => parseInt(long[k]!, 16)) as [number, number, number];
  return undefined;
}

/** The canvas's 8-bit alpha of a hairline pass: the pass's alpha scaled by its width. */
export function hairlineAlpha(alpha: number, width: number): number {
  return (Math.round(alpha * 255) * Math.floor(width * 256)) >> 8;
}

/** Whether `scene` at `raster` is drawn by the canvas as hairlines and squares only. */
function rasterisable(scene: OverviewScene, raster: Raster): boolean {
  const thin = raster.lineScale ?? 1;
  if (scene.groupBoxes.length > 0 || 2 * thin > 1) return false;
  for (let i = 0; i < scene.nodeFill.length; i++) {
    if (scene.nodeRing[i] !== 0 || scene.nodeDimmed[i] !== 0) return false;
    if (2 * Math.max(0.75 * thin, scene.nodeRadius[i]! * raster.scale) > SMALL_DISC_PX)
      return false;
  }
  for (let k = 0; k < scene.edgeLook.length; k++) {
    if (scene.edgeLook[k] !== EdgeLook.Plain) return false;
  }
  return [scene.background, scene.edgeColor, scene.strongColor, ...scene.palette].every(
    (colour) => hexColour(colour) !== undefined,
  );
}

/** -ln(1 - a / 255) for each 8-bit alpha: what one blend of alpha `a` leaves of what is under it. */
const LOSS = Float32Array.from({ length: 256 }, (_, a) => -Math.log1p(-Math.min(a, 254.99) / 255));

/**
 * Adds one anti-aliased hairline to `loss` (per pixel, the sum of LOSS of every blend): per
 * column (or row) of the major axis, the two pixels nearest the line share the part of it in
 * that column, each blended at the pass's alpha scaled by its share (`lossOf`: lossTable).
 */
function hairline(
  loss: Float32Array,
  width: number,
  height: number,
  lossOf: Float32Array,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): void {
  const steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
  let u0 = steep ? y0 : x0;
  let v0 = steep ? x0 : y0;
  let u1 = steep ? y1 : x1;
  let v1 = steep ? x1 : y1;
  if (u0 > u1) {
    const u = u0;
    u0 = u1;
    u1 = u;
    const v = v0;
    v0 = v1;
    v1 = v;
  }
  if (!(u1 - u0 > 0)) return;
  const slope = (v1 - v0) / (u1 - u0);
  // Pixel rows (or columns) across the line, and the step between neighbours along it.
  const across = steep ? 1 : width;
  const along = steep ? width : 1;
  const majorSize = steep ? height : width;
  const minorSize = steep ? width : height;
  const first = Math.max(0, Math.floor(u0));
  const last = Math.min(majorSize - 1, Math.ceil(u1) - 1);
  for (let i = first; i <= last; i++) {
    // The part of the line inside this column, at most one pixel long.
    const from = u0 > i ? u0 : i;
    const length = (u1 < i + 1 ? u1 : i + 1) - from;
    if (length <= 0) continue;
    const v = v0 + (from + length / 2 - u0) * slope - 0.5;
    const j = Math.floor(v);
    const share = v - j;
    // Each pixel's share of the column in 8 bits (rounded), then its loss (see lossOf).
    const farShare = (length * share * 255 + 0.5) | 0;
    const nearShare = ((length * 255 + 0.5) | 0) - farShare;
    const at = i * along + j * across;
    if (j >= 0 && j < minorSize) loss[at] += lossOf[nearShare]!;
    if (j + 1 < minorSize && j + 1 >= 0) loss[at + across] += lossOf[farShare]!;
  }
}

/** LOSS of a blend at `alpha` scaled by each 8-bit coverage (Skia's SkAlphaMul). */
function lossTable(alpha: number): Float32Array {
  return Float32Array.from({ length: 256 }, (_, coverage) => LOSS[(alpha * (coverage + 1)) >> 8]!);
}

/** Blends `colour` over `pixels` by what `loss` says the blends of one colour left uncovered. */
function applyLoss(pixels: Uint8ClampedArray, loss: Float32Array, colour: string): void {
  const [r, g, b] = hexColour(colour)!;
  for (let i = 0; i < loss.length; i++) {
    const total = loss[i]!;
    if (total === 0) continue;
    const keep = Math.exp(-total);
    const p = i * 4;
    pixels[p] = r + (pixels[p]! - r) * keep;
    pixels[p + 1] = g + (pixels[p + 1]! - g) * keep;
    pixels[p + 2] = b + (pixels[p + 2]! - b) * keep;
  }
}

/**
 * The RGBA pixels (`raster.width` × `raster.height`, opaque) of `scene` as paintScene would paint
 * them, or undefined when the scene needs the canvas (see the file's comment). Blends of one
 * colour over a pixel leave the product of their (1 - alpha) of what was under them whatever
 * their order, so each colour's edges are summed per pixel first (as logarithms) and blended once.
 */
export function rasteriseScene(
  scene: OverviewScene,
  raster: Raster,
): Uint8ClampedArray<ArrayBuffer> | undefined {
  if (!rasterisable(scene, raster)) return undefined;
  const { width, height, scale, originX, originY } = raster;
  const thin = raster.lineScale ?? 1;
  const pixels = new Uint8ClampedArray(width * height * 4);
  const [br, bg, bb] = hexColour(scene.background)!;
  for (let p = 0; p < pixels.length; p += 4) {
    pixels[p] = br;
    pixels[p + 1] = bg;
    pixels[p + 2] = bb;
    pixels[p + 3] = 255;
  }
  const { nodeX, nodeY, edgeSource, edgeTarget, edgeWeight, strongWeight } = scene;
  const plain = new Float32Array(width * height);
  const strong = new Float32Array(width * height);
  const alphas = tierAlphas(edgeSource.length).map((alpha) => hairlineAlpha(alpha, thin));
  const losses = alphas.map(lossTable);
  const strongAlpha = hairlineAlpha(0.9, 2 * thin);
  const strongLoss = lossTable(strongAlpha);
  for (let k = 0; k < edgeSource.length; k++) {
    const weight = edgeWeight[k]!;
    const isStrong = weight >= strongWeight;
    const alpha = isStrong ? strongAlpha : alphas[weightTier(weight)]!;
    if (alpha === 0) continue;
    const s = edgeSource[k]!;
    const t = edgeTarget[k]!;
    hairline(
      isStrong ? strong : plain,
      width,
      height,
      isStrong ? strongLoss : losses[weightTier(weight)]!,
      (nodeX[s]! - originX) * scale,
      (nodeY[s]! - originY) * scale,
      (nodeX[t]! - originX) * scale,
      (nodeY[t]! - originY) * scale,
    );
  }
  // paintScene's order: the plain tiers, then the top pairs over them.
  applyLoss(pixels, plain, scene.edgeColor);
  applyLoss(pixels, strong, scene.strongColor);

  for (let colour = 0; colour < scene.palette.length; colour++) {
    const [r, g, b] = hexColour(scene.palette[colour]!)!;
    for (let i = 0; i < scene.nodeFill.length; i++) {
      if (scene.nodeFill[i] !== colour) continue;
      const half = Math.max(0.75 * thin, scene.nodeRadius[i]! * scale);
      const x1 = (nodeX[i]! - originX) * scale - half;
      const y1 = (nodeY[i]! - originY) * scale - half;
      const x2 = x1 + 2 * half;
      const y2 = y1 + 2 * half;
      const disc = 2 * half > TINY_DISC_PX;
      const cx = x1 + half;
      const cy = y1 + half;
      for (let y = Math.max(0, Math.floor(y1)); y < y2 && y < height; y++) {
        const dy = Math.min(y2, y + 1) - Math.max(y1, y);
        for (let x = Math.max(0, Math.floor(x1)); x < x2 && x < width; x++) {
          let covered: number;
          if (disc) {
            // A disc (paintScene's arc): the share of 16 samples of the pixel inside it.
            let inside = 0;
            for (const sy of SAMPLES) {
              for (const sx of SAMPLES) {
                const ex = x + sx - cx;
                const ey = y + sy - cy;
                if (ex * ex + ey * ey <= half * half) inside++;
              }
            }
            covered = inside / 16;
          } else {
            covered = (Math.min(x2, x + 1) - Math.max(x1, x)) * dy;
          }
          // The share of the pixel covered, in 8 bits, as the alpha of an opaque fill.
          const a = Math.round(covered * 255);
          if (a <= 0) continue;
          const p = (y * width + x) * 4;
          const keep = 255 - a;
          pixels[p] = (r * a + pixels[p]! * keep) / 255;
          pixels[p + 1] = (g * a + pixels[p + 1]! * keep) / 255;
          pixels[p + 2] = (b * a + pixels[p + 2]! * keep) / 255;
        }
      }
    }
  }
  return pixels;
}
