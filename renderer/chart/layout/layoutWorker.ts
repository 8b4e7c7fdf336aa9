// Web Worker that runs forceLayout off the UI thread: one request in, one positions array out
// (its buffer transferred, not copied). The worker is started per layout and terminated afterwards,
// which is also how a layout is cancelled.
import { forceLayout } from '../../../shared/layout/index.ts';
import type { LayoutRequest, LayoutResponse } from './protocol.ts';
import { errorMessage } from '../../../shared/base/errors.ts';

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const request = event.data;
  let response: LayoutResponse;
  const started = performance.now();
  try {
    const positions = forceLayout(
      {
        nodeCount: request.nodeCount,
        edgeSources: request.edgeSources,
        edgeTargets: request.edgeTargets,
        ...(request.nodeSizes ? { nodeSizes: request.nodeSizes } : {}),
      },
      request.options ?? {},
    );
    response = { ok: true, positions, milliseconds: performance.now() - started };
    self.postMessage(response, { transfer: [positions.buffer] });
  } catch (error) {
    response = { ok: false, error: errorMessage(error) };
    self.postMessage(response);
  }
};
