/**
 * Source and information grading with the Admiralty (NATO) system, the scheme most police
 * intelligence units already use: the reliability of the source (A–F) and the credibility of the
 * information (1–6) are graded independently, e.g. "B2".
 * See NATO AJP-2.1 / STANAG 2511.
 */

export const SOURCE_RELIABILITY = {
  A: 'Completely reliable',
  B: 'Usually reliable',
  C: 'Fairly reliable',
  D: 'Not usually reliable',
  E: 'Unreliable',
  F: 'Reliability cannot be judged',
} as const;

export const INFORMATION_CREDIBILITY = {
  '1': 'Confirmed by other sources',
  '2': 'Probably true',
  '3': 'Possibly true',
  '4': 'Doubtful',
  '5': 'Improbable',
  '6': 'Truth cannot be judged',
} as const;

export type SourceReliability = keyof typeof SOURCE_RELIABILITY;
export type InformationCredibility = keyof typeof INFORMATION_CREDIBILITY;

export interface Grading {
  readonly source: SourceReliability;
  readonly information: InformationCredibility;
}

/** The grade given when nobody has judged the material yet. */
export const UNGRADED: Grading = { source: 'F', information: '6' };

export function formatGrading(grading: Grading): string {
  return `${grading.source}${grading.information}`;
}

export function parseGrading(text: string): Grading {
  const match = /^([A-F])([1-6])$/.exec(text.trim().toUpperCase());
  if (!match) throw new Error(`"${text}" is not an Admiralty grade (A–F then 1–6, e.g. B2)`);
  return { source: match[1] as SourceReliability, information: match[2] as InformationCredibility };
}

export function describeGrading(grading: Grading): string {
  return `${SOURCE_RELIABILITY[grading.source]} source; ${INFORMATION_CREDIBILITY[grading.information].toLowerCase()}`;
}
