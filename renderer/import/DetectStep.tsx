/**
 * Step 2 of the import wizard: how the file reads — encoding, delimiter and header as detected,
 * each open to an override — and the first 100 rows as they will be parsed.
 */
import { useEffect, useState } from 'react';
import { errorMessage } from '../../shared/base/errors.ts';
import type { DetectedSource, SourceOptions } from '../../shared/importer/index.ts';
import { previewWorker } from './importClient.ts';
import type { ChosenFile } from './SourceStep.tsx';

const ENCODINGS = [
  ['utf-8', 'UTF-8'],
  ['utf-16le', 'UTF-16 (little-endian)'],
  ['utf-16be', 'UTF-16 (big-endian)'],
  ['windows-1250', 'Windows-1250 (Central European, Romanian)'],
  ['windows-1251', 'Windows-1251 (Cyrillic)'],
  ['windows-1252', 'Windows-1252 (Western)'],
  ['windows-1253', 'Windows-1253 (Greek)'],
  ['windows-1254', 'Windows-1254 (Turkish)'],
  ['iso-8859-1', 'ISO-8859-1 (Western)'],
  ['iso-8859-2', 'ISO-8859-2 (Central European)'],
  ['iso-8859-5', 'ISO-8859-5 (Cyrillic)'],
  ['iso-8859-7', 'ISO-8859-7 (Greek)'],
  ['iso-8859-16', 'ISO-8859-16 (Romanian)'],
  ['koi8-r', 'KOI8-R (Russian)'],
] as const;

const DELIMITERS = [
  [',', 'Comma ,'],
  [';', 'Semicolon ;'],
  ['\t', 'Tab'],
  ['|', 'Pipe |'],
] as const;

const label = (table: readonly (readonly [string, string])[], value: string): string =>
  table.find(([v]) => v === value)?.[1] ?? value;

export function DetectStep({
  file,
  reading,
  onReading,
  onColumns,
}: {
  readonly file: ChosenFile;
  readonly reading: Partial<SourceOptions>;
  readonly onReading: (reading: Partial<SourceOptions>) => void;
  /** The header's names (or none), for the mapping step's column pickers. */
  readonly onColumns: (columns: readonly string[]) => void;
}) {
  const [detected, setDetected] = useState<DetectedSource | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const controller = new AbortController();
    previewWorker()
      .call({ type: 'detect', file: file.blob, hints: reading }, controller.signal)
      .then((response) => {
        if (response.type !== 'detected') return;
        setDetected(response.detected);
        setError(undefined);
        const width = Math.max(0, ...response.detected.preview.map((row) => row.length));
        onColumns(
          response.detected.header
            ? response.detected.columns
            : Array.from({ length: width }, (_, i) => `#${i + 1}`),
        );
      })
      .catch((cause: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(cause));
      });
    return () => controller.abort();
  }, [file, reading, onColumns]);

  const set = (patch: Partial<SourceOptions>) => onReading({ ...reading, ...patch });
  const auto = (what: string | undefined) => (what ? `Detected: ${what}` : 'Detect');

  if (error) {
    return (
      <p className="import-error" role="alert" data-testid="import-detect-error">
        {error}
      </p>
    );
  }
  return (
    <div className="import-detect">
      <div className="import-detect-options">
        <label>
          Encoding
          <select
            data-testid="import-encoding"
            value={reading.encoding ?? ''}
            onChange={(e) => set({ encoding: e.target.value || undefined })}
          >
            <option value="">{auto(detected && label(ENCODINGS, detected.encoding))}</option>
            {ENCODINGS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label>
          Delimiter
          <select
            data-testid="import-delimiter"
            value={reading.delimiter ?? ''}
            onChange={(e) => set({ delimiter: e.target.value || undefined })}
          >
            <option value="">{auto(detected && label(DELIMITERS, detected.delimiter))}</option>
            {DELIMITERS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label>
          First row
          <select
            data-testid="import-header"
            value={reading.header === undefined ? '' : String(reading.header)}
            onChange={(e) =>
              set({ header: e.target.value === '' ? undefined : e.target.value === 'true' })
            }
          >
            <option value="">
              {auto(detected && (detected.header ? 'names the columns' : 'is data'))}
            </option>
            <option value="true">names the columns</option>
            <option value="false">is data</option>
          </select>
        </label>
        <label>
          Skip rows at the top
          <input
            type="number"
            min={0}
            max={1000}
            data-testid="import-skip"
            value={reading.skipRows ?? 0}
            onChange={(e) => set({ skipRows: Math.max(0, Number(e.target.value) || 0) })}
          />
        </label>
      </div>
      {detected ? <PreviewTable detected={detected} /> : <p className="muted">Reading…</p>}
    </div>
  );
}

function PreviewTable({ detected }: { readonly detected: DetectedSource }) {
  const width = Math.max(detected.columns.length, ...detected.preview.map((row) => row.length));
  const names = Array.from(
    { length: width },
    (_, i) => (detected.header ? detected.columns[i] : undefined) ?? `#${i + 1}`,
  );
  return (
    <div className="import-preview" data-testid="import-preview">
      <p className="muted">
        The first {detected.preview.length} rows as they will be read
        {detected.header ? ' (the first row names the columns)' : ''}.
      </p>
      <div className="import-table-scroll">
        <table className="import-table">
          <thead>
            <tr>
              <th scope="col">Row</th>
              {names.map((name, i) => (
                <th key={i} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {detected.preview.map((row, r) => (
              <tr key={r}>
                <td className="muted">{r + 1}</td>
                {names.map((_, c) => (
                  <td key={c}>{row[c] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
