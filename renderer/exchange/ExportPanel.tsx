import { useState } from 'react';
import type { CaseRecords } from '../../shared/caseFile.ts';
import type { PartnerView, ReleasePreview, SealedBundle } from '../../shared/contract/exchange.ts';
import { useAppServices } from '../core/context.ts';
import { markSynced, recordMetaForCase, setMarkingsBulk } from '../db/exchangeApply.ts';
import { downloadToBlob, type TransferProgress } from '../platform/serviceClient.ts';
import { downloadBlob } from '../core/files.ts';
import { useExchangeDeps } from './exchangeDeps.ts';
import { TransferProgressLine, withUploadedAttachments } from './transferFiles.tsx';
import { ReleasePreviewTables } from './ReleasePreviewTables.tsx';
import { useBusyRun } from '../core/useBusyRun.ts';
import { FirstExportNote, FirstExportOffer, isFirstExport } from './FirstExportOffer.tsx';
import { samePreview } from './exchangeModel.ts';

export interface ExportPanelProps {
  readonly caseId: string;
  readonly partners: readonly PartnerView[];
  readonly onChanged: () => void;
}

/**
 * Share this case: choose partners, preview what goes and what stays (every withheld record and
 * every field left out, with the release rule behind it), seal.
 */
export function ExportPanel({ caseId, partners, onChanged }: ExportPanelProps) {
  const { services, repository, notify } = useAppServices();
  const deps = useExchangeDeps();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [previews, setPreviews] = useState<readonly ReleasePreview[] | null>(null);
  // The records the shown preview was computed from (the first export's offer reads them).
  const [previewed, setPreviewed] = useState<CaseRecords | null>(null);
  // Set when sealing found the case changed since the preview: the new preview is shown instead.
  const [stale, setStale] = useState(false);
  const [sealed, setSealed] = useState<readonly SealedBundle[] | null>(null);
  const [delivery, setDelivery] = useState<'transport' | 'file'>('transport');
  const { busy, error, run } = useBusyRun();
  const [transfer, setTransfer] = useState<{
    label: string;
    progress: TransferProgress;
  } | null>(null);
  const eligible = partners.filter((p) => p.state === 'trusted');
  const first = isFirstExport(partners, caseId);
  const allHaveTransport = [...chosen].every(
    (id) => partners.find((p) => p.agencyId === id)?.transport,
  );

  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
    setPreviews(null);
    setSealed(null);
  };

  const previewOf = async (caseFile: CaseRecords) =>
    (await services['exchange.export.preview']({ partnerIds: [...chosen], caseFile })).partners;

  const showPreview = async () => {
    const caseFile = await repository.exportCaseRecords(caseId);
    setPreviews(await previewOf(caseFile));
    setPreviewed(caseFile);
    setSealed(null);
    setStale(false);
  };
  const preview = () => run(showPreview);

  // The first export's offer: one bulk marking (one undo step), then the preview again.
  const markReleasable = (partnerId: string, recordIds: readonly string[]) =>
    run(async () => {
      const result = await setMarkingsBulk(deps, recordIds, {
        releasableTo: { mode: 'add', partners: [partnerId] },
      });
      notify(
        `Marked ${result.updated.length} record${result.updated.length === 1 ? '' : 's'} releasable to ${partnerId}`,
      );
      await showPreview();
    });

  const seal = () =>
    run(async () => {
      // Records only: each attachment's content is read from its blob and uploaded in pieces, so
      // no attachment is ever held whole as base64 in the page.
      const caseFile = await repository.exportCaseRecords(caseId);
      // The bundle must hold what the officer saw: if the case changed since the preview (an
      // edit, a marking, an import in another window), show the new preview and seal nothing.
      const current = await previewOf(caseFile);
      if (!previews || !samePreview(previews, current)) {
        setPreviews(current);
        setPreviewed(caseFile);
        setStale(true);
        return;
      }
      const recordMeta = await recordMetaForCase(deps.db, caseId);
      const mode = delivery === 'transport' && allHaveTransport ? 'transport' : 'file';
      // Attachments go up in pieces first; the seal message carries only their references.
      const uploaded = await withUploadedAttachments(
        services,
        caseFile,
        (id) => repository.getAttachmentContent(id),
        (progress) => setTransfer({ label: 'Preparing attachments', progress }),
      ).finally(() => setTransfer(null));
      const { bundles } = await services['exchange.export.seal']({
        partnerIds: [...chosen],
        caseFile: uploaded.caseFile,
        delivery: mode,
        recordMeta,
      }).finally(() => uploaded.release());
      const hlc = deps.clock.now();
      for (const bundle of bundles) await markSynced(deps.db, caseId, bundle.partnerId, hlc);
      setSealed(bundles);
      notify(`${bundles.length} bundle${bundles.length === 1 ? '' : 's'} sealed`);
      onChanged();
    });

  const download = (bundle: SealedBundle) =>
    run(async () => {
      if (!bundle.exportRef) return;
      const file = await downloadToBlob(services, bundle.exportRef, (progress) =>
        setTransfer({ label: 'Downloading', progress }),
      ).finally(() => setTransfer(null));
      downloadBlob(file.blob, file.fileName);
    });

  const ready = previews !== null && previews.every((p) => p.ready);
  return (
    <section className="exchange-section" aria-label="Share this case" data-testid="export-panel">
      <h3>Share this case</h3>
      {first && <FirstExportNote />}
      {eligible.length === 0 && (
        <p className="muted">No trusted partner yet: import a card and confirm its fingerprint.</p>
      )}
      <div className="exchange-actions">
        {eligible.map((partner) => (
          <label key={partner.agencyId} className="exchange-check">
            <input
              type="checkbox"
              checked={chosen.has(partner.agencyId)}
              onChange={(e) => toggle(partner.agencyId, e.target.checked)}
              data-testid={`export-partner-${partner.agencyId}`}
            />
            {partner.agencyName}
          </label>
        ))}
        <button
          type="button"
          disabled={busy || chosen.size === 0}
          onClick={() => void preview()}
          data-testid="export-preview"
        >
          Preview
        </button>
      </div>
      {transfer && <TransferProgressLine label={transfer.label} progress={transfer.progress} />}
      {error && (
        <p className="exchange-error" role="alert">
          {error}
        </p>
      )}
      {previews?.map((p) => (
        <div key={p.partnerId} className="exchange-preview" data-testid={`preview-${p.partnerId}`}>
          <h4>
            To {p.partnerName}:{' '}
            <span data-testid={`preview-total-${p.partnerId}`}>{releasedSummary(p)}</span>
            <span className="muted">
              {' '}
              · {p.fullSnapshot ? 'full snapshot' : `${p.operations} changes`} · bundle #
              {p.nextSequence}
            </span>
          </h4>
          {p.problems.map((problem) => (
            <p key={problem} className="exchange-error">
              {problem}
            </p>
          ))}
          {first && previewed && (
            <PartnerOffer
              partner={partners.find((partner) => partner.agencyId === p.partnerId)}
              records={previewed}
              ownAgencyId={deps.actor().agencyId}
              busy={busy}
              onMark={(ids) => void markReleasable(p.partnerId, ids)}
            />
          )}
          <ReleasePreviewTables preview={p} />
        </div>
      ))}
      {stale && (
        <p className="exchange-warning" role="alert" data-testid="export-stale">
          The case changed since the preview: nothing was sealed. Check the preview above, then seal
          again.
        </p>
      )}
      {previews && (
        <p className="muted" data-testid="export-plaintext-note">
          Bundles are encrypted to each partner; the only files Tessera writes in plain text are
          those you export yourself from the case list.
        </p>
      )}
      {previews && (
        <div className="exchange-actions">
          <label className="exchange-check">
            <input
              type="radio"
              name="delivery"
              checked={delivery === 'transport'}
              disabled={!allHaveTransport}
              onChange={() => setDelivery('transport')}
            />
            Send by transport
          </label>
          <label className="exchange-check">
            <input
              type="radio"
              name="delivery"
              checked={delivery === 'file' || !allHaveTransport}
              onChange={() => setDelivery('file')}
              data-testid="delivery-file"
            />
            Save as a file
          </label>
          <button
            type="button"
            className="primary"
            disabled={busy || !ready}
            onClick={() => void seal()}
            data-testid="export-seal"
          >
            Seal and send
          </button>
        </div>
      )}
      {sealed?.map((bundle) => (
        <p key={bundle.bundleId} className="exchange-ok" data-testid={`sealed-${bundle.partnerId}`}>
          Bundle #{bundle.sequence} for {bundle.partnerId}:{' '}
          <span data-testid={`sealed-total-${bundle.partnerId}`}>
            {bundle.released} record{bundle.released === 1 ? '' : 's'} released
          </span>
          , {bundle.withheld} withheld,{' '}
          {bundle.delivery === 'transport' ? 'queued in the outbox' : `saved as ${bundle.fileName}`}
          {bundle.exportRef && (
            <button
              type="button"
              onClick={() => void download(bundle)}
              data-testid={`download-${bundle.partnerId}`}
            >
              Download
            </button>
          )}
        </p>
      ))}
    </section>
  );
}

/** "the case and 3 records (2 entities and relationships, 1 note)": the same total a seal reports. */
function releasedSummary(p: ReleasePreview): string {
  const total = p.releasedIds.length;
  if (!p.released.case) return 'nothing';
  const parts = [
    [p.released.entities, 'entities and relationships'],
    [p.released.notes, 'notes'],
    [p.released.attachments, 'attachments'],
    [p.released.notices, 'notices'],
    [p.released.charts, 'charts'],
  ] as const;
  const listed = parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  return `${total} record${total === 1 ? '' : 's'} released (the case${listed.length ? `, ${listed.join(', ')}` : ''})`;
}

function PartnerOffer({
  partner,
  ...rest
}: Omit<Parameters<typeof FirstExportOffer>[0], 'partner'> & {
  readonly partner: PartnerView | undefined;
}) {
  return partner ? <FirstExportOffer partner={partner} {...rest} /> : null;
}
