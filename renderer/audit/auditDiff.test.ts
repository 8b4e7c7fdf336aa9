import { describe, expect, it } from 'vitest';
import { diffRecords, pathLabel, propertyNameOf } from './auditDiff.ts';

const before = {
  kind: 'entity',
  id: 'e1',
  updatedAt: '1',
  schema: 'Person',
  properties: { name: ['Ivan P.'], nationality: ['ru'], notes: ['x'] },
  markings: { tlp: 'AMBER', releasableTo: [] },
  grading: { source: 'F', information: '6' },
  deleted: false,
};

describe('audit diff', () => {
  it('reports changed, added and removed fields with list deltas, ignoring clocks', () => {
    const after = {
      ...before,
      updatedAt: '2',
      properties: { name: ['Ivan Petrov', 'Ivan P.'], nationality: ['ru'], birthDate: ['1980'] },
      markings: { tlp: 'RED', releasableTo: [] },
      grading: { source: 'B', information: '6' },
    };
    expect(diffRecords(before, after)).toEqual([
      {
        path: 'properties.name',
        before: 'Ivan P.',
        after: 'Ivan Petrov; Ivan P.',
        beforeValues: ['Ivan P.'],
        afterValues: ['Ivan Petrov', 'Ivan P.'],
        added: ['Ivan Petrov'],
        removed: [],
      },
      {
        path: 'properties.birthDate',
        before: undefined,
        after: '1980',
        beforeValues: [],
        afterValues: ['1980'],
        added: ['1980'],
        removed: [],
      },
      { path: 'markings.tlp', before: 'AMBER', after: 'RED' },
      { path: 'grading.source', before: 'F', after: 'B' },
      {
        path: 'properties.notes',
        before: 'x',
        after: undefined,
        beforeValues: ['x'],
        afterValues: [],
        added: [],
        removed: ['x'],
      },
    ]);
  });

  it('shows flags, dates and nested values readably, never as raw JSON (issue 12)', () => {
    const changes = diffRecords(
      { deleted: false, openedOn: '2024-03-01', nodes: { a: { x: 1, y: 2 } } },
      { deleted: true, openedOn: '2024-03-14', nodes: { a: { x: 5, y: 2 } } },
    );
    expect(changes).toEqual([
      { path: 'deleted', before: 'no', after: 'yes' },
      { path: 'openedOn', before: '1 Mar 2024', after: '14 Mar 2024' },
      { path: 'nodes.a.x', before: '1', after: '5' },
    ]);
    expect(pathLabel('leadInvestigator')).toBe('Lead investigator');
    expect(pathLabel('properties.birthDate', 'Person')).toBe('Birth date');
  });

  it('treats a missing side as creation or deletion', () => {
    const created = diffRecords(undefined, before);
    expect(created.map((change) => change.path)).toContain('properties.name');
    expect(created.every((change) => change.before === undefined)).toBe(true);
    expect(diffRecords(before, { ...before, deleted: true })).toEqual([
      { path: 'deleted', before: 'no', after: 'yes' },
    ]);
    expect(diffRecords(before, before)).toEqual([]);
  });

  it('names FtM properties', () => {
    expect(propertyNameOf('properties.birthDate')).toBe('birthDate');
    expect(propertyNameOf('markings.tlp')).toBeUndefined();
    expect(pathLabel('grading.source')).toBe('Source reliability');
    expect(pathLabel('viewport.panX')).toBe('Viewport › pan x');
  });
});
