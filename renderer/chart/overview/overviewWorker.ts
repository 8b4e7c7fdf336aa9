// Web Worker that paints a huge chart's overview bitmap off the UI thread (see overviewScene.ts).
// It lives as long as its chart, painting each new scene it is sent; the bitmap is transferred.
import { serveRequests } from '../../platform/workerHost.ts';
import { paintScene } from './overviewScene.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';

serveRequests<PaintRequest, PaintResponse>(
  ({ generation, scene, raster }) => {
    const started = performance.now();
    const canvas = new OffscreenCanvas(raster.width, raster.height);
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('no 2D context on an OffscreenCanvas');
    paintScene(context, scene, raster);
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
