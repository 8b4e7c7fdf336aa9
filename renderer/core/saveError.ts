import type { ValidationErrors } from '../../shared/model/index.ts';
import type { KeyboardEvent } from 'react';
import { RecordValidationError, StorageFullError } from '../db/repository.types.ts';
import { errorMessage } from '../../shared/base/errors.ts';

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
  return { message: `Not saved: ${errorMessage(error)}` };
}

/** Shows a failed save where it belongs: refused fields inline, anything else as a notification. */
export function reportSaveError(
  error: unknown,
  setErrors: (errors: ValidationErrors) => void,
  notify: (message: string, kind?: 'info' | 'error') => void,
): void {
  const failure = describeSaveError(error);
  if (failure.fieldErrors) setErrors(failure.fieldErrors);
  if (failure.message) notify(failure.message, 'error');
}

/** Escape cancels; Ctrl+Enter (Cmd+Enter) saves from anywhere, since Enter in a textarea is a new line. */
export function editorKeyDown(onCancel: () => void, submit: () => Promise<void>) {
  return (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  };
}
