// Web Worker that paints a huge chart's overview bitmap off the UI thread (see overviewScene.ts).
// It lives as long as its chart, painting each new scene it is sent; the bitmap is transferred.
import { paintScene } from './overviewScene.ts';
import type { PaintRequest, PaintResponse } from './protocol.ts';
import { errorMessage } from '../../../shared/base/errors.ts';

self.onmessage = (event: MessageEvent<PaintRequest>) => {
  const { generation, scene, raster } = event.data;
  const started = performance.now();
  try {
    const canvas = new OffscreenCanvas(raster.width, raster.height);
    const context = canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('no 2D context on an OffscreenCanvas');
    paintScene(context, scene, raster);
    const bitmap = canvas.transferToImageBitmap();
    const response: PaintResponse = {
      ok: true,
      generation,
      bitmap,
      milliseconds: performance.now() - started,
    };
    self.postMessage(response, { transfer: [bitmap] });
  } catch (error) {
    const response: PaintResponse = {
      ok: false,
      generation,
      error: errorMessage(error),
    };
    self.postMessage(response);
  }
};
