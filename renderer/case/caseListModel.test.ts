import { describe, expect, it } from 'vitest';
import { DEFAULT_MARKINGS } from '../../shared/model/index.ts';
import type { CaseRecord } from '../../shared/model/index.ts';
import { filterCases, splitList } from './caseListModel.ts';

function makeCase(id: string, patch: Partial<CaseRecord>): CaseRecord {
  return {
    kind: 'case',
    id,
    createdAt: '0000000000001-0000-a',
    updatedAt: '0000000000001-0000-a',
    deleted: false,
    originAgency: 'a',
    markings: DEFAULT_MARKINGS,
    reference: `REF-${id}`,
    title: `Case ${id}`,
    status: 'open',
    leadInvestigator: 'Lead',
    crimeAreas: [],
    jurisdictions: [],
    openedOn: '2024-01-01',
    ...patch,
  };
}

describe('case list', () => {
  const cases = [
    makeCase('1', {
      title: 'Danube route',
      crimeAreas: ['trafficking'],
      updatedAt: '0000000000003-0000-a',
    }),
    makeCase('2', {
      title: 'Harbour cocaine',
      status: 'archived',
      updatedAt: '0000000000002-0000-a',
    }),
    makeCase('3', { title: 'Deleted', deleted: true }),
  ];
  it('hides archived and deleted cases by default, newest first', () => {
    expect(filterCases(cases, '', 'active').map((c) => c.id)).toEqual(['1']);
    expect(filterCases(cases, '', 'all').map((c) => c.id)).toEqual(['1', '2']);
    expect(filterCases(cases, '', 'archived').map((c) => c.id)).toEqual(['2']);
  });
  it('searches every descriptive field, all words required', () => {
    expect(filterCases(cases, 'danube traff', 'all').map((c) => c.id)).toEqual(['1']);
    expect(filterCases(cases, 'REF-2', 'all').map((c) => c.id)).toEqual(['2']);
    expect(filterCases(cases, 'danube cocaine', 'all')).toEqual([]);
  });
  it('splits comma lists', () => {
    expect(splitList('ro, at;  it,ro,')).toEqual(['ro', 'at', 'it']);
  });
});
