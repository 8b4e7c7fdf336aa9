/**
 * Version 5: a `chartNodes` table for chart node positions stored per node (issue 13). A drag on
 * a 50,000-node chart used to rewrite the whole chart record (every position, its audit copies
 * and its encryption) to move one node; now it writes one row per moved node, keyed
 * `[chartId+entityId]`, which renderer/db/chartNodes.ts lays over the chart's own `nodes` map when
 * the chart is read. The next whole write of the chart (a rename, an added entity, a layout)
 * folds the rows back into the record and removes them.
 *
 * No upgrade function: a chart's positions stay where they are, in the record's `nodes` map,
 * which is a valid chart without any rows, so existing charts need no rewrite. (Dexie's upgrade
 * also runs without the vault's keys and could not read an encrypted chart; see v4.ts.)
 * Self-contained on purpose: a shipped migration must not change when the live code does.
 */
import type { Migration } from './types.ts';

export const v5: Migration = {
  version: 5,
  stores: {
    chartNodes: '[chartId+entityId], chartId, caseId',
  },
};
