import type { ValidationErrors } from '../../shared/model/index.ts';
import { RecordValidationError, StorageFullError } from '../db/repository.types.ts';

export interface SaveFailure {
  /** Field → message, when the repository refused the input. */
  readonly fieldErrors?: ValidationErrors;
  /** A message for the status area otherwise. */
  readonly message?: string;
}

/** Sorts a failed write into field errors (shown inline) and everything else (notified). */
export function describeSaveError(error: unknown): SaveFailure {
  if (error instanceof RecordValidationError) return { fieldErrors: error.errors };
  if (error instanceof StorageFullError) {
    return { message: `Not saved: the disk is full. ${error.message}`.trim() };
  }
  return { message: `Not saved: ${error instanceof Error ? error.message : String(error)}` };
}
