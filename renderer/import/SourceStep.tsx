/** Step 1 of the import wizard: a file (CSV, TSV, TXT or XLSX) or rows pasted from the clipboard. */
import { useState } from 'react';
import type { SourceOptions } from '../../shared/importer/index.ts';
import { pickFiles } from '../core/files.ts';
import { sourceKindOf } from './wizardModel.ts';

export interface ChosenFile {
  readonly blob: Blob;
  readonly name: string;
  readonly kind: SourceOptions['kind'];
}

const ACCEPT = '.csv,.tsv,.txt,.tab,.xlsx,text/csv,text/tab-separated-values,text/plain';

const sizeText = (bytes: number): string =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function SourceStep({
  file,
  onChoose,
}: {
  readonly file: ChosenFile | undefined;
  readonly onChoose: (file: ChosenFile) => void;
}) {
  const [pasted, setPasted] = useState('');
  const choose = async () => {
    const [picked] = await pickFiles(ACCEPT, false);
    if (picked) onChoose({ blob: picked, name: picked.name, kind: sourceKindOf(picked.name) });
  };
  return (
    <div className="import-source">
      <p>
        Bring in rows from a spreadsheet or a carrier's or bank's export. Nothing is added to the
        case until the last step, and one undo removes the whole import.
      </p>
      <div className="import-source-pick">
        <button
          type="button"
          className="primary"
          data-testid="import-choose-file"
          onClick={() => void choose()}
        >
          Choose a file…
        </button>
        <span className="muted">CSV, TSV, TXT or XLSX</span>
      </div>
      <label className="import-paste">
        <span>…or paste rows (for example copied from a spreadsheet):</span>
        <textarea
          data-testid="import-paste"
          rows={6}
          value={pasted}
          spellCheck={false}
          onChange={(event) => setPasted(event.target.value)}
        />
      </label>
      <button
        type="button"
        data-testid="import-use-paste"
        disabled={pasted.trim().length === 0}
        onClick={() =>
          onChoose({
            blob: new Blob([pasted], { type: 'text/plain' }),
            name: 'pasted rows.txt',
            kind: 'delimited',
          })
        }
      >
        Use the pasted rows
      </button>
      {file && (
        <p className="import-chosen" data-testid="import-chosen">
          Chosen: <strong>{file.name}</strong> ({sizeText(file.blob.size)})
        </p>
      )}
    </div>
  );
}
