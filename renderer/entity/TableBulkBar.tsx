/**
 * Bulk actions on the table's selected rows: set a property on all of them (bulk edit) or change
 * their markings (classification, TLP, handling code, releasability). Each is one change of the
 * unit of work: one transaction, one audit change, one undo entry for the whole selection.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  DEFAULT_CLASSIFICATIONS,
  HANDLING_CODE_NAMES,
  HANDLING_CODES,
  TLP_LEVELS,
} from '../../shared/model/index.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { useAppServices } from '../core/context.ts';
import { setPropertyBulk } from '../db/bulkEdit.ts';
import { setMarkingsBulk } from '../db/exchangeApply.ts';
import { RecordValidationError } from '../db/repository.types.ts';
import { BULK_PROPERTIES, EMPTY_BULK_MARKING, markingPatchOf } from './tableBulk.ts';
import type { BulkMarkingDraft } from './tableBulk.ts';

export interface TableBulkBarProps {
  /** Selected rows that are shown, in display order. */
  readonly ids: readonly string[];
  readonly onClear: () => void;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function TableBulkBar({ ids, onClear }: TableBulkBarProps) {
  const { storage, notify } = useAppServices();
  const [property, setProperty] = useState<string>(BULK_PROPERTIES[0]!.name);
  const [value, setValue] = useState('');
  const [mode, setMode] = useState<'set' | 'add'>('set');
  const [marking, setMarking] = useState<BulkMarkingDraft>(EMPTY_BULK_MARKING);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<string>) => {
    setError(null);
    setBusy(true);
    try {
      notify(await action());
    } catch (err) {
      setError(
        err instanceof RecordValidationError
          ? Object.values(err.errors).join('; ')
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  };

  const edit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const result = await setPropertyBulk(storage.work, ids, {
        property,
        values: value.split(/[,;]/),
        mode,
      });
      const skipped = result.skipped.length
        ? `; ${plural(result.skipped.length, 'entity has', 'entities have')} no such property`
        : '';
      return `${plural(result.updated.length, 'entity', 'entities')} changed${skipped}`;
    });
  };

  const mark = (event: FormEvent) => {
    event.preventDefault();
    const patch = markingPatchOf(marking);
    if (Object.keys(patch).length === 0) {
      setError('Choose at least one marking to change');
      return;
    }
    void run(async () => {
      const result = await setMarkingsBulk({ ...storage }, ids, patch);
      if (result.refused.length > 0) {
        setError(
          `Not changed (markings of another agency are never lowered): ${result.refused
            .map((item) => item.caption)
            .join(', ')}`,
        );
      }
      return `Markings set on ${plural(result.updated.length, 'record', 'records')}`;
    });
  };

  // Functional: two choices made before the next render must both be kept.
  const setMark = <K extends keyof BulkMarkingDraft>(key: K, next: BulkMarkingDraft[K]) =>
    setMarking((current) => ({ ...current, [key]: next }));

  return (
    <div
      className="entity-bulk-bar"
      role="region"
      aria-label="Bulk actions"
      data-testid="entity-bulk-bar"
    >
      <span className="entity-bulk-count" data-testid="entity-selected-count">
        {ids.length} selected
      </span>
      <form className="entity-bulk-form" onSubmit={edit} aria-label="Set a property">
        <select
          aria-label="Property"
          data-testid="bulk-property"
          value={property}
          onChange={(event) => setProperty(event.target.value)}
        >
          {BULK_PROPERTIES.map((option) => (
            <option key={option.name} value={option.name}>
              {option.label}
            </option>
          ))}
        </select>
        <select
          aria-label="How"
          data-testid="bulk-mode"
          value={mode}
          onChange={(event) => setMode(event.target.value === 'add' ? 'add' : 'set')}
        >
          <option value="set">set to</option>
          <option value="add">add</option>
        </select>
        <input
          aria-label="Value"
          data-testid="bulk-value"
          placeholder={BULK_PROPERTIES.find((option) => option.name === property)?.placeholder}
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit" disabled={busy} data-testid="bulk-edit-apply">
          Apply
        </button>
      </form>
      <form className="entity-bulk-form" onSubmit={mark} aria-label="Set markings">
        <select
          aria-label="Classification"
          data-testid="bulk-classification"
          value={marking.classification}
          onChange={(event) => setMark('classification', event.target.value)}
        >
          <option value="">Classification…</option>
          {DEFAULT_CLASSIFICATIONS.map((level) => (
            <option key={level} value={level}>
              {level}
            </option>
          ))}
        </select>
        <select
          aria-label="TLP"
          data-testid="bulk-tlp"
          value={marking.tlp}
          onChange={(event) => setMark('tlp', event.target.value)}
        >
          <option value="">TLP…</option>
          {TLP_LEVELS.map((level) => (
            <option key={level} value={level}>
              TLP:{level}
            </option>
          ))}
        </select>
        <select
          aria-label="Handling code"
          data-testid="bulk-handling"
          value={marking.handling}
          onChange={(event) => setMark('handling', event.target.value)}
        >
          <option value="">Handling…</option>
          <option value="none">No handling code</option>
          {HANDLING_CODE_NAMES.map((code) => (
            <option key={code} value={code}>
              {HANDLING_CODES[code].label}
            </option>
          ))}
        </select>
        <input
          aria-label="Releasable to (agency ids)"
          data-testid="bulk-releasable"
          placeholder="Releasable to…"
          value={marking.releasableTo}
          onChange={(event) => setMark('releasableTo', event.target.value)}
        />
        <button type="submit" disabled={busy} data-testid="bulk-mark-apply">
          Mark
        </button>
      </form>
      <button
        type="button"
        className="entity-link-button"
        onClick={onClear}
        data-testid="bulk-clear"
      >
        Clear selection
      </button>
      {error && (
        <p className="entity-field-error" role="alert" data-testid="bulk-error">
          {error}
        </p>
      )}
    </div>
  );
}
