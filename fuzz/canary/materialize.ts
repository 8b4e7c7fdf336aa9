/**
 * Turns a generated plan (plan.ts) into a real case file in which EVERY text field holds a unique
 * canary (`CANARY-<salt>-<n>`), attachment bytes included, and every id is unique and of fixed
 * width (so no id or canary is a substring of another). The registry records where each canary
 * was put; `oracle.ts` reads the case file and the registry to decide which canaries must not
 * leave. Quotes and mentions copy a canary or an id of another record into free text: the copy is
 * not registered, so it is forbidden exactly when its origin is.
 */
import crypto from 'node:crypto';
import type { CaseFile } from '../../shared/caseFile.ts';
import { itemsOf } from '../../shared/model/recordKinds.ts';
import { CASE_FILE_FORMAT, CASE_FILE_VERSION, caseFileSchema } from '../../shared/caseFile.ts';
import { formatHlc } from '../../shared/model/hlc.ts';
import type { RecordMeta } from '../../shared/exchange/operations.ts';
import type { Markings } from '../../shared/model/markings.ts';
import type {
  AttachmentRecord,
  CaseRecord,
  ChartRecord,
  EntityRecord,
  NoteRecord,
  NoticeRecord,
  Provenance,
  RecordKind,
} from '../../shared/model/records.ts';
import type { CasePlan, ItemPlan } from './plan.ts';
import { EDGE_SHAPES, HOLDER_PROPERTY, NODE_PROPERTIES, OWN } from './plan.ts';

/** One canary and the field it was put in. */
export interface Canary {
  readonly token: string;
  readonly recordId: string;
  readonly kind: RecordKind;
  /** `title`, `properties.name`, `provenance.source`, `content` (attachment bytes)… */
  readonly field: string;
}

export interface Materialized {
  readonly salt: string;
  readonly file: CaseFile;
  readonly canaries: readonly Canary[];
}

export const CASE_NOW = Date.parse('2024-05-01T10:00:00Z');
/** Changes after the first bundle happen a day later. */
export const DELTA_NOW = CASE_NOW + 86_400_000;

/** Counters of the change after the first bundle start here (a case mints far fewer). */
const DELTA_COUNTER_START = 0x80000;

/** Properties that hold entity ids rather than canaries. */
export const REFERENCE_PROPERTIES: ReadonlySet<string> = new Set([
  ...Object.values(EDGE_SHAPES).flatMap((shape) => [shape.source, shape.target]),
  ...Object.values(HOLDER_PROPERTY),
]);

type Attachment = AttachmentRecord & { readonly contentBase64: string };

class Minter {
  readonly canaries: Canary[] = [];
  /** `start` keeps the counters of a later change apart from the first ones. */
  constructor(
    private readonly salt: string,
    private next = 0,
  ) {}

  private counter(): string {
    return (this.next++).toString(16).padStart(5, '0');
  }

  id(): string {
    return `id.${this.salt}.${this.counter()}`;
  }

  token(recordId: string, kind: RecordKind, field: string): string {
    const token = `CANARY-${this.salt}-${this.counter()}`;
    this.canaries.push({ token, recordId, kind, field });
    return token;
  }
}

function hlc(wallMs: number): string {
  return formatHlc({ wallMs, counter: 0, node: 'gen' });
}

function header(
  id: string,
  plan: ItemPlan,
  at: number,
): {
  id: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
  originAgency: string;
  markings: Markings;
} {
  return {
    id,
    createdAt: hlc(at),
    updatedAt: hlc(at),
    deleted: plan.deleted,
    originAgency: plan.origin,
    markings: plan.markings,
  };
}

/** `salt` (8 hex digits) makes every canary and id of the case unique across the cases of a run. */
export function materialize(plan: CasePlan, salt: string): Materialized {
  const mint = new Minter(salt);
  const caseId = mint.id();
  const nodeIds = plan.nodes.map(() => mint.id());
  const edgeIds = plan.edges.map(() => mint.id());
  const count = nodeIds.length;
  const nodeAt = (index: number): number => index % count;
  /** The first canary of each node: what quotes copy. */
  const firstToken: string[] = [];
  let clock = CASE_NOW;
  const tick = (): number => (clock += 1000);

  const provenance = (recordId: string, kind: RecordKind, origin: string): Provenance => ({
    source: `${mint.token(recordId, kind, 'provenance.source')} informant report`,
    originAgency: origin,
    recordedBy: mint.token(recordId, kind, 'provenance.recordedBy'),
    recordedAt: new Date(CASE_NOW).toISOString(),
  });
  const freeText = (
    own: string,
    mentions: readonly number[],
    quotes: readonly number[],
    self?: number,
  ): string => {
    // Deleted records are not quoted: their values are not withheld for what they say, and a
    // live note may well repeat what a record held before it was deleted.
    const quotable = (i: number): boolean => i !== self && !plan.nodes[i]!.deleted;
    const parts = [own];
    for (const m of mentions) if (quotable(nodeAt(m))) parts.push(`see ${nodeIds[nodeAt(m)]}`);
    for (const q of quotes) {
      if (quotable(nodeAt(q))) parts.push(`quoting “${firstToken[nodeAt(q)]}”`);
    }
    return parts.join('; ');
  };

  // Nodes: tokens first (quotes need every node's first token), then free text with quotes.
  const nodeProps = plan.nodes.map((node, i) => {
    const id = nodeIds[i]!;
    const names = NODE_PROPERTIES[node.schema];
    const props: Record<string, string[]> = {};
    for (const name of names) props[name] = [mint.token(id, 'entity', `properties.${name}`)];
    firstToken.push(props[names[0]!]![0]!);
    return props;
  });
  const entities: EntityRecord[] = plan.nodes.map((node, i) => {
    const id = nodeIds[i]!;
    const names = NODE_PROPERTIES[node.schema];
    const props = nodeProps[i]!;
    const textProperty = names[names.length - 1]!;
    props[textProperty] = [freeText(props[textProperty]![0]!, node.mentions, node.quotes, i)];
    const holderProperty = HOLDER_PROPERTY[node.schema];
    if (holderProperty && node.holder !== null && nodeAt(node.holder) !== i) {
      props[holderProperty] = [nodeIds[nodeAt(node.holder)]!];
    }
    const propertyMarkings = Object.fromEntries(
      Object.entries(node.propertyMarkings).filter(([name]) => name in props),
    );
    return {
      kind: 'entity',
      ...header(id, node, tick()),
      caseId,
      schema: node.schema,
      properties: props,
      provenance: provenance(id, 'entity', node.origin),
      grading: { source: 'B', information: '2' },
      ...(Object.keys(propertyMarkings).length > 0 ? { propertyMarkings } : {}),
    };
  });
  plan.edges.forEach((edge, i) => {
    const id = edgeIds[i]!;
    const shape = EDGE_SHAPES[edge.schema];
    const props: Record<string, string[]> = {
      [shape.source]: [nodeIds[nodeAt(edge.source)]!],
      [shape.target]: [nodeIds[nodeAt(edge.target)]!],
    };
    for (const name of shape.extra) props[name] = [mint.token(id, 'entity', `properties.${name}`)];
    const propertyMarkings = Object.fromEntries(
      Object.entries(edge.propertyMarkings).filter(([name]) => name in props),
    );
    entities.push({
      kind: 'entity',
      ...header(id, edge, tick()),
      caseId,
      schema: edge.schema,
      properties: props,
      provenance: provenance(id, 'entity', edge.origin),
      grading: { source: 'C', information: '3' },
      ...(Object.keys(propertyMarkings).length > 0 ? { propertyMarkings } : {}),
    });
  });

  const about = (index: number | null): string | undefined =>
    index === null ? undefined : nodeIds[nodeAt(index)];
  const notes: NoteRecord[] = plan.notes.map((note) => {
    const id = mint.id();
    return {
      kind: 'note',
      ...header(id, note, tick()),
      caseId,
      ...(note.about === null ? {} : { entityId: about(note.about)! }),
      title: mint.token(id, 'note', 'title'),
      body: freeText(mint.token(id, 'note', 'body'), note.mentions, note.quotes),
      author: mint.token(id, 'note', 'author'),
    };
  });
  const attachments: Attachment[] = plan.attachments.map((file) => {
    const id = mint.id();
    const bytes = Buffer.from(`file content ${mint.token(id, 'attachment', 'content')}\n`);
    const record: AttachmentRecord = {
      kind: 'attachment',
      ...header(id, file, tick()),
      caseId,
      ...(file.about === null ? {} : { entityId: about(file.about)! }),
      fileName: `${mint.token(id, 'attachment', 'fileName')}.txt`,
      mediaType: 'text/plain',
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      description: freeText(
        mint.token(id, 'attachment', 'description'),
        file.mentions,
        file.quotes,
      ),
      provenance: provenance(id, 'attachment', file.origin),
    };
    return { ...record, contentBase64: bytes.toString('base64') };
  });
  const notices: NoticeRecord[] = plan.notices.map((notice) => {
    const id = mint.id();
    return {
      kind: 'notice',
      ...header(id, notice, tick()),
      caseId,
      noticeType: 'red',
      ...(notice.about === null ? {} : { subjectId: about(notice.about)! }),
      reference: mint.token(id, 'notice', 'reference'),
      issuingAgency: mint.token(id, 'notice', 'issuingAgency'),
      status: 'issued',
      summary: freeText(mint.token(id, 'notice', 'summary'), notice.mentions, notice.quotes),
    };
  });
  const charts: ChartRecord[] = plan.charts.map((chart) => {
    const id = mint.id();
    const nodes = Object.fromEntries(
      chart.nodes.map((n, i) => [nodeIds[nodeAt(n)]!, { x: i * 40, y: i * 25 }]),
    );
    return {
      kind: 'chart',
      ...header(id, chart, tick()),
      caseId,
      name: mint.token(id, 'chart', 'name'),
      nodes,
      layout: 'cose',
    };
  });
  const caseRecord: CaseRecord = {
    kind: 'case',
    ...header(caseId, { origin: OWN, markings: plan.markings, deleted: false }, CASE_NOW),
    reference: mint.token(caseId, 'case', 'reference'),
    title: mint.token(caseId, 'case', 'title'),
    status: 'open',
    leadInvestigator: mint.token(caseId, 'case', 'leadInvestigator'),
    crimeAreas: plan.wideCrimeAreas
      ? ['drug trafficking', 'money laundering']
      : ['drug trafficking'],
    jurisdictions: ['de', 'nl'],
    openedOn: '2024-04-01',
    description: freeText(mint.token(caseId, 'case', 'description'), [], plan.descriptionQuotes),
  };
  // Parsed as every case file at a boundary is: the generator's output is checked, and the
  // record types (readonly) become the case file's.
  const file = caseFileSchema.parse({
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: new Date(CASE_NOW).toISOString(),
    exportedBy: 'fuzz',
    case: caseRecord,
    entities,
    notes,
    attachments,
    notices,
    charts,
  } satisfies Record<keyof CaseFile, unknown>);
  return { salt, file, canaries: mint.canaries };
}

export interface DeltaChange {
  readonly file: CaseFile;
  /** Field clocks of every record, when the plan seals the delta with them. */
  readonly recordMeta?: Readonly<Record<string, RecordMeta>>;
  readonly canaries: readonly Canary[];
  /** The entity deleted after the first bundle (null when none was live). */
  readonly deletedId: string | null;
  /** The entity raised to TLP:RED, with a new canary in its first property. */
  readonly raisedId: string | null;
}

/**
 * The case a day later: one live entity deleted, another raised to TLP:RED with a changed value,
 * and perhaps a new note quoting that new value. Changed records get a later clock, so a delta
 * bundle carries them.
 */
export function applyDelta(plan: CasePlan, before: Materialized): DeltaChange {
  const file = before.file;
  const live = file.entities.filter((e) => !e.deleted);
  if (live.length === 0)
    return { file, canaries: before.canaries, deletedId: null, raisedId: null };
  const mint = new Minter(before.salt, DELTA_COUNTER_START);
  const at = hlc(DELTA_NOW);
  const deleted = live[plan.delta.deleteIndex % live.length]!;
  const others = live.filter((e) => e.id !== deleted.id);
  const raised = others.length > 0 ? others[plan.delta.raiseIndex % others.length]! : null;
  const firstValue = raised
    ? Object.keys(raised.properties).find((name) => !REFERENCE_PROPERTIES.has(name))
    : undefined;
  const newToken =
    raised && firstValue !== undefined
      ? mint.token(raised.id, 'entity', `properties.${firstValue}`)
      : null;
  const entities = file.entities.map((entity): EntityRecord => {
    if (entity.id === deleted.id) return { ...entity, deleted: true, updatedAt: at };
    if (raised && entity.id === raised.id) {
      return {
        ...entity,
        properties:
          firstValue !== undefined && newToken !== null
            ? { ...entity.properties, [firstValue]: [newToken] }
            : entity.properties,
        markings: { ...entity.markings, tlp: 'RED' },
        updatedAt: at,
      };
    }
    return entity;
  });
  const notes = [...file.notes];
  if (plan.delta.newNote && newToken !== null) {
    const id = mint.id();
    notes.push({
      kind: 'note',
      id,
      createdAt: at,
      updatedAt: at,
      deleted: false,
      originAgency: OWN,
      markings: {
        classification: 'UNCLASSIFIED',
        tlp: 'GREEN',
        releasableTo: ['partner-one', 'partner-two'],
        referToOriginator: false,
      },
      caseId: file.case.id,
      title: mint.token(id, 'note', 'title'),
      body: `${mint.token(id, 'note', 'body')}; quoting “${newToken}”`,
      author: mint.token(id, 'note', 'author'),
    });
  }
  const recordMeta: Record<string, RecordMeta> = {};
  if (plan.delta.withMeta) {
    for (const record of [file.case, ...itemsOf({ ...file, entities, notes })]) {
      const clocks: Record<string, string> = {};
      if (record.id === deleted.id) clocks.deleted = at;
      if (raised && record.id === raised.id) {
        clocks.markings = at;
        if (firstValue !== undefined) clocks[`properties.${firstValue}`] = at;
      }
      const relationship = record.kind === 'entity' && record.schema in EDGE_SHAPES;
      recordMeta[record.id] = {
        base: record.createdAt,
        clocks,
        ...(relationship ? { adds: [record.createdAt] } : {}),
        ...(relationship && record.id === deleted.id ? { removes: [record.createdAt] } : {}),
      };
    }
  }
  return {
    ...(plan.delta.withMeta ? { recordMeta } : {}),
    file: caseFileSchema.parse({ ...file, entities, notes }),
    canaries: [...before.canaries, ...mint.canaries],
    deletedId: deleted.id,
    raisedId: raised?.id ?? null,
  };
}
