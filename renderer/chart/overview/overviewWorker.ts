// Web Worker that paints a huge chart's overview bitmap off the UI thread (see overviewScene.ts).
// It lives as long as its chart, painting each new scene it is sent; the bitmap is transferred.
// The canvas-sized first bitmap of a plain scene is rasterised in JavaScript (sceneRaster.ts: a
// third of the canvas's time at 50,000 nodes); anything else is painted on the canvas.
import { serveRequests } from '../../platform/workerHost.ts';
import { paintScene } from './scenePaint.ts';
import { rasteriseScene } from './sceneRaster.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';

serveRequests<PaintRequest, PaintResponse>(
  ({ generation, scene, raster }) => {
    const started = performance.now();
    const canvas = new OffscreenCanvas(raster.width, raster.height);
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('no 2D context on an OffscreenCanvas');
    const pixels = rasteriseScene(scene, raster);
    if (pixels) context.putImageData(new ImageData(pixels, raster.width, raster.height), 0, 0);
    else paintScene(context, scene, raster);
    const bitmap = canvas.transferToImageBitmap();
    return {
      generation,
      bitmap,
      milliseconds: performance.now() - started,
      startedAt: performance.timeOrigin + started,
    };
  },
  { transferOf: (response) => [response.bitmap] },
);
