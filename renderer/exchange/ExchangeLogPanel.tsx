import { useState } from 'react';
import type { LogEntryView } from '../../shared/contract/exchange.ts';
import { useAppServices } from '../core/context.ts';
import { errorMessage } from '../../shared/base/errors.ts';

function summary(entry: LogEntryView): string {
  const d = entry.data;
  const parts = [
    'partner',
    'partnerId',
    'caseId',
    'bundleId',
    'sequence',
    'status',
    'released',
    'withheld',
  ]
    .filter((key) => d[key] !== undefined && typeof d[key] !== 'object')
    .map((key) => `${key} ${String(d[key])}`);
  return parts.join(' · ');
}

/** The append-only exchange log, newest first, with "Verify log". */
export function ExchangeLogPanel() {
  const { services } = useAppServices();
  const [entries, setEntries] = useState<readonly LogEntryView[] | null>(null);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      setEntries((await services['exchange.log.list']({ limit: 100 })).entries);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const verify = async () => {
    try {
      const result = await services['exchange.log.verify']({});
      setVerdict({
        ok: result.ok,
        text: result.ok
          ? `Log intact: ${result.entries} entries, ${result.signatures} signatures checked`
          : `Log damaged: ${result.problems.join('; ')}`,
      });
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <section className="exchange-section" aria-label="Exchange log" data-testid="exchange-log">
      <h3>Exchange log</h3>
      <div className="exchange-actions">
        <button type="button" onClick={() => void load()} data-testid="log-show">
          {entries ? 'Refresh' : 'Show log'}
        </button>
        <button type="button" onClick={() => void verify()} data-testid="log-verify">
          Verify log
        </button>
      </div>
      {verdict && (
        <p
          className={verdict.ok ? 'exchange-ok' : 'exchange-error'}
          data-testid="log-verdict"
          role="status"
        >
          {verdict.text}
        </p>
      )}
      {error && <p className="exchange-error">{error}</p>}
      {entries && (
        <table className="exchange-table">
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq}>
                <td className="mono">{entry.seq}</td>
                <td>{new Date(entry.at).toLocaleString()}</td>
                <td>{entry.type}</td>
                <td className="muted">{summary(entry)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
