/**
 * Remembered view layouts (the entity table's columns, sort and filters), one small entry per case
 * and view in the `meta` table. The table is encrypted at rest like the records (only its key,
 * `case:<case id>:view:<view>`, is in the clear), unlike localStorage, which is plaintext and
 * would show what an analyst filters for. Writes go through the unit of work (`putMeta`), not
 * audited and not undoable: a layout is not evidence. The value is returned as stored (unknown);
 * the view parses it (renderer/entity/tableViewState.ts, restoreViewState).
 */
import type { TesseraDatabase } from './database.ts';
import type { UnitOfWork } from './unitOfWork.ts';
import { caseMetaPrefix } from './unitOfWork.ts';

export function viewStateKey(caseId: string, view: string): string {
  return `${caseMetaPrefix(caseId)}view:${view}`;
}

/** The stored view state, or undefined when none was saved. */
export async function readViewState(
  db: TesseraDatabase,
  caseId: string,
  view: string,
): Promise<unknown> {
  const entry = await db.meta.get(viewStateKey(caseId, view));
  return entry?.value;
}

export async function saveViewState(
  work: UnitOfWork,
  caseId: string,
  view: string,
  value: unknown,
): Promise<void> {
  await work.commit({
    label: 'Remember the table view',
    undoable: false,
    write: (tx) => tx.putMeta(viewStateKey(caseId, view), value),
  });
}
