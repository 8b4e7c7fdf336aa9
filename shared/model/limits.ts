/**
 * Size limits of text a person types, with the messages shown while typing (issue 12: a
 * 20,000-character name was accepted, a 2 MB note failed after seconds with zod's wording). The
 * numbers match the record schemas (recordSchemas.ts), which stay the last word at the boundary;
 * these checks only tell the person early, in words they can act on.
 */

/** Longest case reference, title, lead investigator and other short case texts (characters). */
export const SHORT_TEXT_LIMIT = 1024;

/** Longest note body (characters); recordSchemas.ts's note body has the same bound. */
export const NOTE_BODY_LIMIT = 1_000_000;

const count = new Intl.NumberFormat('en-GB');

/** "Title is 20,000 characters; the limit is 1,024", or undefined when within the limit. */
export function lengthProblem(label: string, value: string, limit: number): string | undefined {
  if (limit <= 0 || value.length <= limit) return undefined;
  return `${label} is ${count.format(value.length)} characters; the limit is ${count.format(limit)}`;
}

/** Megabytes of text at one byte a character, as a person reads a note's size: "2.0 MB". */
function megabytes(characters: number): string {
  return `${(characters / 1_000_000).toFixed(1)} MB`;
}

/** "Note is 2.0 MB; the limit is 1 MB", or undefined when the note fits. */
export function noteSizeProblem(body: string): string | undefined {
  if (body.length <= NOTE_BODY_LIMIT) return undefined;
  return `Note is ${megabytes(body.length)}; the limit is ${NOTE_BODY_LIMIT / 1_000_000} MB`;
}
