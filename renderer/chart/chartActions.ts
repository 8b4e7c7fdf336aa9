/** Chart writes the parent needs outside the chart panel (e.g. after "New entity here"). */
import type { ChartRecord } from '../../shared/model/index.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import type { Point } from './chartGeometry.ts';

/** Puts an entity on a chart at `position` (chart coordinates); a no-op if the chart is gone. */
export async function addEntityToChart(
  repository: Pick<CaseRepository, 'getChart' | 'updateChart'>,
  chartId: string,
  entityId: string,
  position: Point,
): Promise<ChartRecord | undefined> {
  const chart = await repository.getChart(chartId);
  if (!chart || chart.deleted) return undefined;
  const existing = chart.nodes[entityId];
  return repository.updateChart(chartId, {
    nodes: { ...chart.nodes, [entityId]: { ...existing, x: position.x, y: position.y } },
  });
}
