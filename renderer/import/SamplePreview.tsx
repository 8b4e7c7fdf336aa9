/**
 * The mapping step's live preview: what the first 5 data rows become under the specification as
 * it stands (entities with their values, and each row's problems), mapped by the same engine in
 * the worker, again shortly after each edit.
 */
import { useEffect, useState } from 'react';
import { errorMessage } from '../../shared/base/errors.ts';
import { describeProblem } from '../../shared/importer/index.ts';
import type { ImportSpec } from '../../shared/importer/index.ts';
import { captionOf, getSchema, UNGRADED, DEFAULT_MARKINGS } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { previewWorker } from './importClient.ts';
import type { ReaderSample } from './importReader.ts';
import type { ChosenFile } from './SourceStep.tsx';
import { specProblems } from './wizardModel.ts';

const SAMPLE_ROWS = 5;
const DEBOUNCE_MS = 250;

export function SamplePreview({
  file,
  caseId,
  spec,
}: {
  readonly file: ChosenFile;
  readonly caseId: string;
  readonly spec: ImportSpec;
}) {
  const { storage } = useAppServices();
  const [sample, setSample] = useState<ReaderSample | undefined>();
  const [error, setError] = useState<string | undefined>();
  const unusable = specProblems(spec).length > 0;

  useEffect(() => {
    if (unusable) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const { agencyId, userName } = storage.actor();
      previewWorker()
        .call(
          {
            type: 'sample',
            file: file.blob,
            spec,
            rows: SAMPLE_ROWS,
            options: {
              caseId,
              agencyId,
              userName,
              now: new Date().toISOString(),
              fileName: file.name,
              grading: UNGRADED,
              markings: DEFAULT_MARKINGS,
            },
          },
          controller.signal,
        )
        .then((response) => {
          if (response.type !== 'sample') return;
          setSample(response);
          setError(undefined);
        })
        .catch((cause: unknown) => {
          if (!controller.signal.aborted) setError(errorMessage(cause));
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [file, caseId, spec, storage, unusable]);

  return (
    <section className="import-sample" data-testid="import-sample" aria-label="Preview">
      <h3>What the first {SAMPLE_ROWS} rows become</h3>
      {unusable && <p className="muted">Map a column to see a preview.</p>}
      {!unusable && error && (
        <p className="import-error" role="alert">
          {error}
        </p>
      )}
      {!unusable && !error && !sample && <p className="muted">Mapping…</p>}
      {!unusable && !error && sample && <SampleRows sample={sample} />}
    </section>
  );
}

function SampleRows({ sample }: { readonly sample: ReaderSample }) {
  const byRow = new Map<number, string[]>();
  for (const entity of [...sample.batch.created, ...sample.batch.updated]) {
    const row = entity.provenance.imported?.row ?? 0;
    const schema = getSchema(entity.schema);
    const values = Object.entries(entity.properties)
      .filter(([name]) => !schema.hasProperty(name) || !schema.getProperty(name).type.isEntity)
      .map(([name, list]) => `${name}: ${list.join(', ')}`)
      .join('; ');
    const line = `${schema.label} “${captionOf(entity.schema, entity.properties)}” — ${values}`;
    byRow.set(row, [...(byRow.get(row) ?? []), line]);
  }
  return (
    <ol className="import-sample-rows">
      {sample.rows.map(([row]) => {
        const problems = sample.batch.problems.filter((p) => p.row === row);
        return (
          <li key={row} data-testid="import-sample-row">
            <strong>Row {row}</strong>
            <ul>
              {(byRow.get(row) ?? []).map((line, i) => (
                <li key={i}>{line}</li>
              ))}
              {problems.map((problem, i) => (
                <li key={`p${i}`} className="import-problem">
                  {describeProblem(problem)}
                </li>
              ))}
              {!byRow.has(row) && problems.length === 0 && (
                <li className="muted">excluded by a row rule</li>
              )}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}
