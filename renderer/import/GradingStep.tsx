/**
 * Step 4 of the import wizard: the Admiralty grading and the markings every imported record gets,
 * and the provenance each will carry (file, its SHA-256, row, specification and version).
 */
import type { ImportSpec } from '../../shared/importer/index.ts';
import type { Grading, Markings } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import { MetaFields } from '../entity/MetaFields.tsx';

export function GradingStep({
  fileName,
  spec,
  grading,
  markings,
  onGrading,
  onMarkings,
}: {
  readonly fileName: string;
  readonly spec: ImportSpec;
  readonly grading: Grading;
  readonly markings: Markings;
  readonly onGrading: (grading: Grading) => void;
  readonly onMarkings: (markings: Markings) => void;
}) {
  const { storage } = useAppServices();
  const { userName, agencyId } = storage.actor();
  return (
    <div className="import-grading" data-testid="import-grading">
      <p>Every record this import makes gets this grading and these markings.</p>
      <MetaFields
        idPrefix="import"
        hideSource
        value={{ source: fileName, grading, markings }}
        onChange={(next) => {
          onGrading(next.grading);
          onMarkings(next.markings);
        }}
      />
      <fieldset className="import-provenance" data-testid="import-provenance">
        <legend>Provenance of each record</legend>
        <dl>
          <dt>Source</dt>
          <dd>{fileName}</dd>
          <dt>File SHA-256</dt>
          <dd className="muted">computed as the import starts</dd>
          <dt>Row</dt>
          <dd>the record's row in the file, as a spreadsheet numbers it</dd>
          <dt>Specification</dt>
          <dd>
            {spec.name}, version {spec.version}
          </dd>
          <dt>Recorded by</dt>
          <dd>
            {userName} ({agencyId}), at the time of the import
          </dd>
        </dl>
      </fieldset>
    </div>
  );
}
