import { useMemo, useState } from 'react';
import { isEdgeSchema } from '../../shared/model/index.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import { useAppServices } from '../core/context.ts';
import type { CommandTab, WorkspaceActions } from '../core/commands.ts';
import { useWorkspaceCommands } from '../core/workspaceCommands.ts';
import { Dialog } from '../core/Dialog.tsx';
import { AttachmentsPanel } from '../attachments/index.ts';
import { addEntityToChart, ChartPanel, usePrepareCharts } from '../chart/index.ts';
import type { Point } from '../chart/index.ts';
import { useCase, useCaseEntities, useEntities } from '../db/queries.ts';
import { EntityDetails, EntityEditor, EntityTable, RelationshipEditor } from '../entity/index.ts';
import { NotesPanel } from '../notes/index.ts';
import { NoticesPanel } from '../notices/index.ts';
import { MapPanel } from '../map/index.ts';
import { TimelinePanel, TimeRangeChip, useTimeFilter } from '../timeline/index.ts';
import type { TimeRange } from '../timeline/index.ts';
import { ExchangePanel } from '../exchange/index.ts';
import { DuplicatesPanel } from '../resolution/index.ts';
import { SearchPanel, useCaseSearchIndex } from '../search/index.ts';
import { ReportDialog } from '../report/index.ts';
import { ImportWizard } from '../import/index.ts';
import { exportCaseFile } from './caseFiles.ts';
import { LinkTargetDialog } from './LinkTargetDialog.tsx';
import { WORKSPACE_TABS } from './workspaceTabs.ts';
import type { WorkspaceTab } from './workspaceTabs.ts';
import './case.css';
import { errorMessage } from '../../shared/base/errors.ts';

type Editing =
  | { readonly kind: 'new-entity'; readonly placeOn?: { chartId: string; position: Point } }
  | { readonly kind: 'edit-entity'; readonly entityId: string }
  | { readonly kind: 'link-target'; readonly sourceId: string }
  | { readonly kind: 'new-link'; readonly sourceId: string; readonly targetId: string }
  | { readonly kind: 'edit-link'; readonly entityId: string };

interface CaseWorkspaceProps {
  readonly caseId: string;
  readonly onClose: () => void;
}

const TAB_KEY = 'tessera.workspaceTab';

export function CaseWorkspace({ caseId, onClose }: CaseWorkspaceProps) {
  const { repository, notify } = useAppServices();
  const record = useCase(caseId);
  const entities = useEntities(caseId);
  const [tab, setTab] = useState<WorkspaceTab>(
    () => (sessionStorage.getItem(TAB_KEY) as WorkspaceTab | null) ?? 'entities',
  );
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [editing, setEditing] = useState<Editing | null>(null);
  // The timeline's date filter, shared by the chart and the map.
  const [timeRange, setTimeRange] = useState<TimeRange | null>(null);
  const timeFilter = useTimeFilter(caseId, entities, timeRange);
  // Kept while the case is open, so the index is ready when the Search tab is shown.
  const searchIndex = useCaseSearchIndex(caseId);
  // The charts are read (and a huge one's painter started) while the case loads, so the chart
  // tab finds them ready.
  usePrepareCharts(caseId);
  const [searchFocus, setSearchFocus] = useState(0);
  // Raised by the Delete command: the details pane asks for confirmation as its button does.
  const [deleteRequest, setDeleteRequest] = useState(0);
  // Open with a chart when the chart's Export menu asked for a chart briefing.
  const [reporting, setReporting] = useState<false | { chartId?: string }>(false);
  const [importing, setImporting] = useState(false);

  const showTab = (next: WorkspaceTab) => {
    setTab(next);
    sessionStorage.setItem(TAB_KEY, next);
  };

  // This workspace's part of the command table (renderer/core/commands.ts): the menu, the keys
  // and the palette reach these through the shell's one CommandRunner.
  const actions = useMemo<WorkspaceActions>(
    () => ({
      selectedEntityId: selectedId,
      newEntity: () => setEditing({ kind: 'new-entity' }),
      showTab: (next: CommandTab) => {
        setTab(next);
        sessionStorage.setItem(TAB_KEY, next);
      },
      focusSearch: () => setSearchFocus((value) => value + 1),
      linkSelected: () => {
        if (selectedId) setEditing({ kind: 'link-target', sourceId: selectedId });
      },
      deleteSelected: () => {
        if (selectedId) setDeleteRequest((value) => value + 1);
      },
      exportCase: () => void exportCaseFile(repository, caseId, 'tessera', notify),
      makeReport: () => setReporting({}),
      importData: () => setImporting(true),
    }),
    [selectedId, repository, caseId, notify],
  );
  useWorkspaceCommands(actions);

  const selected = selectedId ? entities?.find((entity) => entity.id === selectedId) : undefined;

  const editEntity = (entityId: string) => {
    const entity = entities?.find((item) => item.id === entityId);
    if (!entity) return;
    setEditing(
      isEdgeSchema(entity.schema)
        ? { kind: 'edit-link', entityId }
        : { kind: 'edit-entity', entityId },
    );
  };

  const onEntitySaved = async (entity: EntityRecord) => {
    const placeOn = editing?.kind === 'new-entity' ? editing.placeOn : undefined;
    setEditing(null);
    setSelectedId(entity.id);
    if (placeOn) {
      try {
        await addEntityToChart(repository, placeOn.chartId, entity.id, placeOn.position);
      } catch (error) {
        notify(errorMessage(error), 'error');
      }
    }
  };

  if (record === undefined) return <p className="case-workspace-loading muted">Opening case…</p>;
  if (!record || record.deleted) {
    return (
      <div className="case-workspace-missing">
        <p>This case no longer exists.</p>
        <button type="button" onClick={onClose}>
          Back to the case list
        </button>
      </div>
    );
  }

  return (
    <div
      className="case-workspace"
      data-testid="case-workspace"
      data-entities={entities ? 'loaded' : 'loading'}
    >
      <nav className="case-tabs" aria-label="Case sections">
        {WORKSPACE_TABS.map((item) => (
          <button
            key={item.id}
            type="button"
            className={item.id === tab ? 'case-tab case-tab-active' : 'case-tab'}
            aria-current={item.id === tab ? 'page' : undefined}
            onClick={() => showTab(item.id)}
            title={item.shortcut ? `${item.label} (${item.shortcut})` : item.label}
            data-testid={`tab-${item.id}`}
          >
            {item.label}
          </button>
        ))}
        <span className="case-tabs-spacer" />
        <TimeRangeChip range={timeRange} onClear={() => setTimeRange(null)} />
        <button
          type="button"
          onClick={() => setReporting({})}
          data-testid="make-report"
          title="Write a report of this case (PDF, Word, Excel)"
        >
          Report…
        </button>
        <button
          type="button"
          onClick={() => setImporting(true)}
          data-testid="import-data"
          title="Import rows from a spreadsheet, call records or a bank statement"
        >
          Import data…
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => setEditing({ kind: 'new-entity' })}
          data-testid="new-entity"
          title="New entity (N)"
        >
          + Entity
        </button>
      </nav>
      <div className="case-body">
        <section className="case-main-pane">
          {tab === 'entities' && (
            <EntityTable caseId={caseId} onSelect={setSelectedId} selectedId={selectedId} />
          )}
          {tab === 'chart' && entities && (
            <ChartPanel
              caseId={caseId}
              entities={entities}
              selectedId={selectedId}
              onSelect={setSelectedId}
              visibleEntityIds={timeFilter}
              onRequestNewEntity={(position, chartId) =>
                setEditing({ kind: 'new-entity', placeOn: { chartId, position } })
              }
              onLinkRequest={(sourceId, targetId) =>
                setEditing({ kind: 'new-link', sourceId, targetId })
              }
              onReport={(chartId) => setReporting({ chartId })}
            />
          )}
          {tab === 'timeline' && entities && (
            <TimelinePanel
              caseId={caseId}
              entities={entities}
              selectedId={selectedId}
              onSelect={setSelectedId}
              range={timeRange}
              onRangeChange={setTimeRange}
            />
          )}
          {tab === 'map' && entities && (
            <MapPanel
              caseId={caseId}
              entities={entities}
              selectedId={selectedId}
              onSelect={setSelectedId}
              visibleEntityIds={timeFilter}
            />
          )}
          {tab === 'notes' && <NotesPanel caseId={caseId} />}
          {tab === 'attachments' && <AttachmentsPanel caseId={caseId} />}
          {tab === 'notices' && <NoticesPanel caseId={caseId} onSelectEntity={setSelectedId} />}
          {tab === 'exchange' && <ExchangePanel caseId={caseId} />}
          {tab === 'search' && (
            <SearchPanel
              caseId={caseId}
              index={searchIndex}
              focusRequest={searchFocus}
              onSelectEntity={setSelectedId}
              onOpenNote={() => showTab('notes')}
              onOpenAttachment={() => showTab('attachments')}
            />
          )}
          {tab === 'duplicates' && (
            <DuplicatesPanel caseId={caseId} onSelectEntity={setSelectedId} />
          )}
        </section>
        <aside className="case-details-pane" aria-label="Details">
          {selected ? (
            <EntityDetails
              key={selected.id}
              caseId={caseId}
              entityId={selected.id}
              onSelect={setSelectedId}
              onEdit={editEntity}
              onDeleted={() => setSelectedId(undefined)}
              deleteRequest={deleteRequest}
            />
          ) : (
            <CaseSummary caseId={caseId} />
          )}
        </aside>
      </div>
      {importing && <ImportWizard caseId={caseId} onClose={() => setImporting(false)} />}
      {editing?.kind === 'new-entity' && (
        <Dialog title="New entity" onClose={() => setEditing(null)} wide>
          <EntityEditor
            caseId={caseId}
            onSaved={(entity) => void onEntitySaved(entity)}
            onCancel={() => setEditing(null)}
          />
        </Dialog>
      )}
      {editing?.kind === 'edit-entity' && (
        <Dialog title="Edit entity" onClose={() => setEditing(null)} wide>
          <EntityEditor
            caseId={caseId}
            entityId={editing.entityId}
            onSaved={(entity) => void onEntitySaved(entity)}
            onCancel={() => setEditing(null)}
          />
        </Dialog>
      )}
      {editing?.kind === 'link-target' && (
        <LinkTargetDialog
          sourceId={editing.sourceId}
          entities={entities ?? []}
          onChoose={(targetId) =>
            setEditing({ kind: 'new-link', sourceId: editing.sourceId, targetId })
          }
          onClose={() => setEditing(null)}
        />
      )}
      {editing?.kind === 'new-link' && (
        <Dialog title="New relationship" onClose={() => setEditing(null)} wide>
          <RelationshipEditor
            caseId={caseId}
            sourceId={editing.sourceId}
            targetId={editing.targetId}
            onSaved={(entity) => void onEntitySaved(entity)}
            onCancel={() => setEditing(null)}
          />
        </Dialog>
      )}
      {reporting && (
        <ReportDialog
          caseId={caseId}
          selectedEntityId={selectedId}
          {...(reporting.chartId
            ? { initialTemplate: 'chart' as const, initialChartId: reporting.chartId }
            : {})}
          onClose={() => setReporting(false)}
        />
      )}
      {editing?.kind === 'edit-link' && (
        <EditLinkDialog
          caseId={caseId}
          entityId={editing.entityId}
          entities={entities ?? []}
          onDone={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function EditLinkDialog({
  caseId,
  entityId,
  entities,
  onDone,
}: {
  caseId: string;
  entityId: string;
  entities: readonly EntityRecord[];
  readonly onDone: () => void;
}) {
  const link = entities.find((entity) => entity.id === entityId);
  if (!link) return null;
  return (
    <Dialog title="Edit relationship" onClose={onDone} wide>
      <RelationshipEditor
        caseId={caseId}
        sourceId=""
        targetId=""
        entityId={entityId}
        onSaved={onDone}
        onCancel={onDone}
      />
    </Dialog>
  );
}

function CaseSummary({ caseId }: { caseId: string }) {
  const record = useCase(caseId);
  // Its own subscription: the load's progress re-renders this summary, not the workspace.
  const store = useCaseEntities(caseId);
  if (!record) return null;
  return (
    <div className="case-summary" data-testid="case-summary">
      <h2>{record.title}</h2>
      <dl>
        <dt>Reference</dt>
        <dd className="mono">{record.reference}</dd>
        <dt>Status</dt>
        <dd>{record.status}</dd>
        <dt>Lead investigator</dt>
        <dd>{record.leadInvestigator}</dd>
        <dt>Crime areas</dt>
        <dd>{record.crimeAreas.join(', ') || '—'}</dd>
        <dt>Jurisdictions</dt>
        <dd>{record.jurisdictions.map((code) => code.toUpperCase()).join(', ') || '—'}</dd>
        <dt>Opened</dt>
        <dd>{record.openedOn}</dd>
        <dt>Records</dt>
        <dd data-testid="case-record-count">
          {store?.all
            ? `${store.all.length} entities and relationships`
            : `loading ${store?.loaded ?? 0} of ${store?.total || '…'}`}
        </dd>
      </dl>
      <p className="muted">Select an entity in the table or on the chart to see its details.</p>
    </div>
  );
}
