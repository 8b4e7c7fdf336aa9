import { useState } from 'react';
import { TextField } from './TextField.tsx';
import type { FormEvent } from 'react';
import type { TransportSettings } from '../../shared/contract/exchange.ts';
import { draftFromTransport, transportFromDraft } from './exchangeModel.ts';
import type { TransportDraft } from './exchangeModel.ts';

export interface TransportFormProps {
  readonly transport: TransportSettings | null;
  readonly onSave: (transport: TransportSettings | null) => Promise<void>;
  readonly onCancel: () => void;
}

/** How bundles reach one partner: files by hand, a shared folder, or S3-compatible storage. */
export function TransportForm({ transport, onSave, onCancel }: TransportFormProps) {
  const [draft, setDraft] = useState<TransportDraft>(() => draftFromTransport(transport));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = transportFromDraft(draft);
    if (result.errors) setErrors(result.errors);
    else void onSave(result.value);
  };
  const field = (key: keyof TransportDraft, label: string, type = 'text') => (
    <TextField
      label={label}
      type={type}
      value={draft[key] as string}
      onValue={(value) => setDraft({ ...draft, [key]: value })}
      testId={`transport-${key}`}
      error={errors[key]}
      autoComplete="off"
    />
  );
  return (
    <form className="exchange-form" onSubmit={submit} data-testid="transport-form">
      <label className="form-field">
        <span>Transport</span>
        <select
          value={draft.kind}
          onChange={(e) => setDraft({ ...draft, kind: e.target.value as TransportDraft['kind'] })}
          data-testid="transport-kind"
        >
          <option value="file">Files only (USB stick, e-mail)</option>
          <option value="folder">Shared folder</option>
          <option value="s3">S3-compatible storage</option>
        </select>
      </label>
      {draft.kind === 'folder' && field('root', 'Folder path')}
      {draft.kind === 's3' && (
        <>
          {field('endpoint', 'Endpoint URL (empty: AWS)')}
          {field('region', 'Region')}
          {field('bucket', 'Bucket')}
          {field('prefix', 'Prefix')}
          {field('accessKeyId', 'Access key id')}
          {field('secretAccessKey', 'Secret access key', 'password')}
          <label className="exchange-check">
            <input
              type="checkbox"
              checked={draft.forcePathStyle}
              onChange={(e) => setDraft({ ...draft, forcePathStyle: e.target.checked })}
            />
            Path-style addressing (MinIO, Ceph)
          </label>
        </>
      )}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="transport-save">
          Save transport
        </button>
      </div>
    </form>
  );
}
