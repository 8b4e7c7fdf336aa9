/** FollowTheMoney JSON lines as an interchange format (the work is in ftmLines.ts). */
import { exportFtmLines, importFtm, sniffFtm } from './ftmLines.ts';
import type { InterchangeFormat } from './types.ts';

export const ftmFormat: InterchangeFormat = {
  id: 'ftm',
  label: 'FollowTheMoney (JSON lines)',
  extensions: ['.ftm.json', '.jsonl', '.ndjson', '.json'],
  sniff: sniffFtm,
  importText: importFtm,
  exportText: exportFtmLines,
};
