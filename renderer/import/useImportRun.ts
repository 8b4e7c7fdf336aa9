/**
 * The run of one import as React state: started from a click (not an effect, so React's strict
 * mode cannot start it twice), cancelled by the Cancel button or when the wizard goes away, and,
 * when rows have problems, paused on the user's choice (skip them or stop).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../shared/base/errors.ts';
import type { ImportSummary, RowProblem } from '../../shared/importer/index.ts';
import { useAppServices } from '../core/context.ts';
import { downloadText } from '../core/files.ts';
import { runImportPipeline } from './pipeline.ts';
import type {
  ImportPipelineArgs,
  ImportPipelineResult,
  ImportProgress,
  ProblemDecision,
} from './pipeline.ts';

export type ImportRunState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'running'; readonly progress?: ImportProgress }
  | {
      readonly phase: 'deciding';
      readonly problems: readonly RowProblem[];
      readonly summary: ImportSummary;
    }
  | { readonly phase: 'done'; readonly result: ImportPipelineResult }
  | { readonly phase: 'cancelled' }
  | { readonly phase: 'failed'; readonly error: string; readonly code?: string };

export function rejectsFileName(fileName: string): string {
  return `${fileName.replace(/\.[^.]+$/, '')}.rejects.csv`;
}

/** Offers the rejected rows as a CSV download beside the imported file's name. */
export function saveRejects(result: ImportPipelineResult, fileName: string): void {
  if (result.rejectsCsv) downloadText(result.rejectsCsv, rejectsFileName(fileName), 'text/csv');
}

export type RunArgs = Omit<ImportPipelineArgs, 'work' | 'onProgress' | 'signal' | 'onProblems'>;

export function useImportRun(): {
  state: ImportRunState;
  start: (args: RunArgs) => void;
  cancel: () => void;
  decide: (decision: ProblemDecision) => void;
} {
  const { storage } = useAppServices();
  const [state, setState] = useState<ImportRunState>({ phase: 'idle' });
  const controller = useRef<AbortController | undefined>(undefined);
  const decision = useRef<((choice: ProblemDecision) => void) | undefined>(undefined);

  // Leaving the wizard mid-run cancels the import (nothing of it stays).
  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(
    (args: RunArgs) => {
      const abort = new AbortController();
      controller.current = abort;
      setState({ phase: 'running' });
      runImportPipeline({
        ...args,
        work: storage.work,
        signal: abort.signal,
        onProgress: (progress) => setState({ phase: 'running', progress }),
        onProblems: (problems, summary) =>
          new Promise<ProblemDecision>((resolve) => {
            decision.current = resolve;
            setState({ phase: 'deciding', problems, summary });
          }),
      }).then(
        (result) => {
          // Skipped rows are saved at once: the user chose "skip them (save a rejects file)".
          if (result.committed) saveRejects(result, args.fileName);
          setState({ phase: 'done', result });
        },
        (error: unknown) => {
          const code = (error as { code?: unknown } | null)?.code;
          if (code === 'cancelled') setState({ phase: 'cancelled' });
          else {
            setState({
              phase: 'failed',
              error: errorMessage(error),
              ...(typeof code === 'string' ? { code } : {}),
            });
          }
        },
      );
    },
    [storage.work],
  );

  const cancel = useCallback(() => {
    controller.current?.abort();
    // A run waiting on the user's choice has nothing in flight to abort: stopping ends it.
    decision.current?.('stop');
  }, []);

  const decide = useCallback((choice: ProblemDecision) => {
    const resolve = decision.current;
    decision.current = undefined;
    if (resolve) {
      setState({ phase: 'running' });
      resolve(choice);
    }
  }, []);

  return { state, start, cancel, decide };
}
