/**
 * The overview's painter (see overviewScene.ts): paints a scene into a 2D canvas. Kept apart from
 * the scene's construction so the painter's worker loads this and nothing of the entity model
 * (overviewScene.ts reads the chart icons, which read the FollowTheMoney schemata: 200 KB the
 * worker parsed before its first paint, issue 13's first render).
 */
import type { OverviewScene, Raster } from './overviewScene.ts';

export const EdgeLook = { Plain: 0, Dimmed: 1, Highlighted: 2 } as const;
export type EdgeLook = (typeof EdgeLook)[keyof typeof EdgeLook];

/** Weight classes of plain edges: 1, 2–3, 4–7, 8–15, 16 and more links. */
export const WEIGHT_TIERS = 5;

export function weightTier(weight: number): number {
  return Math.min(WEIGHT_TIERS - 1, Math.floor(Math.log2(Math.max(1, weight))));
}

/**
 * Opacity of plain edges by tier: a chart of a few thousand edges draws them all at 0.6 as
 * before; with hundreds of thousands, single links fade to a few percent (so they do not grey
 * out the whole bitmap) and each doubling of the weight doubles the opacity.
 */
export function tierAlphas(plainEdges: number): number[] {
  const base = Math.min(0.6, Math.max(0.04, 20_000 / Math.max(1, plainEdges)));
  return Array.from({ length: WEIGHT_TIERS }, (_, t) => Math.min(0.9, base * 2 ** t));
}

/** The subset of the 2D canvas API the painter uses (a worker's OffscreenCanvas, or a test fake). */
export interface Paint2D {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  globalAlpha: number;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, radius: number, start: number, end: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  fill(): void;
  stroke(): void;
}

/** A disc smaller than this many bitmap pixels is painted as a square: it looks the same. */
export const TINY_DISC_PX = 1.5;

/**
 * Paints `scene` into a canvas of the raster's size: background, group boxes, edges (one path per
 * look, so 100,000 edges are three strokes), nodes (one path per colour and dimming), rings.
 */
export function paintScene(context: Paint2D, scene: OverviewScene, raster: Raster): void {
  const { scale, originX, originY } = raster;
  const thin = raster.lineScale ?? 1;
  const px = (x: number) => (x - originX) * scale;
  const py = (y: number) => (y - originY) * scale;
  context.globalAlpha = 1;
  context.fillStyle = scene.background;
  context.fillRect(0, 0, raster.width, raster.height);

  context.strokeStyle = scene.groupColor;
  context.lineWidth = thin;
  context.globalAlpha = 0.6;
  for (let g = 0; g < scene.groupBoxes.length; g += 4) {
    const gx = px(scene.groupBoxes[g]!);
    const gy = py(scene.groupBoxes[g + 1]!);
    context.strokeRect(
      gx,
      gy,
      px(scene.groupBoxes[g + 2]!) - gx,
      py(scene.groupBoxes[g + 3]!) - gy,
    );
  }

  // Dimmed edges first, then plain ones from the lightest tier up, then the top pairs, then the
  // highlighted path: what matters most is painted last, on top.
  const line = (k: number) => {
    const s = scene.edgeSource[k]!;
    const t = scene.edgeTarget[k]!;
    context.moveTo(px(scene.nodeX[s]!), py(scene.nodeY[s]!));
    context.lineTo(px(scene.nodeX[t]!), py(scene.nodeY[t]!));
  };
  const pass = (colour: string, alpha: number, width: number, takes: (k: number) => boolean) => {
    let any = false;
    context.beginPath();
    for (let k = 0; k < scene.edgeLook.length; k++) {
      if (!takes(k)) continue;
      line(k);
      any = true;
    }
    if (!any) return;
    context.strokeStyle = colour;
    context.globalAlpha = alpha;
    context.lineWidth = width * thin;
    context.stroke();
  };
  const { edgeLook, edgeWeight, strongWeight } = scene;
  pass(scene.edgeColor, 0.15, 1, (k) => edgeLook[k] === EdgeLook.Dimmed);
  let plain = 0;
  for (let k = 0; k < edgeLook.length; k++) if (edgeLook[k] === EdgeLook.Plain) plain++;
  tierAlphas(plain).forEach((alpha, tier) =>
    pass(
      scene.edgeColor,
      alpha,
      1,
      (k) =>
        edgeLook[k] === EdgeLook.Plain &&
        edgeWeight[k]! < strongWeight &&
        weightTier(edgeWeight[k]!) === tier,
    ),
  );
  pass(
    scene.strongColor,
    0.9,
    2,
    (k) => edgeLook[k] === EdgeLook.Plain && edgeWeight[k]! >= strongWeight,
  );
  pass(scene.highlightColor, 1, 3, (k) => edgeLook[k] === EdgeLook.Highlighted);

  for (let dimmed = 1; dimmed >= 0; dimmed--) {
    for (let colour = 0; colour < scene.palette.length; colour++) {
      let any = false;
      context.beginPath();
      for (let i = 0; i < scene.nodeFill.length; i++) {
        if (scene.nodeFill[i] !== colour || scene.nodeDimmed[i] !== dimmed) continue;
        const r = Math.max(0.75 * thin, scene.nodeRadius[i]! * scale);
        const x = px(scene.nodeX[i]!);
        const y = py(scene.nodeY[i]!);
        if (r * 2 <= TINY_DISC_PX) {
          context.rect(x - r, y - r, 2 * r, 2 * r);
        } else {
          context.moveTo(x + r, y);
          context.arc(x, y, r, 0, 2 * Math.PI);
        }
        any = true;
      }
      if (!any) continue;
      context.fillStyle = scene.palette[colour]!;
      context.globalAlpha = dimmed ? 0.25 : 1;
      context.fill();
    }
  }

  context.globalAlpha = 1;
  context.lineWidth = 2 * thin;
  for (let colour = 0; colour < scene.palette.length; colour++) {
    let any = false;
    context.beginPath();
    for (let i = 0; i < scene.nodeRing.length; i++) {
      if (scene.nodeRing[i] !== colour + 1) continue;
      const r = Math.max(1.5 * thin, scene.nodeRadius[i]! * scale + thin);
      const x = px(scene.nodeX[i]!);
      const y = py(scene.nodeY[i]!);
      context.moveTo(x + r, y);
      context.arc(x, y, r, 0, 2 * Math.PI);
      any = true;
    }
    if (!any) continue;
    context.strokeStyle = scene.palette[colour]!;
    context.stroke();
  }
}
