import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { AppInfo, Settings } from '../../shared/contract/index.ts';
import { useAppServices } from '../core/context.ts';
import { Dialog } from '../core/Dialog.tsx';
import type { StorageEstimate } from '../db/repository.types.ts';
import { formatBytes } from './formatBytes.ts';
import { LockSettings } from '../lock/LockSettings.tsx';
import { errorMessage } from '../../shared/base/errors.ts';

interface SettingsPanelProps {
  readonly onClose: () => void;
  readonly onChange: (patch: Partial<Settings>) => Promise<void>;
}

export function SettingsPanel({ onClose, onChange }: SettingsPanelProps) {
  const { settings, services, repository, notify } = useAppServices();
  const [draft, setDraft] = useState(settings);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [storage, setStorage] = useState<StorageEstimate | null>(null);

  useEffect(() => {
    services['app.info']({}).then(setInfo, () => setInfo(null));
    repository.estimateStorage().then(setStorage, () => setStorage(null));
  }, [services, repository]);

  const requestPersistence = async () => {
    const granted = await repository.requestPersistence();
    notify(
      granted ? 'Storage is now persistent.' : 'The browser did not grant persistent storage.',
      granted ? 'info' : 'error',
    );
    setStorage(await repository.estimateStorage());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await onChange({
        userName: draft.userName.trim(),
        agencyId: draft.agencyId.trim(),
        agencyName: draft.agencyName.trim(),
        theme: draft.theme,
        idleLockMinutes: draft.idleLockMinutes,
      });
      notify('Settings saved.');
      onClose();
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const usedShare = storage && storage.quota > 0 ? storage.usage / storage.quota : 0;
  return (
    <Dialog title="Settings" onClose={onClose}>
      <form
        className="settings-form"
        onSubmit={(event) => void submit(event)}
        data-testid="settings-panel"
      >
        <label className="form-field">
          <span>Your name (recorded in provenance and the audit trail)</span>
          <input
            value={draft.userName}
            onChange={(e) => setDraft({ ...draft, userName: e.target.value })}
          />
        </label>
        <label className="form-field">
          <span>Agency id</span>
          <input
            value={draft.agencyId}
            onChange={(e) => setDraft({ ...draft, agencyId: e.target.value })}
          />
        </label>
        <label className="form-field">
          <span>Agency name</span>
          <input
            value={draft.agencyName}
            onChange={(e) => setDraft({ ...draft, agencyName: e.target.value })}
          />
        </label>
        <label className="form-field">
          <span>Theme</span>
          <select
            value={draft.theme}
            onChange={(e) => setDraft({ ...draft, theme: e.target.value as Settings['theme'] })}
          >
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <LockSettings
          idleMinutes={draft.idleLockMinutes}
          onIdleMinutesChange={(minutes) => setDraft({ ...draft, idleLockMinutes: minutes })}
          context={[draft.agencyName, draft.agencyId]}
          notify={notify}
        />
        <fieldset className="settings-storage" data-testid="storage-usage">
          <legend>Storage</legend>
          {storage ? (
            <>
              <meter min={0} max={1} value={usedShare} aria-label="Storage used" />
              <p>
                {formatBytes(storage.usage)} used of {formatBytes(storage.quota)} available to
                Tessera
                {' · '}
                {storage.persisted
                  ? 'persistent (the browser will not evict it)'
                  : 'not yet persistent'}
              </p>
              {!storage.persisted && (
                <button type="button" onClick={() => void requestPersistence()}>
                  Ask for persistent storage
                </button>
              )}
            </>
          ) : (
            <p className="muted">Storage figures are not available here.</p>
          )}
        </fieldset>
        <fieldset className="settings-about" data-testid="about">
          <legend>About</legend>
          {info ? (
            <p>
              {info.name} {info.version} ·{' '}
              {info.carrier === 'electron' ? 'desktop app' : 'web host'} · {info.platform}
              <br />
              <span className="muted">Data folder: </span>
              <span className="mono">{info.dataDir}</span>
            </p>
          ) : (
            <p className="muted">…</p>
          )}
          <p className="muted">
            Tessera works offline and makes no outbound connection unless you configure a partner
            server.
          </p>
        </fieldset>
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
