/**
 * Remembered view layouts (the entity table's columns, sort and filters), one small entry per case
 * and view in the `meta` table. The table is encrypted at rest like the records (only its key,
 * `case:<case id>:view:<view>`, is in the clear), unlike localStorage, which is plaintext and
 * would show what an analyst filters for. Writes go through the unit of work (`putMeta`), not
 * audited and not undoable: a layout is not evidence. The value is returned as stored (unknown);
 * the view parses it (renderer/entity/tableViewState.ts, restoreViewState).
 *
 * Older builds kept some of these values (a chart's formatting rules, the duplicates a person ruled
 * out) in localStorage; `readViewStateAdopting` moves such a value into the store on first read.
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
    label: 'Remember a view',
    undoable: false,
    write: (tx) => tx.putMeta(viewStateKey(caseId, view), value),
  });
}

/** The part of the Web Storage API the move out of localStorage uses (tests pass a fake). */
export type LegacyStorage = Pick<Storage, 'getItem' | 'removeItem'>;

/**
 * Like readViewState, and first moves a value an older build left in localStorage under
 * `legacyKey` (JSON text) into the store: stored, then removed from localStorage, so a crash in
 * between leaves a copy that the next read removes. A value already in the store wins; text that
 * is not JSON is dropped (it was only ever written as JSON).
 */
export async function readViewStateAdopting(
  db: TesseraDatabase,
  work: UnitOfWork,
  caseId: string,
  view: string,
  legacy: { readonly storage: LegacyStorage; readonly key: string },
): Promise<unknown> {
  const stored = await readViewState(db, caseId, view);
  const text = legacy.storage.getItem(legacy.key);
  if (text === null) return stored;
  let value = stored;
  if (stored === undefined) {
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      value = undefined;
    }
    if (value !== undefined) await saveViewState(work, caseId, view, value);
  }
  legacy.storage.removeItem(legacy.key);
  return value;
}
