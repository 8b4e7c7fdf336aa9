import { useState, useSyncExternalStore } from 'react';

const KEY = 'tessera.map.tileServerUrl';
const listeners = new Set<() => void>();

function read(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

function write(value: string): void {
  if (value) localStorage.setItem(KEY, value);
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/**
 * The optional tile server template (empty by default). While it is empty the map uses only the
 * bundled outlines and requests nothing; only a URL the user typed here is ever fetched.
 */
export function useTileServerUrl(): [string, (value: string) => void] {
  const value = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    read,
    () => '',
  );
  return [value, write];
}

export function MapSettings() {
  const [saved, save] = useTileServerUrl();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(saved);
  const valid = draft === '' || (/^https?:\/\//.test(draft) && /\{z\}.*\{x\}.*\{y\}/.test(draft));
  return (
    <div className="map-settings">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => {
          setDraft(saved);
          setOpen(!open);
        }}
        data-testid="map-settings-toggle"
      >
        Map settings
      </button>
      {open && (
        <form
          className="view-buttons map-settings-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!valid) return;
            save(draft.trim());
            setOpen(false);
          }}
        >
          <label htmlFor="map-tile-url">Tile server URL (optional)</label>
          <input
            id="map-tile-url"
            type="url"
            value={draft}
            placeholder="https://tiles.example.org/{z}/{x}/{y}.png"
            onChange={(event) => setDraft(event.target.value)}
            data-testid="map-tile-url"
          />
          <p className="map-muted">
            Leave empty to stay fully offline: the map then uses only the built-in country outlines
            and fetches nothing.
          </p>
          {!valid && (
            <p className="map-invalid">
              Use an http(s) URL with {'{z}'}, {'{x}'} and {'{y}'}.
            </p>
          )}
          <div className="map-settings-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!valid}>
              Save
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
