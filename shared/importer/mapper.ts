/**
 * The engine proper: rows of text in, record drafts out (types.ts `ImportBatch`).
 *
 * For each row, in this order:
 *   1. Include/exclude conditions: a row that fails them is counted as excluded.
 *   2. Every entity mapping whose `when` conditions hold, in an order where referenced entities
 *      come first: each property's values are read (column, joined columns, constant, or another
 *      entity of the row), empty values dropped, transforms applied. A failed transform, an empty
 *      required value, or a value the model refuses (shared/model validateEntity) is a RowProblem
 *      naming the row, column and value. An optional mapping with no values is simply absent.
 *   3. A row with any problem is rejected whole: none of its entities is made, the identity index
 *      is not touched. Every row ends as imported, excluded or rejected; none disappears.
 *   4. Identity rules: an entity matching one made earlier in this run or one already in the case
 *      (`options.existing`) is merged into it (values added), and the row's relationships point to
 *      that one. A merge into an entity from an earlier batch, or an existing one, puts its new
 *      version in this batch's `updated`; a merge into one made in this batch changes it in
 *      `created`.
 * Record ids are fresh ULIDs; `updatedAt` comes from a hybrid logical clock seeded with the
 * import's time. Provenance names the file, its SHA-256, the row and the specification.
 */
import type { EntityProperties, EntityRecord, Provenance } from '../model/index.ts';
import { HybridLogicalClock, newId, validateEntity } from '../model/index.ts';
import { ImportEngineError } from './errors.ts';
import { IdentityIndex } from './identity.ts';
import { EXTRA_PREFIX, mappingOrder } from './spec.ts';
import { applyTransforms, quoteValue } from './transforms.ts';
import type {
  EntityMapping,
  ImportBatch,
  ImportRunOptions,
  ImportSpec,
  ImportSummary,
  PropertyMapping,
  RowCondition,
  RowProblem,
} from './types.ts';

export interface RowMapper {
  /** When the spec/file has a header row. */
  setHeader(cells: readonly string[]): void;
  mapRows(rows: readonly (readonly string[])[], firstRowNumber: number): ImportBatch;
  summary(): ImportSummary;
}

export type RowProblemCode =
  | 'value.required'
  | 'value.invalid'
  | 'row.no-entity'
  | 'value.not-a-number'
  | 'value.not-a-date'
  | 'value.not-a-duration'
  | 'value.not-a-phone'
  | 'value.not-an-iban';

/** A column as the spec names it: by header ("duration") or by 1-based position ("#3"). */
type ColumnRef = (row: readonly string[]) => string;

interface Draft {
  readonly mapping: EntityMapping;
  readonly properties: Record<string, string[]>;
  readonly extra: Record<string, string[]>;
}

function clockNode(agencyId: string): string {
  const node = agencyId.replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 50);
  return `${node || 'import'}.import`;
}

function addValues(target: Record<string, string[]>, name: string, values: readonly string[]) {
  if (values.length === 0) return;
  const list = (target[name] ??= []);
  for (const value of values) if (!list.includes(value)) list.push(value);
}

/** The property values of `incoming` not yet in `current`; undefined when nothing is new. */
function mergedProperties(
  current: EntityProperties,
  incoming: EntityProperties,
): EntityProperties | undefined {
  let changed = false;
  const merged: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(current)) merged[name] = [...values];
  for (const [name, values] of Object.entries(incoming)) {
    const list = (merged[name] ??= []);
    for (const value of values) {
      if (!list.includes(value)) {
        list.push(value);
        changed = true;
      }
    }
  }
  return changed ? merged : undefined;
}

export function createRowMapper(spec: ImportSpec, options: ImportRunOptions): RowMapper {
  const order = mappingOrder(spec).map((key) => spec.entities.find((m) => m.key === key)!);
  const nowMs = Date.parse(options.now);
  const clock = new HybridLogicalClock(clockNode(options.agencyId), () =>
    Number.isFinite(nowMs) ? nowMs : Date.now(),
  );
  const index = new IdentityIndex(spec.source.defaultCountry);
  /** Latest version of every entity an identity rule may merge into (existing or made here). */
  const mergeable = new Map<string, EntityRecord>();
  for (const entity of options.existing ?? []) {
    if (entity.deleted || entity.caseId !== options.caseId) continue;
    const rules = spec.entities
      .filter((m) => m.schema === entity.schema)
      .flatMap((m) => m.identity ?? []);
    if (rules.length === 0) continue;
    mergeable.set(entity.id, entity);
    index.add(entity.id, entity.schema, entity.properties, rules);
  }
  const totals = {
    rowsRead: 0,
    rowsImported: 0,
    rowsExcluded: 0,
    rowsRejected: 0,
    entitiesCreated: 0,
    entitiesMerged: 0,
  };
  const transformContext = {
    defaultCountry: spec.source.defaultCountry,
    timeZone: spec.source.timeZone,
  };
  const regexes = new Map<string, RegExp>();
  let header: readonly string[] | undefined;
  let columns: Map<string, ColumnRef> | undefined;

  /** Resolves every column the spec names, once: by header name or "#N". */
  function compileColumns(): Map<string, ColumnRef> {
    const names = new Set<string>();
    const requiredNames = new Set<string>();
    const conditions = [
      ...(spec.include ?? []),
      ...(spec.exclude ?? []),
      ...spec.entities.flatMap((m) => m.when ?? []),
    ];
    for (const condition of conditions) {
      names.add(condition.column);
      requiredNames.add(condition.column);
    }
    for (const mapping of spec.entities) {
      for (const property of mapping.properties) {
        const used =
          'column' in property.value
            ? [property.value.column]
            : 'columns' in property.value
              ? property.value.columns
              : [];
        used.forEach((name) => {
          names.add(name);
          if (property.required) requiredNames.add(name);
        });
      }
    }
    const byName = new Map<string, number>();
    header?.forEach((cell, i) => {
      const key = cell.trim();
      if (!byName.has(key)) byName.set(key, i);
      if (!byName.has(key.toLowerCase())) byName.set(key.toLowerCase(), i);
    });
    const compiled = new Map<string, ColumnRef>();
    const missing: string[] = [];
    for (const name of names) {
      const position = /^#(\d{1,4})$/.exec(name);
      const i = position
        ? Number(position[1]) - 1
        : (byName.get(name) ?? byName.get(name.toLowerCase()));
      if (i === undefined || i < 0) {
        if (requiredNames.has(name)) missing.push(name);
        compiled.set(name, () => '');
      } else {
        compiled.set(name, (row) => row[i] ?? '');
      }
    }
    if (missing.length > 0) {
      throw new ImportEngineError(
        'import.header-missing',
        header
          ? `the file has no column ${missing.map((m) => `"${m}"`).join(', ')} (its columns: ${header.slice(0, 30).join(', ')})`
          : `the file has no header row, so the columns ${missing.map((m) => `"${m}"`).join(', ')} must be named by position (#1, #2…)`,
      );
    }
    return compiled;
  }

  const cell = (row: readonly string[], column: string) => columns!.get(column)!(row).trim();

  function holds(condition: RowCondition, row: readonly string[]): boolean {
    const value = cell(row, condition.column);
    const wanted = condition.value ?? '';
    switch (condition.op) {
      case 'equals':
        return value === wanted;
      case 'not-equals':
        return value !== wanted;
      case 'contains':
        return value.includes(wanted);
      case 'matches': {
        let regex = regexes.get(wanted);
        if (!regex) regexes.set(wanted, (regex = new RegExp(wanted, 'iu')));
        return regex.test(value);
      }
      case 'empty':
        return value === '';
      case 'not-empty':
        return value !== '';
    }
  }

  function rawValues(
    property: PropertyMapping,
    row: readonly string[],
    ids: ReadonlyMap<string, string>,
  ): string[] {
    const source = property.value;
    if ('column' in source) return [cell(row, source.column)];
    if ('columns' in source) {
      const parts = source.columns.map((name) => cell(row, name)).filter((part) => part !== '');
      return [parts.join(source.join)];
    }
    if ('constant' in source) return [source.constant];
    const id = ids.get(source.entity);
    return id === undefined ? [] : [id];
  }

  function columnOf(property: PropertyMapping): string | undefined {
    const source = property.value;
    if ('column' in source) return source.column;
    if ('columns' in source) return source.columns.join('+');
    return undefined;
  }

  /** The row's drafts, or its problems. `ids` is filled with provisional ids of the row's entities. */
  function draftRow(
    row: readonly string[],
    rowNumber: number,
  ): { drafts: Draft[]; problems: RowProblem[] } {
    const problems: RowProblem[] = [];
    const drafts: Draft[] = [];
    const placeholder = new Map<string, string>();
    for (const mapping of order) {
      if (mapping.when && !mapping.when.every((condition) => holds(condition, row))) continue;
      const properties: Record<string, string[]> = {};
      const extra: Record<string, string[]> = {};
      let anyValue = false;
      const before = problems.length;
      for (const property of mapping.properties) {
        const raw = rawValues(property, row, placeholder).filter((value) => value.trim() !== '');
        const column = columnOf(property);
        if (raw.length > 0 && !('entity' in property.value) && !('constant' in property.value))
          anyValue = true;
        const result =
          raw.length === 0
            ? { values: [] }
            : applyTransforms(property.transforms ?? [], raw, transformContext);
        if ('problem' in result) {
          problems.push({
            row: rowNumber,
            ...(column && { column }),
            value: raw.join(' '),
            code: result.problem.code,
            message: result.problem.message,
          });
          continue;
        }
        const values = result.values.map((value) => value.trim()).filter((value) => value !== '');
        if (values.length === 0) {
          if (property.required) {
            problems.push({
              row: rowNumber,
              ...(column && { column }),
              value: raw.join(' '),
              code: 'value.required',
              message:
                raw.length === 0
                  ? `no value for ${mapping.key} ${property.property}`
                  : `${quoteValue(raw.join(' '))} leaves no value for ${mapping.key} ${property.property}`,
            });
          }
          continue;
        }
        if (property.property.startsWith(EXTRA_PREFIX))
          addValues(extra, property.property.slice(EXTRA_PREFIX.length), values);
        else addValues(properties, property.property, values);
      }
      // An optional entity with no value in this row is absent (a required one with none is not).
      if (mapping.optional && !anyValue) {
        problems.length = before;
        continue;
      }
      if (problems.length === before) {
        const errors = validateEntity(mapping.schema, properties);
        for (const [name, message] of Object.entries(errors)) {
          // Where the value came from, looked up only now: the common row has no error.
          const mapped = mapping.properties.find((property) => property.property === name);
          const column = mapped && columnOf(mapped);
          const given = properties[name]?.length;
          problems.push({
            row: rowNumber,
            ...(column && { column }),
            ...(mapped && given && { value: rawValues(mapped, row, placeholder).join(' ') }),
            code: given ? 'value.invalid' : 'value.required',
            message: `${mapping.key}: ${message}`,
          });
        }
      }
      placeholder.set(mapping.key, `\u0000${mapping.key}`);
      drafts.push({ mapping, properties, extra });
    }
    if (problems.length === 0 && drafts.length === 0) {
      problems.push({
        row: rowNumber,
        code: 'row.no-entity',
        message: 'no entity of the specification applies to this row',
      });
    }
    return { drafts, problems };
  }

  function provenance(rowNumber: number): Provenance {
    return {
      source: options.fileName.slice(0, 1024),
      originAgency: options.agencyId,
      recordedBy: options.userName,
      recordedAt: options.now,
      imported: {
        fileName: options.fileName,
        fileSha256: options.fileSha256,
        row: rowNumber,
        spec: spec.name,
        specVersion: spec.version,
      },
    };
  }

  return {
    setHeader(cells) {
      header = [...cells];
      columns = compileColumns();
    },
    mapRows(rows, firstRowNumber) {
      columns ??= compileColumns();
      const created = new Map<string, EntityRecord>();
      const updated = new Map<string, EntityRecord>();
      const problems: RowProblem[] = [];
      let rowsImported = 0;
      let rowsExcluded = 0;
      rows.forEach((row, offset) => {
        const rowNumber = firstRowNumber + offset;
        totals.rowsRead += 1;
        const included =
          (spec.include ?? []).every((condition) => holds(condition, row)) &&
          !(spec.exclude ?? []).some((condition) => holds(condition, row));
        if (!included) {
          rowsExcluded += 1;
          return;
        }
        const drafted = draftRow(row, rowNumber);
        if (drafted.problems.length > 0) {
          totals.rowsRejected += 1;
          problems.push(...drafted.problems);
          return;
        }
        rowsImported += 1;
        // One provenance object for the row's records: they came from the same place.
        const rowProvenance = provenance(rowNumber);
        const ids = new Map<string, string>();
        for (const draft of drafted.drafts) {
          // References to the row's other entities: their final ids, known now (referenced first).
          const properties: Record<string, string[]> = {};
          for (const [name, values] of Object.entries(draft.properties)) {
            properties[name] = values.map((value) =>
              value.startsWith('\u0000') ? (ids.get(value.slice(1)) ?? value) : value,
            );
          }
          const rules = draft.mapping.identity ?? [];
          const target =
            rules.length > 0 ? index.find(draft.mapping.schema, properties, rules) : undefined;
          const current = target === undefined ? undefined : mergeable.get(target);
          if (current && current.schema === draft.mapping.schema) {
            totals.entitiesMerged += 1;
            ids.set(draft.mapping.key, current.id);
            const merged = mergedProperties(current.properties, properties);
            const extra =
              Object.keys(draft.extra).length > 0
                ? mergedProperties(current.external?.extra ?? {}, draft.extra)
                : undefined;
            if (!merged && !extra) continue;
            const next: EntityRecord = {
              ...current,
              updatedAt: clock.now(),
              properties: merged ?? current.properties,
              ...(extra && current.external && { external: { ...current.external, extra } }),
            };
            mergeable.set(next.id, next);
            index.add(next.id, next.schema, next.properties, rules);
            if (created.has(next.id)) created.set(next.id, next);
            else updated.set(next.id, next);
            continue;
          }
          const hlc = clock.now();
          const id = newId();
          ids.set(draft.mapping.key, id);
          const record: EntityRecord = {
            kind: 'entity',
            id,
            caseId: options.caseId,
            createdAt: hlc,
            updatedAt: hlc,
            deleted: false,
            originAgency: options.agencyId,
            markings: options.markings,
            schema: draft.mapping.schema,
            properties,
            provenance: rowProvenance,
            grading: options.grading,
            ...(Object.keys(draft.extra).length > 0 && {
              external: {
                id: `${options.fileName}#${rowNumber}.${draft.mapping.key}`.slice(0, 1024),
                format: spec.source.kind === 'xlsx' ? 'xlsx' : 'csv',
                extra: draft.extra,
              },
            }),
          };
          created.set(id, record);
          totals.entitiesCreated += 1;
          if (rules.length > 0) {
            mergeable.set(id, record);
            index.add(id, record.schema, record.properties, rules);
          }
        }
      });
      totals.rowsImported += rowsImported;
      totals.rowsExcluded += rowsExcluded;
      return {
        created: [...created.values()],
        updated: [...updated.values()],
        problems,
        rowsRead: rows.length,
        rowsImported,
        rowsExcluded,
      };
    },
    summary() {
      return { ...totals };
    },
  };
}
