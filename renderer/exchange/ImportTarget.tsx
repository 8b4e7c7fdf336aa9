/**
 * Which case an incoming bundle goes into, said before the review when the inbox is opened from
 * the top bar, outside any case (issue 12). A bundle belongs to one shared case, known by the id
 * both agencies hold: the records it carries name that case, and the review refuses anything that
 * belongs to another (exchangeApply.ts). So the target is not picked freely: it is the case of
 * that id when it is on this computer, and otherwise the case the bundle creates from the case
 * record it carries — as the in-case inbox does.
 */
import type { StagedBundle } from '../../shared/contract/exchange.ts';
import type { CaseRecord } from '../../shared/model/index.ts';
import { useCase } from '../db/queries.ts';

function incomingCase(staged: StagedBundle): CaseRecord | undefined {
  for (const op of staged.operations) {
    if (op.op === 'create' && op.record.kind === 'case') return op.record;
  }
  return undefined;
}

export function ImportTarget({ staged }: { readonly staged: StagedBundle }) {
  const here = useCase(staged.caseId);
  const incoming = incomingCase(staged);
  if (here && !here.deleted) {
    return (
      <p className="exchange-target" data-testid="import-target" data-target="existing">
        Into the case <strong className="mono">{here.reference}</strong> · {here.title}, already on
        this computer.
      </p>
    );
  }
  return (
    <p className="exchange-target" data-testid="import-target" data-target="new">
      {incoming ? (
        <>
          Creates the case <strong className="mono">{incoming.reference}</strong> · {incoming.title}
          , shared by {staged.sender.agencyName}: accept the case record below to create it.
        </>
      ) : (
        <>
          The case of this bundle is not on this computer and the bundle does not carry it: its
          changes wait until the case arrives.
        </>
      )}
    </p>
  );
}
