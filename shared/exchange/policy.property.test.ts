/**
 * Generated cases for the release policy: random records of every kind with random markings at
 * record and property level, origins at us, the partner and a third agency, deletions, links
 * across withheld items, and free text that quotes other records' ids and values. Every string a
 * record carries is a unique canary, so a leak is a canary of something that stays found in what
 * goes. Properties:
 * - no id and no canary of a withheld or deleted record, nor of a stripped field, appears in
 *   JSON.stringify(decision.released);
 * - the second check accepts exactly what the decision released (as a case file and as
 *   operations), so sealing never fails on the policy's own output.
 * (The end-to-end canary test through the sealing service lives with the service.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Markings } from '../model/markings.ts';
import { TLP_LEVELS } from '../model/markings.ts';
import type { AnyRecord, EntityRecord } from '../model/records.ts';
import type { SharingAgreement } from './agreement.ts';
import { fieldClass, propertyClass } from './fieldRules.ts';
import { recordsOf } from './caseRecords.ts';
import { serializeOperations, splitField } from './operations.ts';
import type { ReleaseDecision, ReleaseInput } from './policy.ts';
import { assertReleasable, decideRelease } from './policy.ts';
import {
  AGREEMENT,
  attachment,
  CASE_ID,
  caseRecord,
  chart,
  entity,
  note,
  notice,
  NOW,
  OWN,
  PARTNER,
  THIRD,
} from './fixtures/releaseFixtures.ts';

const RUNS = Number(process.env.TESSERA_POLICY_RUNS ?? 300);

const markingsArb: fc.Arbitrary<Markings> = fc
  .record({
    classification: fc.constantFrom(
      'UNCLASSIFIED',
      'RESTRICTED',
      'CONFIDENTIAL',
      'SECRET',
      'COSMIC',
    ),
    tlp: fc.constantFrom(...TLP_LEVELS),
    releasableTo: fc.subarray([PARTNER, THIRD]),
    referToOriginator: fc.boolean(),
    handlingCode: fc.constantFrom(
      undefined,
      'H1',
      'ORCON',
      'NOFORN',
      'H4',
      'WNINTEL',
      'ORCON; NOFORN',
    ),
  })
  .map(({ handlingCode, ...rest }) => ({
    ...rest,
    ...(handlingCode === undefined ? {} : { handlingCode }),
  }));

/** Mostly releasable markings, so that cases mix what goes with what stays. */
const recordMarkingsArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constant<Markings>({
      classification: 'RESTRICTED',
      tlp: 'AMBER',
      releasableTo: [PARTNER],
      referToOriginator: false,
    }),
  },
  { weight: 2, arbitrary: markingsArb },
);

const SCHEMAS = [
  'Person',
  'Company',
  'Passport',
  'BankAccount',
  'Phone',
  'Event',
  'Family',
  'Ownership',
  'Associate',
] as const;

interface Shape {
  readonly schema: (typeof SCHEMAS)[number];
  readonly origin: string;
  readonly markings: Markings;
  readonly deleted: boolean;
  readonly propertyMarkings: readonly (Markings | null)[];
  readonly refs: readonly number[];
  readonly quote: number | null;
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  schema: fc.constantFrom(...SCHEMAS),
  origin: fc.constantFrom(OWN, OWN, OWN, PARTNER, THIRD),
  markings: recordMarkingsArb,
  deleted: fc.nat(9).map((n) => n < 3),
  propertyMarkings: fc.array(fc.option(markingsArb, { freq: 3 }), { minLength: 4, maxLength: 4 }),
  refs: fc.array(fc.nat(20), { minLength: 2, maxLength: 2 }),
  quote: fc.option(fc.nat(40), { freq: 2 }),
});

const caseArb = fc.record({
  entities: fc.array(shapeArb, { minLength: 1, maxLength: 8 }),
  items: fc.array(
    fc.record({
      kind: fc.constantFrom('note', 'attachment', 'notice', 'chart'),
      markings: recordMarkingsArb,
      origin: fc.constantFrom(OWN, OWN, PARTNER, THIRD),
      deleted: fc.nat(9).map((n) => n < 2),
      about: fc.option(fc.nat(20), { freq: 2 }),
      quote: fc.option(fc.nat(40), { freq: 2 }),
    }),
    { maxLength: 6 },
  ),
  caseMarkings: fc.constantFrom<Markings>(
    {
      classification: 'RESTRICTED',
      tlp: 'AMBER',
      releasableTo: [PARTNER],
      referToOriginator: false,
    },
    { classification: 'UNCLASSIFIED', tlp: 'CLEAR', releasableTo: [], referToOriginator: false },
  ),
  caseQuote: fc.option(fc.nat(40), { freq: 2 }),
  domestic: fc.boolean(),
});

const canary = (id: string, field: string) => `CANARY-${id}-${field}-X`;

/** Builds a case; `quoted` (filled while building) lists every canary and id, to be quoted. */
type CaseSpec = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: CaseSpec): ReleaseInput {
  const ids = spec.entities.map((_, i) => `ENT${i}ID`);
  const quotable: string[] = [...ids];
  const pick = (n: number | null): string =>
    n === null ? '' : ` see ${quotable[n % quotable.length]}`;
  const pickId = (n: number) => ids[n % ids.length]!;
  const entities: EntityRecord[] = spec.entities.map((shape, i) => {
    const id = ids[i]!;
    const c = (field: string) => canary(id, field);
    const properties = ((): Record<string, string[]> => {
      switch (shape.schema) {
        case 'Person':
          return {
            name: [c('name')],
            firstName: [c('first')],
            notes: [c('notes') + pick(shape.quote)],
            birthPlace: [c('birthPlace')],
          };
        case 'Company':
          return { name: [c('name')], notes: [c('notes') + pick(shape.quote)] };
        case 'Passport':
          return { number: [c('number')], holder: [pickId(shape.refs[0]!)] };
        case 'BankAccount':
          return { iban: [c('iban')], bankName: [c('bank')] };
        case 'Phone':
          return { number: [c('number')], owner: [pickId(shape.refs[0]!)] };
        case 'Event':
          return { name: [c('name')], involved: [pickId(shape.refs[0]!)], summary: [c('summary')] };
        case 'Family':
          return {
            person: [pickId(shape.refs[0]!)],
            relative: [pickId(shape.refs[1]!)],
            relationship: [c('rel')],
          };
        case 'Ownership':
          return {
            owner: [pickId(shape.refs[0]!)],
            asset: [pickId(shape.refs[1]!)],
            role: [c('role')],
          };
        case 'Associate':
          return { person: [pickId(shape.refs[0]!)], associate: [pickId(shape.refs[1]!)] };
      }
    })();
    const names = Object.keys(properties);
    const propertyMarkings = Object.fromEntries(
      names.flatMap((name, k) => {
        const own = shape.propertyMarkings[k];
        return own ? [[name, own]] : [];
      }),
    );
    for (const values of Object.values(properties)) quotable.push(values[0]!.split(' ')[0]!);
    return entity(id, shape.schema, properties, {
      originAgency: shape.origin,
      markings: shape.markings,
      deleted: shape.deleted,
      provenance: {
        source: c('source'),
        originAgency: shape.origin,
        recordedBy: c('by'),
        recordedAt: NOW,
      },
      ...(Object.keys(propertyMarkings).length > 0 ? { propertyMarkings } : {}),
    });
  });
  const items: AnyRecord[] = spec.items.map((item, i) => {
    const id = `ITEM${i}ID`;
    const c = (field: string) => canary(id, field);
    const about = item.about === null ? undefined : pickId(item.about);
    const base = { originAgency: item.origin, markings: item.markings, deleted: item.deleted };
    switch (item.kind) {
      case 'note':
        return note(id, about, {
          ...base,
          title: c('title'),
          body: c('body') + pick(item.quote),
          author: c('author'),
        });
      case 'attachment':
        return attachment(id, about, {
          ...base,
          fileName: c('file'),
          description: c('description') + pick(item.quote),
          mediaType: c('media'),
          provenance: {
            source: c('source'),
            originAgency: item.origin,
            recordedBy: c('by'),
            recordedAt: NOW,
          },
        });
      case 'notice':
        return notice(id, about ?? pickId(0), {
          ...base,
          reference: c('ref'),
          summary: c('summary') + pick(item.quote),
          issuingAgency: c('issuer'),
        });
      default:
        return chart(id, ids, { ...base, name: c('name') + pick(item.quote), layout: c('layout') });
    }
  });
  return {
    case: caseRecord({
      markings: spec.caseMarkings,
      description: canary(CASE_ID, 'description') + pick(spec.caseQuote),
    }),
    entities,
    notes: items.filter((r) => r.kind === 'note'),
    attachments: items.filter((r) => r.kind === 'attachment'),
    notices: items.filter((r) => r.kind === 'notice'),
    charts: items.filter((r) => r.kind === 'chart'),
  };
}

/** Every canary and id that must not appear in what goes. */
function secretsOf(input: ReleaseInput, decision: ReleaseDecision): string[] {
  const byId = new Map<string, AnyRecord>(
    [
      input.case,
      ...input.entities,
      ...input.notes,
      ...input.attachments,
      ...input.notices,
      ...input.charts,
    ].map((r) => [r.id, r]),
  );
  const secrets: string[] = [];
  const canariesIn = (value: unknown) =>
    JSON.stringify(value ?? '').match(/CANARY-[A-Za-z0-9]+-[A-Za-z]+-X/g) ?? [];
  const staying = [...decision.withheld.map((w) => w.id), ...decision.deleted.map((d) => d.id)];
  for (const id of staying) {
    const record = byId.get(id)!;
    secrets.push(id);
    // Only the record's own canaries (its quotes of others may go where the others go).
    secrets.push(...canariesIn(record).filter((c) => c.startsWith(`CANARY-${id}-`)));
  }
  for (const item of decision.stripped) {
    const record = byId.get(item.id)!;
    const { top, key } = splitField(item.field);
    const json = record as unknown as Record<string, Record<string, unknown>>;
    const value = key === undefined ? json[top] : json[top]?.[key];
    if (
      record.kind === 'entity' &&
      top === 'properties' &&
      propertyClass(record.schema, key!) === 'reference'
    )
      continue;
    if (top === 'nodes') continue;
    secrets.push(...canariesIn(value).filter((c) => c.startsWith(`CANARY-${item.id}-`)));
  }
  return secrets;
}

function agreementOf(domestic: boolean): SharingAgreement {
  return { ...AGREEMENT, categories: [...AGREEMENT.categories, 'documents'], domestic };
}

describe('release policy: generated cases', () => {
  it(`never releases an id or value of what stays (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(caseArb, (spec) => {
        const input = build(spec);
        const agreement = agreementOf(spec.domestic);
        const decision = decideRelease(input, agreement, PARTNER, OWN, { now: NOW });
        const out = JSON.stringify(decision.released);
        for (const secret of secretsOf(input, decision)) {
          const found = secret.startsWith('CANARY')
            ? out.includes(secret)
            : new RegExp(`(^|[^A-Za-z0-9_])${secret}([^A-Za-z0-9_]|$)`).test(out);
          if (found) throw new Error(`leaked ${secret}`);
        }
        // Every field that goes has a rule (F1).
        for (const record of [...decision.released.entities, ...decision.released.notes]) {
          for (const field of Object.keys(record))
            expect(fieldClass(record.kind, field)).toBeDefined();
        }
        const set = decision.released;
        const records = recordsOf(set);
        const check = {
          input,
          agreement,
          partnerId: PARTNER,
          ownAgencyId: OWN,
          options: { now: NOW },
        };
        assertReleasable(
          serializeOperations(
            CASE_ID,
            records.map((record) => ({ op: 'create' as const, record })),
          ),
          check,
        );
      }),
      { numRuns: RUNS },
    );
  });
});
