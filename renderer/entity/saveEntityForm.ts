/**
 * The save path both entity forms share (things and relationships): validate everything, show
 * every problem at its field and focus the first one, or write through the repository and sort a
 * refusal into field errors and a notification. Nothing is written while a problem remains.
 */
import type { EntityProperties, EntityRecord, ValidationErrors } from '../../shared/model/index.ts';
import { validateEntity } from '../../shared/model/index.ts';
import type { CaseRepository } from '../db/repository.types.ts';
import type { FieldPlan } from './entityForm.ts';
import { orderedErrorKeys } from './entityForm.ts';
import type { MetaValue } from './MetaFields.tsx';
import { reportSaveError } from '../core/saveError.ts';

export interface EntityFormSave {
  readonly repository: CaseRepository;
  readonly caseId: string;
  readonly existing: EntityRecord | undefined;
  readonly schemaName: string;
  readonly properties: EntityProperties;
  /** Ids entity references may point at; undefined while the case's entities are loading. */
  readonly knownIds: ReadonlySet<string> | undefined;
  readonly meta: MetaValue;
  readonly idPrefix: string;
  readonly plan: FieldPlan | undefined;
  readonly setErrors: (errors: ValidationErrors) => void;
  readonly setSaving: (saving: boolean) => void;
  readonly notify: (message: string, kind?: 'info' | 'error') => void;
  readonly onSaved: (entity: EntityRecord) => void;
}

export async function saveEntityForm(form: EntityFormSave): Promise<void> {
  const problems = validateEntity(form.schemaName, form.properties, form.knownIds);
  form.setErrors(problems);
  if (Object.keys(problems).length > 0) {
    focusFirstError(
      form.idPrefix,
      form.plan ? orderedErrorKeys(problems, form.plan)[0] : undefined,
    );
    return;
  }
  const entityMeta = {
    source: form.meta.source.trim() || undefined,
    grading: form.meta.grading,
    markings: form.meta.markings,
  };
  form.setSaving(true);
  try {
    const saved = form.existing
      ? await form.repository.updateEntity(form.existing.id, {
          ...entityMeta,
          properties: form.properties,
        })
      : await form.repository.createEntity(
          form.caseId,
          form.schemaName,
          form.properties,
          entityMeta,
        );
    form.onSaved(saved);
  } catch (error) {
    reportSaveError(error, form.setErrors, form.notify);
  } finally {
    form.setSaving(false);
  }
}

/** Moves the focus to the first invalid field, so keyboard users land on the problem. */
function focusFirstError(idPrefix: string, property: string | undefined): void {
  if (!property) return;
  // The "More fields" section may open on this render; wait for it.
  requestAnimationFrame(() => {
    document.getElementById(`${idPrefix}-${property}-0`)?.focus();
  });
}
