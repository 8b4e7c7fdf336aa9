/**
 * Step 3 of the import wizard: which specification — a built-in one (call records, bank
 * statement, entity list), a saved one or a new mapping — with its editor, saving under a name
 * (each save a new version), export and import as JSON, and the live preview of 5 rows.
 */
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../../shared/base/errors.ts';
import { BUILT_IN_SPECS } from '../../shared/importer/index.ts';
import type { ImportSpec } from '../../shared/importer/index.ts';
import { useAppServices } from '../core/context.ts';
import { downloadText, pickFiles } from '../core/files.ts';
import { MappingEditor } from './MappingEditor.tsx';
import { listSavedSpecs, saveSpec, specFileText, specFromFileText } from './savedSpecs.ts';
import type { SavedSpec } from './savedSpecs.ts';
import { SamplePreview } from './SamplePreview.tsx';
import type { ChosenFile } from './SourceStep.tsx';
import { blankSpec } from './wizardModel.ts';

const BUILT_IN_LABELS: Readonly<Record<keyof typeof BUILT_IN_SPECS, string>> = {
  cdr: 'Call detail records (built in)',
  bank: 'Bank statement (built in)',
  entities: 'Plain entity list (built in)',
};

export function MappingStep({
  file,
  caseId,
  spec,
  effectiveSpec,
  columns,
  onSpec,
}: {
  readonly file: ChosenFile;
  readonly caseId: string;
  /** The specification as edited (without step 2's reading options). */
  readonly spec: ImportSpec;
  /** The same with step 2's reading options: what the preview and the run use. */
  readonly effectiveSpec: ImportSpec;
  readonly columns: readonly string[];
  readonly onSpec: (spec: ImportSpec) => void;
}) {
  const { storage, notify } = useAppServices();
  const [saved, setSaved] = useState<SavedSpec[]>([]);
  const [choice, setChoice] = useState('builtin:cdr');
  const [saveName, setSaveName] = useState(spec.name);

  const reload = useCallback(async () => {
    setSaved(await listSavedSpecs(storage.db));
  }, [storage.db]);
  useEffect(() => {
    reload().catch((error: unknown) => notify(errorMessage(error), 'error'));
  }, [reload, notify]);

  const choose = (value: string) => {
    setChoice(value);
    let next: ImportSpec | undefined;
    if (value === 'new') next = blankSpec();
    else if (value.startsWith('builtin:')) {
      next = BUILT_IN_SPECS[value.slice('builtin:'.length) as keyof typeof BUILT_IN_SPECS];
    } else next = saved.find((entry) => entry.key === value)?.spec;
    if (next) {
      onSpec(next);
      setSaveName(next.name);
    }
  };

  const save = async () => {
    try {
      const stored = await saveSpec(storage.db, { ...spec, name: saveName.trim() || spec.name });
      onSpec(stored);
      await reload();
      const entry = (await listSavedSpecs(storage.db)).find((s) => s.spec.name === stored.name);
      if (entry) setChoice(entry.key);
      notify(`Saved the specification "${stored.name}", version ${stored.version}.`);
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const importFile = async () => {
    const [picked] = await pickFiles('.json,application/json', false);
    if (!picked) return;
    try {
      const loaded = specFromFileText(await picked.text());
      const stored = await saveSpec(storage.db, loaded);
      onSpec(stored);
      setSaveName(stored.name);
      await reload();
      notify(`Imported the specification "${stored.name}" (saved as version ${stored.version}).`);
    } catch (error) {
      notify(`${picked.name}: ${errorMessage(error)}`, 'error');
    }
  };

  return (
    <div className="import-mapping">
      <div className="import-mapping-bar">
        <label>
          Specification
          <select
            data-testid="import-spec-choice"
            value={choice}
            onChange={(e) => choose(e.target.value)}
          >
            {Object.entries(BUILT_IN_LABELS).map(([name, text]) => (
              <option key={name} value={`builtin:${name}`}>
                {text}
              </option>
            ))}
            {saved.map((entry) => (
              <option key={entry.key} value={entry.key}>
                {entry.spec.name} (saved, version {entry.spec.version})
              </option>
            ))}
            <option value="new">New mapping…</option>
          </select>
        </label>
        <label>
          Save as
          <input
            type="text"
            data-testid="import-spec-name"
            value={saveName}
            maxLength={200}
            onChange={(e) => setSaveName(e.target.value)}
          />
        </label>
        <button type="button" data-testid="import-spec-save" onClick={() => void save()}>
          Save
        </button>
        <button
          type="button"
          data-testid="import-spec-export"
          onClick={() => downloadText(specFileText(spec), `${spec.name}.import-spec.json`)}
        >
          Export…
        </button>
        <button type="button" data-testid="import-spec-import" onClick={() => void importFile()}>
          Import…
        </button>
      </div>
      {spec.description && <p className="muted">{spec.description}</p>}
      <div className="import-mapping-panes">
        <MappingEditor spec={spec} columns={columns} onSpec={onSpec} />
        <SamplePreview file={file} caseId={caseId} spec={effectiveSpec} />
      </div>
    </div>
  );
}
