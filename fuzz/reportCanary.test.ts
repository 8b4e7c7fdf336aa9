/**
 * The canary leak test on reports, small count (`npm run fuzz` runs more): generated cases written
 * as partner reports in PDF, DOCX and XLSX, read back with pdftotext / unzip, searched for every
 * canary and id the oracle forbids.
 */
import { describe, expect, it } from 'vitest';
import { materialize } from './canary/materialize.ts';
import type { CasePlan } from './canary/plan.ts';
import { nodePlan, OPEN_TO_PARTNERS } from './canary/planFixtures.ts';
import { OWN } from './canary/plan.ts';
import { checkReportCase, runReportCanary } from './canary/reportCanary.ts';

const open = OPEN_TO_PARTNERS;
const node = nodePlan;

describe('the report canary', () => {
  it('finds nothing forbidden in reports of generated cases', async () => {
    const result = await runReportCanary({ cases: 6, seed: 20260105 });
    expect(result.examples).toEqual([]);
    expect(result.leakingCases).toBe(0);
    expect(result.written).toBeGreaterThan(0);
  }, 300_000);

  it('keeps a TLP:RED person, its phone and a note quoting it out of every format, and writes the rest', async () => {
    const plan: CasePlan = {
      markings: open,
      wideCrimeAreas: false,
      descriptionQuotes: [],
      nodes: [
        node(),
        node({ markings: { ...open, tlp: 'RED' } }),
        node({ schema: 'Phone', holder: 1 }),
      ],
      edges: [
        {
          schema: 'Family',
          source: 0,
          target: 1,
          origin: OWN,
          markings: open,
          deleted: false,
          propertyMarkings: {},
        },
      ],
      notes: [
        { about: 1, origin: OWN, markings: open, deleted: false, mentions: [1], quotes: [1] },
        { about: 0, origin: OWN, markings: open, deleted: false, mentions: [], quotes: [1] },
      ],
      attachments: [],
      notices: [],
      charts: [{ nodes: [0, 1, 2], origin: OWN, markings: open, deleted: false }],
      delta: { deleteIndex: 0, raiseIndex: 0, newNote: false, withMeta: false },
    };
    const m = materialize(plan, '0000beef');
    const red = m.file.entities[1]!;
    const result = await checkReportCase(plan, '0000beef');
    expect(result.leaks).toEqual([]);
    expect(result.written).toBe(6);
    expect(red.properties.name?.[0]).toMatch(/CANARY/);
  }, 120_000);
});
