/**
 * A paint request hands the worker copies of the scene's columns (transferred, not cloned by
 * postMessage): the worker gets the same scene, and the scene the overview keeps is untouched
 * when the copies' buffers are taken away.
 */
import { describe, expect, it } from 'vitest';
import type { ChartViewModel } from '../chartModel.ts';
import { LIGHT_CHART_THEME } from '../chartModel.ts';
import { buildOverviewScene } from './overviewScene.ts';
import type { OverviewScene } from './overviewScene.ts';
import { paintRequest } from './protocol.ts';

const view: ChartViewModel = {
  nodes: [
    { id: 'g', label: 'g', schema: 'Group', iconKey: 'Group', x: 0, y: 0, classes: 'chart-group' },
    { id: 'a', label: 'a', schema: 'Person', iconKey: 'Person', x: 0, y: 0, parent: 'g' },
    { id: 'b', label: 'b', schema: 'Company', iconKey: 'Company', x: 90, y: 40, size: 60 },
    { id: 'c', label: 'c', schema: 'Person', iconKey: 'Person', x: -50, y: 70, color: '#ff0000' },
  ],
  edges: [
    { id: 'ab', source: 'a', target: 'b', schema: 'Associate', label: '', directed: false },
    { id: 'bc', source: 'b', target: 'c', schema: 'Associate', label: '', directed: false },
  ],
};
const raster = { width: 10, height: 10, scale: 1, originX: 0, originY: 0 };

function columnsOf(scene: OverviewScene): ArrayBufferView[] {
  return Object.values(scene).filter((value): value is ArrayBufferView =>
    ArrayBuffer.isView(value),
  );
}

describe('paintRequest', () => {
  it('transfers a copy of every column and leaves the kept scene whole', () => {
    const scene = buildOverviewScene(view, LIGHT_CHART_THEME);
    const kept = structuredClone(scene);
    const { request, transfer } = paintRequest(3, scene, raster);
    expect(request.generation).toBe(3);
    expect(request.raster).toBe(raster);
    // Every column of the scene goes, as a buffer of its own.
    const sent = columnsOf(request.scene);
    expect(sent).toHaveLength(columnsOf(scene).length);
    expect(new Set(transfer)).toEqual(new Set(sent.map((column) => column.buffer)));
    for (const column of columnsOf(scene)) expect(transfer).not.toContain(column.buffer);
    // What the worker receives once the buffers are moved to it.
    const received = structuredClone(request, { transfer });
    expect(received.scene).toEqual(kept);
    expect(sent.every((column) => column.byteLength === 0)).toBe(true);
    expect(scene).toEqual(kept);
  });
});
