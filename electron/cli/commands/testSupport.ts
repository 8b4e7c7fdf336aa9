import type { CaseFile } from '../../../shared/caseFile.ts';

/**
 * The case file with every record (the case, entities, notes, attachments, notices and charts)
 * marked releasable to `agency` as well, as an officer would before a release. The rest of each
 * record's markings stays, so TLP:RED material still stays home.
 */
export function markedReleasableTo(file: CaseFile, agency: string): CaseFile {
  const mark = <T extends { markings: CaseFile['case']['markings'] }>(record: T): T => ({
    ...record,
    markings: { ...record.markings, releasableTo: [agency] },
  });
  return {
    ...file,
    case: mark(file.case),
    entities: file.entities.map(mark),
    notes: file.notes.map(mark),
    attachments: file.attachments.map(mark),
    notices: file.notices.map(mark),
    charts: file.charts.map(mark),
  };
}
