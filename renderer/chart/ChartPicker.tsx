import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ChartRecord } from '../../shared/model/index.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { MenuItem, ToolbarMenu } from './ToolbarMenu.tsx';
import { CASE_CHART_NAME } from '../../shared/model/caseChart.ts';

type Editing = { readonly mode: 'create' | 'rename'; readonly name: string } | undefined;

/** Chart selector with create / rename / delete; names are edited inline (Electron has no prompt()). */
export function ChartPicker({
  charts,
  chartId,
  caseChartId,
  onPick,
  onCreate,
  onRename,
  onDelete,
}: {
  charts: readonly ChartRecord[];
  chartId: string | undefined;
  /** The chart new entities of the case land on (defaultChartOf), marked in the list. */
  caseChartId?: string | undefined;
  onPick: (chartId: string) => void;
  /** Resolve when saved; reject with RecordValidationError to show the message inline. */
  onCreate: (name: string) => Promise<void>;
  onRename: (chartId: string, name: string) => Promise<void>;
  onDelete: (chartId: string) => void;
}) {
  const [editing, setEditing] = useState<Editing>();
  const [error, setError] = useState<string>();
  const current = charts.find((c) => c.id === chartId);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const name = editing.name.trim();
    if (!name) {
      setError('A chart needs a name.');
      return;
    }
    try {
      if (editing.mode === 'create') await onCreate(name);
      else if (chartId) await onRename(chartId, name);
      setEditing(undefined);
      setError(undefined);
    } catch (e) {
      // Validation messages come from the repository; storage errors are shown the same way.
      setError(errorMessage(e));
    }
  };

  if (editing) {
    return (
      <form className="chart-picker" onSubmit={(event) => void submit(event)}>
        <label>
          <span>{editing.mode === 'create' ? 'New chart name' : 'Chart name'}</span>
          <input
            value={editing.name}
            autoFocus
            maxLength={200}
            data-testid="chart-name-input"
            aria-invalid={error !== undefined}
            onChange={(event) => setEditing({ ...editing, name: event.target.value })}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setEditing(undefined);
            }}
          />
        </label>
        <button type="submit" data-testid="chart-name-save">
          {editing.mode === 'create' ? 'Create' : 'Rename'}
        </button>
        <button
          type="button"
          onClick={() => {
            setEditing(undefined);
            setError(undefined);
          }}
        >
          Cancel
        </button>
        {error && (
          <span className="chart-error" role="alert">
            {error}
          </span>
        )}
      </form>
    );
  }

  return (
    <div className="chart-picker">
      {charts.length > 0 && (
        <label>
          {/* Named for screen readers; the menu beside it says "Chart" on screen. */}
          <span className="chart-picker-label">Chart</span>
          <select
            value={chartId ?? ''}
            data-testid="chart-picker"
            onChange={(event) => onPick(event.target.value)}
          >
            {charts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id === caseChartId && c.name !== CASE_CHART_NAME
                  ? `${c.name} (case chart)`
                  : c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <ToolbarMenu label={charts.length > 0 ? 'Chart' : 'New chart'} testId="chart-menu">
        <MenuItem
          testId="chart-new"
          onSelect={() => setEditing({ mode: 'create', name: `Chart ${charts.length + 1}` })}
        >
          New chart…
        </MenuItem>
        {current && (
          <>
            <MenuItem
              testId="chart-rename"
              onSelect={() => setEditing({ mode: 'rename', name: current.name })}
            >
              Rename…
            </MenuItem>
            <MenuItem testId="chart-delete" onSelect={() => onDelete(current.id)}>
              Delete chart…
            </MenuItem>
          </>
        )}
      </ToolbarMenu>
    </div>
  );
}
