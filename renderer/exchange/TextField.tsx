import type { InputHTMLAttributes } from 'react';

/** A labelled input of the exchange forms, with its field error (if any) under it. */
export function TextField({
  label,
  value,
  onValue,
  testId,
  error,
  ...input
}: {
  label: string;
  value: string;
  readonly onValue: (value: string) => void;
  testId: string;
  error?: string;
} & Pick<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'required' | 'minLength' | 'autoComplete'
>) {
  return (
    <label className="form-field">
      <span>{label}</span>
      <input
        {...input}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        data-testid={testId}
      />
      {error && <small className="exchange-error">{error}</small>}
    </label>
  );
}
