import { useState } from 'react';
import { useAppServices } from '../core/context.ts';
import { DEMO_CASE_KEY } from '../core/storageKeys.ts';
import { useCases } from '../db/queries.ts';
import { filterCases } from './caseListModel.ts';
import type { CaseListFilter } from './caseListModel.ts';
import { CaseForm } from './CaseForm.tsx';
import type { CaseRecord } from '../../shared/model/index.ts';
import { EXPORT_CHOICES } from './caseTransfer.ts';
import type { ImportOutcome, TransferKind } from './caseTransfer.ts';
import { ImportReport } from './ImportReport.tsx';
import { exportCaseFile, importCaseFiles } from './caseFiles.ts';
import './case.css';
import { errorMessage } from '../../shared/base/errors.ts';

export function CaseList({ onOpen }: { onOpen: (caseId: string) => void }) {
  const { repository, storage, settings, notify } = useAppServices();
  const cases = useCases();
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState<CaseListFilter>('active');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<CaseRecord | null>(null);
  const [report, setReport] = useState<(ImportOutcome & { fileName: string }) | null>(null);
  const demoCaseId = localStorage.getItem(DEMO_CASE_KEY);
  const demoPresent =
    demoCaseId !== null && cases?.some((item) => item.id === demoCaseId && !item.deleted);

  const startEmpty = async () => {
    if (!demoCaseId) return;
    try {
      await repository.purgeCase(demoCaseId);
      localStorage.removeItem(DEMO_CASE_KEY);
      notify('Demo case removed. Tessera is empty.');
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const setStatus = async (item: CaseRecord, status: CaseRecord['status']) => {
    try {
      await repository.updateCase(item.id, { status });
    } catch (error) {
      notify(errorMessage(error), 'error');
    }
  };

  const importFiles = (files: FileList | null) =>
    importCaseFiles(Array.from(files ?? []), {
      repository,
      clock: storage.clock,
      agencyId: settings.agencyId,
      userName: settings.userName,
      notify,
      onReport: setReport,
    });

  const exportCase = (item: CaseRecord, kind: TransferKind) =>
    exportCaseFile(repository, item.id, kind, notify);

  const visible = cases ? filterCases(cases, search, filter) : [];
  return (
    <section className="case-list" data-testid="case-list">
      {demoPresent && (
        <div className="case-demo-banner" data-testid="demo-banner">
          <span>
            This is a <strong>demo case</strong>: a fully synthetic trafficking investigation to
            explore.
          </span>
          <button type="button" onClick={() => void startEmpty()} data-testid="start-empty">
            Start empty
          </button>
        </div>
      )}
      <div className="case-list-toolbar">
        <h1>Cases</h1>
        <input
          type="search"
          placeholder="Search cases…"
          aria-label="Search cases"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          data-testid="case-search"
        />
        <select
          aria-label="Show"
          value={filter}
          onChange={(event) => setFilter(event.target.value as CaseListFilter)}
        >
          <option value="active">Active</option>
          <option value="archived">Archived</option>
          <option value="all">All</option>
        </select>
        <label
          className="case-import"
          title="A Tessera case file, FollowTheMoney JSON lines (Aleph, OpenSanctions), GraphML, GEXF or Cytoscape JSON"
        >
          <span>Import…</span>
          <input
            type="file"
            accept=".json,.jsonl,.ndjson,.graphml,.gexf,.cyjs,.xml,application/json"
            multiple
            aria-label="Import a case file"
            data-testid="case-import-input"
            onChange={(event) => {
              void importFiles(event.target.files);
              event.target.value = '';
            }}
          />
        </label>
        <button
          type="button"
          className="primary"
          onClick={() => setCreating(true)}
          data-testid="new-case"
        >
          New case
        </button>
      </div>
      {report && (
        <ImportReport
          fileName={report.fileName}
          entities={report.entities}
          issues={report.issues}
          onClose={() => setReport(null)}
        />
      )}
      {cases === undefined ? (
        <p className="muted">Loading cases…</p>
      ) : visible.length === 0 ? (
        <p className="case-list-empty muted">
          {cases.length === 0 ? 'No cases yet. Create one to start.' : 'No case matches.'}
        </p>
      ) : (
        <table className="case-table">
          <thead>
            <tr>
              <th>Reference</th>
              <th>Title</th>
              <th>Status</th>
              <th>Lead</th>
              <th>Jurisdictions</th>
              <th>Opened</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {visible.map((item) => (
              <tr
                key={item.id}
                data-testid={`case-row-${item.id}`}
                onDoubleClick={() => onOpen(item.id)}
              >
                <td className="mono">{item.reference}</td>
                <td>
                  <button type="button" className="case-open-link" onClick={() => onOpen(item.id)}>
                    {item.title}
                  </button>
                </td>
                <td>
                  <span className={`case-status case-status-${item.status}`}>{item.status}</span>
                </td>
                <td>{item.leadInvestigator}</td>
                <td>{item.jurisdictions.map((code) => code.toUpperCase()).join(', ')}</td>
                <td>{item.openedOn}</td>
                <td className="case-actions">
                  <button
                    type="button"
                    onClick={() => setRenaming(item)}
                    aria-label={`Edit ${item.title}`}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    onClick={() => void exportCase(item, 'tessera')}
                    title="Everything in the case, markings included, in plain text: anyone who has the file can read it"
                    data-testid={`case-export-${item.id}`}
                  >
                    Export
                  </button>
                  <button
                    type="button"
                    onClick={() => void exportCase(item, 'ftm')}
                    title="Entities as FollowTheMoney JSON lines, for Aleph and OpenSanctions, in plain text: anyone who has the file can read it"
                    data-testid={`case-export-ftm-${item.id}`}
                  >
                    FtM
                  </button>
                  <select
                    aria-label={`Export ${item.title} as`}
                    value=""
                    onChange={(event) => {
                      if (event.target.value)
                        void exportCase(item, event.target.value as TransferKind);
                    }}
                    data-testid={`case-export-as-${item.id}`}
                  >
                    <option value="">Export as…</option>
                    {EXPORT_CHOICES.filter((choice) => choice.kind !== 'tessera').map((choice) => (
                      <option key={choice.kind} value={choice.kind}>
                        {choice.label}
                      </option>
                    ))}
                  </select>
                  {item.status === 'archived' ? (
                    <button type="button" onClick={() => void setStatus(item, 'open')}>
                      Unarchive
                    </button>
                  ) : (
                    <button type="button" onClick={() => void setStatus(item, 'archived')}>
                      Archive
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && (
        <CaseForm
          onCancel={() => setCreating(false)}
          onSaved={(saved) => {
            setCreating(false);
            onOpen(saved.id);
          }}
        />
      )}
      {renaming && (
        <CaseForm
          existing={renaming}
          onCancel={() => setRenaming(null)}
          onSaved={() => setRenaming(null)}
        />
      )}
    </section>
  );
}
