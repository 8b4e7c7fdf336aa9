/** FollowTheMoney JSON lines as an interchange format (the work is in shared/ftm/). */
import { exportFtmLines, importFtm, sniffFtm } from '../ftm/ftmInterchange.ts';
import type { InterchangeFormat } from './types.ts';

export const ftmFormat: InterchangeFormat = {
  id: 'ftm',
  label: 'FollowTheMoney (JSON lines)',
  extensions: ['.ftm.json', '.jsonl', '.ndjson', '.json'],
  sniff: sniffFtm,
  importText: importFtm,
  exportText: exportFtmLines,
};
