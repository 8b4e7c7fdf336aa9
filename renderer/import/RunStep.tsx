/**
 * Step 5 of the import wizard: the progress bar with Cancel, the choice when rows have problems
 * (listed by row and column with the reason: skip them, saving a rejects file, or import nothing),
 * and the report. Nothing is dropped silently: every rejected row is listed and in the file.
 */
import { describeProblem } from '../../shared/importer/index.ts';
import type { ImportSummary, RowProblem } from '../../shared/importer/index.ts';
import { saveRejects } from './useImportRun.ts';
import type { ImportRunState } from './useImportRun.ts';

/** Problems listed on screen; all of them are in the rejects file. */
const LISTED = 200;
const count = new Intl.NumberFormat('en');

export function RunStep({
  state,
  fileName,
  onCancel,
  onDecide,
  onClose,
}: {
  readonly state: ImportRunState;
  readonly fileName: string;
  readonly onCancel: () => void;
  readonly onDecide: (decision: 'skip' | 'stop') => void;
  readonly onClose: () => void;
}) {
  switch (state.phase) {
    case 'idle':
      return null;
    case 'running': {
      const p = state.progress;
      return (
        <div className="import-run" data-testid="import-running">
          <p>
            Importing {fileName}…{' '}
            {p ? `${count.format(p.rowsRead)} rows read, ${count.format(p.problems)} problems` : ''}
          </p>
          <progress
            data-testid="import-progress"
            max={p?.bytesTotal || 1}
            value={p ? p.bytesRead : 0}
          />
          <p className="muted">Nothing is added to the case until the whole file is read.</p>
          <button type="button" data-testid="import-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      );
    }
    case 'deciding':
      return (
        <div className="import-run" data-testid="import-deciding">
          <Counts summary={state.summary} />
          <ProblemList problems={state.problems} />
          <div className="import-decide">
            <button
              type="button"
              className="primary"
              data-testid="import-skip-rejects"
              onClick={() => onDecide('skip')}
            >
              Skip them (save a rejects file) and import the rest
            </button>
            <button type="button" data-testid="import-stop" onClick={() => onDecide('stop')}>
              Stop (import nothing)
            </button>
          </div>
        </div>
      );
    case 'done':
      return (
        <div className="import-run" data-testid="import-report">
          <h3>
            {state.result.committed
              ? `Imported ${fileName}`
              : `Stopped: nothing of ${fileName} was imported`}
          </h3>
          <Counts summary={state.result.summary} />
          {state.result.problems.length > 0 && <ProblemList problems={state.result.problems} />}
          {state.result.committed && (
            <p className="muted">
              Undo (Ctrl+Z) removes the whole import. File SHA-256:{' '}
              <span className="mono">{state.result.fileSha256}</span>
            </p>
          )}
          <div className="import-decide">
            {state.result.rejectsCsv && (
              <button
                type="button"
                data-testid="import-save-rejects"
                onClick={() => saveRejects(state.result, fileName)}
              >
                Save the rejects file again
              </button>
            )}
            <button type="button" className="primary" data-testid="import-close" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      );
    case 'cancelled':
      return (
        <div className="import-run" data-testid="import-cancelled">
          <p>The import was cancelled: nothing was added to the case.</p>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      );
    case 'failed':
      return (
        <div className="import-run" data-testid="import-failed">
          <p className="import-error" role="alert">
            The import failed and nothing was added to the case: {state.error}
          </p>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      );
  }
}

function Counts({ summary }: { readonly summary: ImportSummary }) {
  const rows: [string, number][] = [
    ['Rows read', summary.rowsRead],
    ['Rows imported', summary.rowsImported],
    ['Rows left out by a rule', summary.rowsExcluded],
    ['Rows with problems', summary.rowsRejected],
    ['Entities and relationships created', summary.entitiesCreated],
    ['Merged into entities already known', summary.entitiesMerged],
  ];
  return (
    <dl className="import-counts" data-testid="import-counts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{count.format(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ProblemList({ problems }: { readonly problems: readonly RowProblem[] }) {
  return (
    <div className="import-problems">
      <p>
        {count.format(problems.length)} {problems.length === 1 ? 'problem' : 'problems'}:
      </p>
      <ul data-testid="import-problems">
        {problems.slice(0, LISTED).map((problem, index) => (
          <li key={index}>{describeProblem(problem)}</li>
        ))}
      </ul>
      {problems.length > LISTED && (
        <p className="muted">
          …and {count.format(problems.length - LISTED)} more, all of them in the rejects file.
        </p>
      )}
    </div>
  );
}
