/**
 * Core options for the two ways the chart draws. Small charts get Cytoscape's defaults. Charts
 * over BIG_CHART_ELEMENTS get the performance settings: the WebGL renderer where the browser has
 * WebGL 2 (Cytoscape ≥ 3.31 draws nodes from texture atlases in batches), edges hidden and a
 * cached bitmap of the graph used while the viewport moves, and a pixel ratio of 1 (a HiDPI screen
 * would otherwise paint four times the pixels).
 */
import type { CytoscapeOptions } from 'cytoscape';

let webgl: boolean | undefined;

/** Whether a WebGL 2 context can be made here (not with a software-less headless browser). */
export function webglAvailable(): boolean {
  if (webgl !== undefined) return webgl;
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    webgl = gl !== null && !softwareRenderer(gl);
  } catch {
    webgl = false;
  }
  return webgl;
}

/**
 * Whether WebGL is emulated on the CPU (SwiftShader, llvmpipe: no usable GPU, a blocklisted
 * driver or a browser started with --disable-gpu). There the 2D canvas with the big-chart
 * settings draws a big chart far faster than emulated WebGL.
 */
function softwareRenderer(gl: WebGL2RenderingContext): boolean {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return /swiftshader|llvmpipe|software/i.test(name);
}

export interface CoreSettings {
  readonly big: boolean;
  readonly webgl: boolean;
}

export function coreOptions(settings: CoreSettings): CytoscapeOptions {
  const common: CytoscapeOptions = {
    minZoom: settings.big ? 0.01 : 0.05,
    maxZoom: 4,
    boxSelectionEnabled: false,
  };
  if (!settings.big) return common;
  return {
    ...common,
    hideEdgesOnViewport: true,
    // The WebGL renderer redraws from its atlases fast enough; the bitmap is for the 2D canvas.
    textureOnViewport: !settings.webgl,
    pixelRatio: 1,
    // The WebGL renderer takes its background colour from the container's inline style.
    ...(settings.webgl ? { webgl: true } : {}),
  };
}
