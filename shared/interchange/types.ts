import type { CaseFile } from '../caseFile.ts';

export type InterchangeFormatId = 'ftm' | 'graphml' | 'gexf' | 'cyjs' | 'anx' | 'stix';

/** Something the import kept, changed or could not use; shown to the user in the import report. */
export interface ImportIssue {
  readonly code: string;
  readonly message: string;
  /** Where in the input: a line, an element id, an object id. */
  readonly where?: string;
}

export interface ImportOptions {
  readonly caseTitle: string;
  readonly now: string;
  readonly userName: string;
  readonly agencyId: string;
}

export interface InterchangeImport {
  readonly file: CaseFile;
  readonly issues: readonly ImportIssue[];
}

export interface InterchangeFormat {
  readonly id: InterchangeFormatId;
  readonly label: string;
  readonly extensions: readonly string[];
  /** True when the text looks like this format (read from the content, not the file name). */
  sniff(text: string): boolean;
  importText(text: string, options: ImportOptions): InterchangeImport;
  exportText(file: CaseFile): string;
}
