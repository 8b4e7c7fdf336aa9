import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import { createCompactor } from './recordCompaction.ts';

const values = fc.array(fc.constantFrom('a', 'b', '+4366', '01HX', ''), {
  minLength: 1,
  maxLength: 3,
});
const properties = fc.dictionary(fc.constantFrom('name', 'number', 'caller', 'duration'), values);

const record = fc.record({
  id: fc.string({ minLength: 1 }),
  hlc: fc.constantFrom('h1', 'h2'),
  later: fc.boolean(),
  properties,
  imported: fc.option(fc.nat(), { nil: undefined }),
  extra: fc.option(properties, { nil: undefined }),
  tlp: fc.constantFrom('AMBER', 'GREEN'),
});

interface Input {
  readonly id: string;
  readonly hlc: string;
  readonly later: boolean;
  readonly properties: Record<string, string[]>;
  readonly imported: number | undefined;
  readonly extra: Record<string, string[]> | undefined;
  readonly tlp: string;
}

function entity(input: Input): EntityRecord {
  return {
    kind: 'entity',
    id: input.id,
    caseId: 'case-1',
    createdAt: `${input.hlc}`,
    updatedAt: input.later ? `${input.hlc}-later` : `${input.hlc}`,
    deleted: false,
    originAgency: 'agency',
    markings: {
      classification: 'UNCLASSIFIED',
      tlp: input.tlp,
      releasableTo: [],
      referToOriginator: false,
    },
    schema: 'Phone',
    properties: input.properties,
    provenance: {
      source: 'file.csv',
      originAgency: 'agency',
      recordedBy: 'Insp. Test',
      recordedAt: '2026-01-01T00:00:00.000Z',
      ...(input.imported !== undefined
        ? {
            imported: {
              fileName: 'file.csv',
              fileSha256: '0'.repeat(64),
              row: input.imported,
              spec: 'cdr',
              specVersion: 1,
            },
          }
        : {}),
    },
    grading: { source: 'F', information: '6' },
    ...(input.extra
      ? { external: { id: `x-${input.id}`, format: 'csv', extra: input.extra } }
      : {}),
  } as EntityRecord;
}

describe('record compaction', () => {
  it('returns records deep-equal to their input', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (inputs) => {
        const compactor = createCompactor();
        for (const input of inputs) {
          const original = entity(input);
          const copy = structuredClone(original);
          expect(compactor.compact(original)).toEqual(copy);
        }
      }),
    );
  });

  it('shares equal parts between records', () => {
    const compactor = createCompactor();
    const base = entity({
      id: 'a',
      hlc: 'h1',
      later: false,
      properties: { number: ['+43'] },
      imported: 1,
      extra: { cellId: ['c'] },
      tlp: 'AMBER',
    });
    const a = compactor.compact(base);
    const b = compactor.compact(structuredClone({ ...base, id: 'b' }));
    expect(b.markings).toBe(a.markings);
    expect(b.grading).toBe(a.grading);
    expect(b.properties['number']).toBe(a.properties['number']);
    expect(b.external?.extra?.['cellId']).toBe(a.external?.extra?.['cellId']);
    expect(b.provenance).not.toBe(a.provenance);
  });

  it('leaves the demo case as it was', () => {
    const compactor = createCompactor();
    const demo = createDemoCase({ agencyId: 'a', now: new Date(2026, 0, 1) });
    for (const item of demo.entities) {
      expect(compactor.compact(item as EntityRecord)).toEqual(structuredClone(item));
    }
  });
});
