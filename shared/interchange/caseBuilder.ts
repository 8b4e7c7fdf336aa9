/**
 * The new case an interchange import produces. Every import makes a NEW case with fresh record
 * ids: ids from the file are kept only as `external.id` (issue 11 — an FtM import whose ids were
 * stored in another case moved that case's entities). The result is parsed with the case-file
 * schema, so what leaves here is a file the repository's all-or-nothing importCase takes.
 */
import { CASE_FILE_FORMAT, CASE_FILE_VERSION, caseFileSchema } from '../caseFile.ts';
import type { CaseFile } from '../caseFile.ts';
import { DEFAULT_MARKINGS, HybridLogicalClock, newId, UNGRADED } from '../model/index.ts';
import type {
  ChartNodeView,
  ChartRecord,
  EntityProperties,
  EntityRecord,
  ExternalEntityData,
} from '../model/index.ts';
import { InterchangeError } from './importError.ts';
import type { ImportOptions, InterchangeFormatId } from './types.ts';

export interface ImportedCase {
  readonly caseId: string;
  /** A fresh record id, for importers that must know ids before adding (references). */
  newRecordId(): string;
  /**
   * Adds an entity (its references already rewritten to record ids) under `id` or a fresh id;
   * returns its record id.
   */
  addEntity(
    schema: string,
    properties: EntityProperties,
    external: Omit<ExternalEntityData, 'format'>,
    id?: string,
  ): string;
  /** Adds a chart placing the given record ids. */
  addChart(name: string, nodes: Readonly<Record<string, ChartNodeView>>): void;
  /** The case file; throws InterchangeError('invalid-case') when a record breaks its schema. */
  finish(): CaseFile;
}

function clockNode(agencyId: string): string {
  const node = agencyId.replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 50);
  return `${node || 'import'}.import`;
}

export function newImportedCase(format: InterchangeFormatId, options: ImportOptions): ImportedCase {
  const nowMs = Date.parse(options.now);
  const recordedAt = Number.isFinite(nowMs) ? new Date(nowMs).toISOString() : options.now;
  const clock = new HybridLogicalClock(clockNode(options.agencyId), () =>
    Number.isFinite(nowMs) ? nowMs : Date.now(),
  );
  const caseId = newId();
  const base = () => {
    const hlc = clock.now();
    return {
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: options.agencyId,
      markings: DEFAULT_MARKINGS,
    };
  };
  const caseRecord = {
    ...base(),
    kind: 'case' as const,
    id: caseId,
    reference: `IMPORT/${recordedAt.slice(0, 10)}/${options.caseTitle.replace(/^Imported:\s*/, '').slice(0, 40)}`,
    title: options.caseTitle.slice(0, 1024),
    status: 'open' as const,
    leadInvestigator: options.userName,
    crimeAreas: [],
    jurisdictions: [],
    openedOn: recordedAt.slice(0, 10),
  };
  const entities: EntityRecord[] = [];
  const charts: ChartRecord[] = [];
  const provenance = {
    source: `${format} import: ${options.caseTitle}`.slice(0, 1024),
    originAgency: options.agencyId,
    recordedBy: options.userName,
    recordedAt,
  };
  return {
    caseId,
    newRecordId: newId,
    addEntity(schema, properties, external, id = newId()) {
      entities.push({
        ...base(),
        kind: 'entity',
        id,
        caseId,
        schema,
        properties,
        provenance,
        grading: UNGRADED,
        external: { ...external, format },
      });
      return id;
    },
    addChart(name, nodes) {
      charts.push({ ...base(), kind: 'chart', id: newId(), caseId, name, nodes, layout: 'manual' });
    },
    finish() {
      const parsed = caseFileSchema.safeParse({
        format: CASE_FILE_FORMAT,
        version: CASE_FILE_VERSION,
        exportedAt: recordedAt,
        exportedBy: options.agencyId,
        case: caseRecord,
        entities,
        notes: [],
        attachments: [],
        notices: [],
        charts,
      });
      if (!parsed.success) {
        const problems = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
        throw new InterchangeError(
          'invalid-case',
          `not imported, nothing was changed: ${problems.join('; ')}`,
        );
      }
      return parsed.data;
    },
  };
}

/**
 * The ids an export writes: each record's external id where it has one and no other record
 * claims it, else the record id. Unresolved stand-ins keep their external id (they are not
 * written, but references to them are).
 */
export function exportIds(entities: readonly EntityRecord[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set(entities.map((entity) => entity.id));
  for (const entity of entities) {
    const external = entity.external?.id;
    if (external && !taken.has(external)) {
      ids.set(entity.id, external);
      taken.add(external);
    } else {
      ids.set(entity.id, entity.id);
    }
  }
  return ids;
}
