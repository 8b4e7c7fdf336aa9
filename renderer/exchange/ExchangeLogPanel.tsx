import { useMemo, useState } from 'react';
import type { LogEntryView, PartnerView } from '../../shared/contract/exchange.ts';
import { useAppServices } from '../core/context.ts';
import { useCases } from '../db/queries.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { logCaseIds, logEntryText } from './logEntries.ts';

/** The append-only exchange log, newest first, with "Verify log". */
export function ExchangeLogPanel({ partners }: { readonly partners: readonly PartnerView[] }) {
  const { services } = useAppServices();
  const cases = useCases();
  const names = useMemo(() => {
    const references = new Map((cases ?? []).map((c) => [c.id, c.reference]));
    const partnerNames = new Map(partners.map((p) => [p.agencyId, p.agencyName]));
    return {
      caseReference: (id: string) => references.get(id),
      partnerName: (id: string) => partnerNames.get(id),
    };
  }, [cases, partners]);
  const [entries, setEntries] = useState<readonly LogEntryView[] | null>(null);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const caseOfBundle = useMemo(() => logCaseIds(entries ?? []), [entries]);

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
            {entries.map((entry) => {
              const { what, detail } = logEntryText(entry, names, caseOfBundle);
              return (
                <tr key={entry.seq} data-testid={`log-entry-${entry.seq}`}>
                  <td className="mono">{entry.seq}</td>
                  <td>{new Date(entry.at).toLocaleString()}</td>
                  <td>{what}</td>
                  <td className="muted">{detail}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
