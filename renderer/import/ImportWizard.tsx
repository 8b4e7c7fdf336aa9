/**
 * The import wizard (issue 11): five steps in one dialog — the file (or pasted rows), how it reads
 * (encoding, delimiter, header, with a preview of the first 100 rows), what each row becomes (a
 * built-in, saved or new specification, with a live preview of 5 rows), grading and markings, and
 * the run with its report. The specification the run uses is the chosen one with step 2's reading
 * options put in.
 */
import { useState } from 'react';
import { BUILT_IN_SPECS } from '../../shared/importer/index.ts';
import type { ImportSpec, SourceOptions } from '../../shared/importer/index.ts';
import { DEFAULT_MARKINGS, UNGRADED } from '../../shared/model/index.ts';
import type { Grading, Markings } from '../../shared/model/index.ts';
import { Dialog } from '../core/Dialog.tsx';
import { DetectStep } from './DetectStep.tsx';
import { GradingStep } from './GradingStep.tsx';
import { MappingStep } from './MappingStep.tsx';
import { RunStep } from './RunStep.tsx';
import { SourceStep } from './SourceStep.tsx';
import type { ChosenFile } from './SourceStep.tsx';
import { useImportRun } from './useImportRun.ts';
import { specProblems, withSource } from './wizardModel.ts';
import './import.css';

const STEPS = [
  { id: 'source', label: 'File' },
  { id: 'detect', label: 'Reading' },
  { id: 'mapping', label: 'Mapping' },
  { id: 'grading', label: 'Grading' },
  { id: 'run', label: 'Import' },
] as const;

type StepId = (typeof STEPS)[number]['id'];

export interface ImportWizardProps {
  readonly caseId: string;
  readonly onClose: () => void;
}

export function ImportWizard({ caseId, onClose }: ImportWizardProps) {
  const [step, setStep] = useState<StepId>('source');
  const [file, setFile] = useState<ChosenFile | undefined>();
  const [reading, setReading] = useState<Partial<SourceOptions>>({});
  const [header, setHeader] = useState<readonly string[]>([]);
  const [spec, setSpec] = useState<ImportSpec>(BUILT_IN_SPECS.cdr);
  const [grading, setGrading] = useState<Grading>(UNGRADED);
  const [markings, setMarkings] = useState<Markings>(DEFAULT_MARKINGS);
  const run = useImportRun();
  const running = run.state.phase === 'running' || run.state.phase === 'deciding';

  const index = STEPS.findIndex((s) => s.id === step);
  const effectiveSpec = withSource(spec, reading);
  const blocked: string | undefined =
    step === 'source' && !file
      ? 'Choose a file or paste rows first.'
      : step === 'mapping'
        ? specProblems(spec)[0]
        : undefined;

  const go = (to: number) => {
    const next = STEPS[to];
    if (!next) return;
    if (next.id === 'run' && file) {
      run.start({
        caseId,
        file: file.blob,
        fileName: file.name,
        spec: effectiveSpec,
        grading,
        markings,
      });
    }
    setStep(next.id);
  };

  return (
    <Dialog title="Import data" onClose={running ? run.cancel : onClose} wide>
      <div className="import-wizard" data-testid="import-wizard">
        <ol className="import-steps" aria-label="Steps">
          {STEPS.map((s, i) => (
            <li
              key={s.id}
              className={i === index ? 'import-step-current' : i < index ? 'import-step-done' : ''}
              aria-current={i === index ? 'step' : undefined}
            >
              {i + 1}. {s.label}
            </li>
          ))}
        </ol>
        <div className="import-step-body">
          {step === 'source' && (
            <SourceStep
              file={file}
              onChoose={(chosen) => {
                setFile(chosen);
                setReading(chosen.kind === 'xlsx' ? { kind: 'xlsx' } : { kind: 'delimited' });
              }}
            />
          )}
          {step === 'detect' && file && (
            <DetectStep
              file={file}
              reading={reading}
              onReading={setReading}
              onColumns={setHeader}
            />
          )}
          {step === 'mapping' && file && (
            <MappingStep
              file={file}
              caseId={caseId}
              spec={spec}
              effectiveSpec={effectiveSpec}
              columns={header}
              onSpec={setSpec}
            />
          )}
          {step === 'grading' && file && (
            <GradingStep
              fileName={file.name}
              spec={effectiveSpec}
              grading={grading}
              markings={markings}
              onGrading={setGrading}
              onMarkings={setMarkings}
            />
          )}
          {step === 'run' && file && (
            <RunStep
              state={run.state}
              fileName={file.name}
              onCancel={run.cancel}
              onDecide={run.decide}
              onClose={onClose}
            />
          )}
        </div>
        {step !== 'run' && (
          <footer className="import-footer">
            {blocked && (
              <span className="import-blocked muted" data-testid="import-blocked">
                {blocked}
              </span>
            )}
            <span className="import-footer-spacer" />
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="button" disabled={index === 0} onClick={() => go(index - 1)}>
              Back
            </button>
            <button
              type="button"
              className="primary"
              disabled={blocked !== undefined}
              data-testid="import-next"
              onClick={() => go(index + 1)}
            >
              {step === 'grading' ? 'Import' : 'Next'}
            </button>
          </footer>
        )}
      </div>
    </Dialog>
  );
}
