/**
 * The "Report…" dialog: template, what it covers (the case, the selected entity, a chart),
 * audience (our own copy, or a partner under its sharing agreement, optionally the author's copy
 * that lists what was withheld), format and the audit appendix. The report is built in the report
 * worker (shared/report: release policy, second check, writers) and offered as a download.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { PartnerView } from '../../shared/contract/exchange.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { captionOf } from '../../shared/model/index.ts';
import type { ReportFormat, ReportTemplate } from '../../shared/report/types.ts';
import { REPORT_FORMATS, REPORT_TEMPLATES } from '../../shared/report/types.ts';
import { useAppServices } from '../core/context.ts';
import { Dialog } from '../core/Dialog.tsx';
import { downloadBlob } from '../core/files.ts';
import { useCharts, useEntity } from '../db/queries.ts';
import { WorkerCallError } from '../platform/workerRunner.ts';
import { makeReport } from './reportClient.ts';

interface ReportDialogProps {
  readonly caseId: string;
  /** The entity selected in the workspace: what a subject profile is about. */
  readonly selectedEntityId: string | undefined;
  /** Preselected template and chart, e.g. "Chart briefing" of the chart on screen. */
  readonly initialTemplate?: ReportTemplate;
  readonly initialChartId?: string;
  readonly onClose: () => void;
}

/** What a refusal means for the user, by the report engine's code. */
const REFUSALS: Readonly<Record<string, string>> = {
  'case-withheld':
    'The case itself may not go to this partner: mark it releasable to the partner and check that the agreement covers its crime areas.',
  mention:
    'The report would name something that stays home (the second check found it): nothing was written. Make the report for our own copy, or check the markings.',
  'no-subject': 'Select an entity the partner may see first: a subject profile is about it.',
  'no-chart': 'Choose a chart the partner may see.',
};

export function ReportDialog({
  caseId,
  selectedEntityId,
  initialTemplate = 'case',
  initialChartId = '',
  onClose,
}: ReportDialogProps) {
  const { repository, services, settings, notify } = useAppServices();
  const charts = useCharts(caseId)?.filter((c) => !c.deleted);
  const selected = useEntity(selectedEntityId);
  const [template, setTemplate] = useState<ReportTemplate>(initialTemplate);
  const [chartId, setChartId] = useState(initialChartId);
  const [audience, setAudience] = useState('own');
  const [authorCopy, setAuthorCopy] = useState(false);
  const [format, setFormat] = useState<ReportFormat>('pdf');
  const [audit, setAudit] = useState(false);
  const [partners, setPartners] = useState<readonly PartnerView[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    services['exchange.partners.list']({})
      .then((result) => {
        if (live) setPartners(result.partners.filter((p) => p.agreement !== null));
      })
      // Without the exchange (no identity yet) a report is for our own copy only.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [services]);

  const partner = partners.find((p) => p.agencyId === audience);
  const chosenChart = chartId || charts?.[0]?.id || '';
  const missing =
    template === 'subject' && !selected
      ? 'Select an entity in the table or on the chart first.'
      : template === 'chart' && !chosenChart
        ? 'This case has no chart yet.'
        : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (missing || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      const records = await repository.exportCaseRecords(caseId);
      const auditEntries = audit ? await repository.caseAudit(caseId) : [];
      const result = await makeReport({
        input: { ...records, audit: auditEntries },
        options: {
          template,
          author: settings.userName,
          ownAgencyId: settings.agencyId,
          now: new Date().toISOString(),
          ...(partner?.agreement
            ? {
                partner: {
                  partnerId: partner.agencyId,
                  partnerName: partner.agencyName,
                  agreement: partner.agreement,
                },
                authorCopy,
              }
            : {}),
          ...(template === 'subject' && selected ? { entityIds: [selected.id] } : {}),
          ...(template === 'chart' || template === 'case' ? chartOption(chosenChart) : {}),
          auditAppendix: audit,
        },
        format,
      });
      downloadBlob(
        new Blob([result.bytes as BlobPart], { type: result.mediaType }),
        result.fileName,
      );
      notify(`Report written: ${result.summary}`);
      onClose();
    } catch (error) {
      const reason = error instanceof WorkerCallError ? error.reason : undefined;
      setProblem((reason && REFUSALS[reason]) ?? errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Report" onClose={onClose}>
      <form className="report-form" onSubmit={(e) => void submit(e)} data-testid="report-dialog">
        <label className="form-field">
          <span>Template</span>
          <select
            value={template}
            onChange={(e) => setTemplate(e.target.value as ReportTemplate)}
            data-testid="report-template"
          >
            {Object.entries(REPORT_TEMPLATES).map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
          {template === 'subject' && (
            <small className="muted">
              About{' '}
              {selected ? captionOf(selected.schema, selected.properties) : 'the selected entity'}
            </small>
          )}
        </label>
        {(template === 'chart' || template === 'case') && (charts?.length ?? 0) > 0 && (
          <label className="form-field">
            <span>Chart</span>
            <select
              value={chosenChart}
              onChange={(e) => setChartId(e.target.value)}
              data-testid="report-chart"
            >
              {charts?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="form-field">
          <span>Audience</span>
          <select
            value={audience}
            onChange={(e) => setAudience(e.target.value)}
            data-testid="report-audience"
          >
            <option value="own">Own copy (everything in the case)</option>
            {partners.map((p) => (
              <option key={p.agencyId} value={p.agencyId}>
                For {p.agencyName} ({p.agencyId}), under its sharing agreement
              </option>
            ))}
          </select>
          {partner && (
            <small className="muted">
              The release policy decides what goes, as for an export; what it withholds is not in
              the report.
            </small>
          )}
        </label>
        {partner && (
          <label className="exchange-check">
            <input
              type="checkbox"
              checked={authorCopy}
              onChange={(e) => setAuthorCopy(e.target.checked)}
              data-testid="report-author-copy"
            />{' '}
            Author’s copy: also list what was withheld (never give it to the partner)
          </label>
        )}
        <label className="form-field">
          <span>Format</span>
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as ReportFormat)}
            data-testid="report-format"
          >
            {REPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f === 'pdf' ? 'PDF' : f === 'docx' ? 'Word (DOCX)' : 'Excel schedule (XLSX)'}
              </option>
            ))}
          </select>
        </label>
        <label className="exchange-check">
          <input
            type="checkbox"
            checked={audit}
            onChange={(e) => setAudit(e.target.checked)}
            data-testid="report-audit"
          />{' '}
          Audit appendix
        </label>
        {(missing ?? problem) && (
          <p className="error-text" role="alert" data-testid="report-problem">
            {missing ?? problem}
          </p>
        )}
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="primary"
            disabled={busy || missing !== null}
            data-testid="report-make"
          >
            {busy ? 'Writing…' : 'Write report'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function chartOption(chartId: string): { chartId?: string } {
  return chartId ? { chartId } : {};
}
