import { useState } from 'react';
import type { FormValues } from './entityForm.ts';
import { carryOver, clearChangedErrors } from './entityForm.ts';

type FieldErrors = Readonly<Record<string, string>>;

/** The type, property values and field errors of an entity or relationship form. */
export function useTypedValues(initialSchema: string, initialValues: FormValues) {
  const [schemaName, setSchemaName] = useState(initialSchema);
  const [values, setValues] = useState<FormValues>(initialValues);
  const [errors, setErrors] = useState<FieldErrors>({});
  /** A new type keeps the values its properties share with the old one. */
  const retype = (next: string) => {
    setSchemaName(next);
    if (next) setValues(carryOver(values, next));
  };
  return {
    schemaName,
    values,
    errors,
    setErrors,
    retype,
    /** The user picked a type: the old type's errors no longer apply. */
    chooseSchema: (next: string) => {
      retype(next);
      setErrors({});
    },
    /** An edit clears the errors of the fields it changed. */
    changeValues: (next: FormValues) => {
      setErrors(clearChangedErrors(errors, values, next));
      setValues(next);
    },
  };
}
