export interface CliCommand {
  /** One line for `tessera --help`. */
  readonly summary: string;
  /** Parses its own arguments; returns the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad arguments: printed to stderr with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
