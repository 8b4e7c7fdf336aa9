import type { ReleasePreview } from '../../shared/contract/exchange.ts';
import { previewRows } from './exchangeModel.ts';
import type { PreviewRow } from './exchangeModel.ts';
import { TableHead } from '../core/TableHead.tsx';

/** The rule behind a row: its code, with the rule's title on hover. */
function Rule({ row }: { readonly row: PreviewRow }) {
  return (
    <td className="exchange-rule" title={row.ruleTitle}>
      {row.rule || '—'}
    </td>
  );
}

/**
 * What of one partner's preview stays home: every withheld record and every field left out of a
 * record that goes, one row per reason, each with the release rule (policy.ts) behind it.
 */
export function ReleasePreviewTables({ preview }: { readonly preview: ReleasePreview }) {
  const { withheld, fields } = previewRows(preview);
  return (
    <>
      {withheld.length > 0 && (
        <table className="exchange-table" data-testid={`withheld-${preview.partnerId}`}>
          <caption>Withheld records ({preview.withheld.length})</caption>
          <TableHead columns={['Record', 'Rule', 'Why']} />
          <tbody>
            {withheld.map((row, i) => (
              <tr
                key={row.key}
                data-testid={
                  withheld[i - 1]?.recordId === row.recordId
                    ? undefined
                    : `withheld-item-${row.recordId}`
                }
              >
                <td>{row.caption}</td>
                <Rule row={row} />
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {fields.length > 0 && (
        <table className="exchange-table" data-testid={`stripped-${preview.partnerId}`}>
          <caption>Fields left out ({preview.stripped.length})</caption>
          <TableHead columns={['Record', 'Field', 'Rule', 'Why']} />
          <tbody>
            {fields.map((row) => (
              <tr key={row.key} data-testid={`stripped-field-${row.recordId}-${row.field ?? ''}`}>
                <td>{row.caption}</td>
                <td>{row.field}</td>
                <Rule row={row} />
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
