/**
 * The canary leak test, small count (the full 10,000 cases run in `npm run fuzz`), and tests of
 * its own parts: the oracle on the cases the issue names, the search, and the generator.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseFile } from '../shared/caseFile.ts';
import type { Markings } from '../shared/model/markings.ts';
import { AGREEMENTS, CanaryHarness, searchLeaks } from './canary/harness.ts';
import { materialize } from './canary/materialize.ts';
import { Oracle } from './canary/oracle.ts';
import type { CasePlan } from './canary/plan.ts';
import { nodePlan, OPEN_TO_PARTNERS } from './canary/planFixtures.ts';
import { casePlan, OWN, PARTNER_ONE, PARTNER_TWO, THIRD } from './canary/plan.ts';
import { describeLeaks } from './canary/runCanary.ts';

const open = OPEN_TO_PARTNERS;
const node = nodePlan;

function plan(overrides: Partial<CasePlan> = {}): CasePlan {
  return {
    markings: open,
    wideCrimeAreas: false,
    descriptionQuotes: [],
    nodes: [node()],
    edges: [],
    notes: [],
    attachments: [],
    notices: [],
    charts: [],
    delta: { deleteIndex: 0, raiseIndex: 0, newNote: false, withMeta: false },
    ...overrides,
  };
}

function forbiddenFor(p: CasePlan, partner: typeof PARTNER_ONE | typeof PARTNER_TWO) {
  const m = materialize(p, '0000abcd');
  const forbidden = new Oracle(m.file, partner, AGREEMENTS[partner]).forbidden(m.canaries);
  return { m, forbidden, values: new Set(forbidden.map((f) => f.value)) };
}

function record(file: CaseFile, index: number): CaseFile['entities'][number] {
  return file.entities[index]!;
}

describe('the canary oracle', () => {
  it('lets plainly releasable material go and forbids nothing of it', () => {
    const { forbidden } = forbiddenFor(plan(), PARTNER_ONE);
    expect(forbidden).toEqual([]);
  });

  it('forbids a Person the partner originated but we marked SECRET, TLP:RED, refer-to-originator, with its Family edge (finding 1)', () => {
    const p = plan({
      nodes: [
        node({
          origin: PARTNER_ONE,
          markings: {
            classification: 'SECRET',
            tlp: 'RED',
            releasableTo: [],
            referToOriginator: true,
          },
          propertyMarkings: { notes: { ...open, tlp: 'RED' } },
        }),
        node(),
      ],
      edges: [
        {
          schema: 'Family',
          source: 1,
          target: 0,
          origin: OWN,
          markings: open,
          deleted: false,
          propertyMarkings: {},
        },
      ],
    });
    const { m, values } = forbiddenFor(p, PARTNER_ONE);
    expect(values.has(record(m.file, 0).id)).toBe(true);
    expect(values.has(record(m.file, 0).properties.notes![0]!)).toBe(true);
    expect(values.has(record(m.file, 2).id)).toBe(true);
    expect(values.has(record(m.file, 1).id)).toBe(false);
  });

  it('forbids the free text that only a listing could release, and follows the name group (finding 4)', () => {
    const publicOwn: Markings = { ...open, tlp: 'CLEAR', releasableTo: [] };
    const p = plan({
      markings: publicOwn,
      nodes: [node({ markings: publicOwn, propertyMarkings: { name: { ...open, tlp: 'RED' } } })],
    });
    const { m, values } = forbiddenFor(p, PARTNER_ONE);
    const person = record(m.file, 0);
    expect(values.has(m.file.case.description!.split(';')[0]!)).toBe(true);
    expect(values.has(person.provenance.source.split(' ')[0]!)).toBe(true);
    expect(values.has(person.properties.notes![0]!)).toBe(true);
    expect(values.has(person.properties.firstName![0]!)).toBe(true);
    expect(values.has(person.properties.lastName![0]!)).toBe(true);
    // Structured, public, own material: the id and the birth date may go.
    expect(values.has(person.id)).toBe(false);
    expect(values.has(person.properties.birthDate![0]!)).toBe(false);
  });

  it('makes a passport follow its withheld holder, and notes and attachments follow their entity', () => {
    const p = plan({
      nodes: [
        node({ markings: { ...open, handlingCode: 'ORCON; NOFORN' } }),
        node({ schema: 'Passport', holder: 0 }),
      ],
      notes: [{ origin: OWN, markings: open, deleted: false, about: 0, mentions: [], quotes: [] }],
      attachments: [
        { origin: OWN, markings: open, deleted: false, about: 0, mentions: [], quotes: [] },
      ],
    });
    const { m, values } = forbiddenFor(p, PARTNER_TWO);
    expect(values.has(record(m.file, 1).id)).toBe(true);
    expect(values.has(m.file.notes[0]!.id)).toBe(true);
    expect(values.has(m.file.attachments[0]!.fileName.replace('.txt', ''))).toBe(true);
  });

  it('forbids third-agency material not listed for the partner, and deleted records entirely', () => {
    const p = plan({
      nodes: [
        node({ origin: THIRD, markings: { ...open, releasableTo: [PARTNER_TWO] } }),
        node({ deleted: true }),
      ],
    });
    const one = forbiddenFor(p, PARTNER_ONE);
    expect(one.values.has(record(one.m.file, 0).id)).toBe(true);
    expect(one.values.has(record(one.m.file, 1).id)).toBe(true);
    const two = forbiddenFor(p, PARTNER_TWO);
    expect(two.values.has(record(two.m.file, 0).id)).toBe(false);
  });

  it('never forbids a value that is not in the case (the oracle only restricts)', () => {
    fc.assert(
      fc.property(casePlan, (p) => {
        const m = materialize(p, '00000001');
        const text =
          JSON.stringify(m.file) +
          m.file.attachments.map((a) => Buffer.from(a.contentBase64, 'base64')).join('');
        for (const partner of [PARTNER_ONE, PARTNER_TWO] as const) {
          for (const f of new Oracle(m.file, partner, AGREEMENTS[partner]).forbidden(m.canaries)) {
            expect(text.includes(f.value) || f.rule.startsWith('O9')).toBe(true);
          }
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('the canary search', () => {
  it('finds a forbidden canary and id in bytes, with and without its prefix', () => {
    const forbidden = [
      { value: 'CANARY-0000abcd-00001', recordId: 'r', kind: 'entity', field: 'f', rule: 'O3' },
      { value: 'id.0000abcd.00002', recordId: 'r', kind: 'entity', field: 'id', rule: 'O3' },
    ];
    const leaks = searchLeaks(
      [
        { where: 'container', bytes: Buffer.from('{"x":"0000ABCD-00001"}') },
        { where: 'file name', bytes: Buffer.from('case-id.0000abcd.00002.tessera') },
        { where: 'log', bytes: Buffer.from('nothing here') },
      ],
      forbidden,
      PARTNER_ONE,
      'first',
    );
    expect(leaks.map((l) => `${l.where} ${l.forbidden.field}`)).toEqual([
      'container f',
      'file name id',
    ]);
  });
});

describe('canary leak test through the real exchange service (30 cases; npm run fuzz runs 10,000)', () => {
  let harness: CanaryHarness;

  beforeAll(async () => {
    harness = await CanaryHarness.create();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('seals, decrypts and finds no canary or withheld id in anything a partner receives', async () => {
    let sealed = 0;
    const details = await fc.check(
      fc.asyncProperty(casePlan, async (p) => {
        const result = await harness.check(p, { delta: true });
        sealed += result.outcomes.filter((o) => o.sealed).length;
        if (result.leaks.length > 0) {
          throw new Error(`${result.leaks.length} leaks:\n${describeLeaks(result.leaks, 15)}`);
        }
      }),
      { numRuns: 30, seed: 20260105, interruptAfterTimeLimit: 120_000 },
    );
    if (details.failed) {
      const minimal = details.counterexample?.[0];
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : '';
      expect.fail(
        `canary leak; minimal case after ${details.numShrinks} shrinks (seed ${details.seed}, path ${details.counterexamplePath}):\n${error}\nplan: ${JSON.stringify(minimal)}`,
      );
    }
    // Not vacuous: the service really sealed bundles to search.
    expect(sealed).toBeGreaterThan(20);
  }, 300_000);
});
