/**
 * The interchange formats Tessera reads and writes besides its own case file, in one list: the
 * app's import/export menu, `tessera import` and `tessera export` all read it. The format of an
 * imported file is read from its content (`detectFormat`), never from its name.
 */
import { anxFormat } from './anx.ts';
import { cyjsFormat } from './cyjs.ts';
import { ftmFormat } from './ftm.ts';
import { gexfFormat } from './gexf.ts';
import { graphmlFormat } from './graphml.ts';
import { stixFormat } from './stix.ts';
import type { InterchangeFormat, InterchangeFormatId } from './types.ts';

export type {
  ImportIssue,
  ImportOptions,
  InterchangeFormat,
  InterchangeFormatId,
  InterchangeImport,
} from './types.ts';
export { InterchangeError } from './importError.ts';
export type { InterchangeErrorCode } from './importError.ts';

/** Every format, the most specific sniff first (FtM's is the loosest: any JSON with "schema"). */
export const INTERCHANGE_FORMATS: readonly InterchangeFormat[] = [
  graphmlFormat,
  gexfFormat,
  anxFormat,
  stixFormat,
  cyjsFormat,
  ftmFormat,
];

/** Every format id the CLI and the UI name. */
export const INTERCHANGE_FORMAT_IDS: readonly InterchangeFormatId[] = [
  'ftm',
  'graphml',
  'gexf',
  'cyjs',
  'anx',
  'stix',
];

export function interchangeFormat(id: InterchangeFormatId): InterchangeFormat | undefined {
  return INTERCHANGE_FORMATS.find((format) => format.id === id);
}

/** The format the text is written in, read from its content; undefined when none matches. */
export function detectFormat(text: string): InterchangeFormat | undefined {
  return INTERCHANGE_FORMATS.find((format) => format.sniff(text));
}
