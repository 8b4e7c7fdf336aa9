/**
 * Importing and exporting whole case files with the user's messages: one implementation for the
 * case list's buttons and the Import / Export commands (menu, shortcut, palette).
 */
import { errorMessage } from '../../shared/base/errors.ts';
import type { HybridLogicalClock } from '../../shared/model/index.ts';
import { downloadText } from '../core/files.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import { CASE_CHART_SKIPPED, exportFileName, exportText, importCaseText } from './caseTransfer.ts';
import type { ImportOutcome, TransferKind } from './caseTransfer.ts';

type Notify = (message: string, kind?: 'info' | 'error') => void;

export interface CaseFileDeps {
  readonly repository: CaseRepository;
  readonly clock: HybridLogicalClock;
  readonly agencyId: string;
  readonly userName: string;
  readonly notify: Notify;
  /** Called with an import that kept, changed or could not use something, to show its report. */
  readonly onReport?: (outcome: ImportOutcome & { fileName: string }) => void;
}

/** Imports each file as a case, all-or-nothing per file; says what happened to each. */
export async function importCaseFiles(files: readonly File[], deps: CaseFileDeps): Promise<void> {
  for (const file of files) {
    try {
      const outcome = await importCaseText(file.name, await file.text(), {
        repository: deps.repository,
        clock: deps.clock,
        agencyId: deps.agencyId,
        userName: deps.userName,
        now: new Date(),
      });
      const skipped = outcome.caseChart === 'too-many' ? `; ${CASE_CHART_SKIPPED}` : '';
      deps.notify(
        `Imported ${file.name}: ${outcome.entities} entities and relationships${skipped}`,
      );
      if (outcome.issues.length > 0) deps.onReport?.({ ...outcome, fileName: file.name });
    } catch (error) {
      deps.notify(`${file.name}: ${errorMessage(error)}`, 'error');
    }
  }
}

/** Offers the case as a Tessera case file or in one of the interchange formats. */
export async function exportCaseFile(
  repository: CaseRepository,
  caseId: string,
  kind: TransferKind,
  notify: Notify,
): Promise<void> {
  try {
    const file = await repository.exportCase(caseId);
    downloadText(exportText(file, kind), exportFileName(file, kind));
    if (kind !== 'tessera') {
      notify(
        'Other tools keep entities and relationships only: markings, grading, notes and attachments stay behind.',
      );
    }
  } catch (error) {
    notify(errorMessage(error), 'error');
  }
}
