import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import type { ImportIssue } from './types.ts';
import { buildImportedCase, recordIdFrom } from './importedCase.ts';

const options = {
  caseTitle: 'Imported',
  now: '2026-11-23T10:00:00.000Z',
  userName: 'analyst',
  agencyId: 'at.bk',
};

describe('buildImportedCase', () => {
  it('keeps what the model accepts and reports every other thing once', () => {
    const issues: ImportIssue[] = [];
    const file = buildImportedCase(
      {
        format: 'stix',
        sourceLabel: 'test',
        entities: [
          {
            id: 'p1',
            schema: 'Person',
            properties: { name: ['Ana'], shoeSize: ['42'] },
            where: 'p1',
          },
          { id: 'p2', schema: 'Person', properties: { nationality: ['ro'] }, where: 'p2' },
          {
            id: 'l1',
            schema: 'UnknownLink',
            properties: { subject: ['p1'], object: ['p2'] },
            where: 'l1',
          },
          { id: 's1', schema: 'Spaceship', properties: {}, where: 's1' },
        ],
        chart: { name: 'Chart', nodes: { p1: { x: 1, y: 2 }, p2: { x: 3, y: 4 } } },
      },
      options,
      issues,
    );
    expect(caseFileSchema.safeParse(file).success).toBe(true);
    // Outside ids never become record ids: p1 is kept as external.id beside a fresh id.
    expect(file.entities.map((entity) => entity.external)).toEqual([{ id: 'p1', format: 'stix' }]);
    const recordId = file.entities[0]!.id;
    expect(recordId).not.toBe('p1');
    expect(file.entities[0]!.properties).toEqual({ name: ['Ana'] });
    expect(file.charts[0]!.nodes).toEqual({ [recordId]: { x: 1, y: 2 } });
    expect(issues.map((issue) => `${issue.code} ${issue.where}`).sort()).toEqual([
      'interchange.entity-dropped l1',
      'interchange.entity-dropped p2',
      'interchange.unknown-property p1',
      'interchange.unknown-schema s1',
    ]);
  });

  it('makes record ids from outside ids: usable characters, unique, at most 64 characters', () => {
    const taken = new Set<string>();
    expect(recordIdFrom('anx-', '12', taken)).toBe('anx-12');
    expect(recordIdFrom('anx-', '12', taken)).toBe('anx-12-2');
    expect(recordIdFrom('anx-', 'Ion Popescu / 1', taken)).toBe('anx-Ion_Popescu___1');
    expect(recordIdFrom('anx-', 'x'.repeat(200), taken)).toMatch(/^anx-x{52}$/);
  });
});
