/**
 * The one way to turn a caught value into a message for a person. Code that must branch on what
 * went wrong reads the error's `code` (STYLE.md, item 15), never this text. It never throws: a
 * thrown value may be anything, including an object whose `message` getter or `toString` throws.
 */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an error that cannot be printed';
  }
}

/**
 * An error that callers tell apart by its `code` (STYLE.md, item 15). Each area subclasses it
 * with its own code union and `name`, so `instanceof` still says where an error came from.
 */
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}
