/**
 * The release policy as a table of cases: one row per rule, each with the item it changes and the
 * expected outcome; then the case-wide rules, stripping, and the second check on serialized content.
 */
import { describe, expect, it } from 'vitest';
import type { AnyRecord } from '../model/records.ts';
import type { SharingAgreement } from './agreement.ts';
import { serializeOperations } from './operations.ts';
import type { ReleaseInput } from './policy.ts';
import {
  assertReleasable,
  decideRelease,
  POLICY_VERSION,
  ReleaseViolationError,
} from './policy.ts';
import {
  AGREEMENT,
  attachment,
  CASE_ID,
  caseRecord,
  chart,
  entity,
  hlcAt,
  inputOf,
  marks,
  note,
  notice,
  NOW,
  OWN,
  PARTNER,
  THIRD,
} from './fixtures/releaseFixtures.ts';

function decide(records: readonly AnyRecord[], agreement: SharingAgreement = AGREEMENT) {
  return decideRelease(inputOf(records), agreement, PARTNER, OWN, { now: NOW });
}

function releasedIds(decision: ReturnType<typeof decide>): Set<string> {
  const r = decision.released;
  return new Set(
    [...r.entities, ...r.notes, ...r.attachments, ...r.notices, ...r.charts].map((x) => x.id),
  );
}

const okPerson = entity('p0', 'Person', { name: ['Anna Releasable'] });
const redPerson = entity(
  'pRed',
  'Person',
  { name: ['Red Person'] },
  { markings: marks({ tlp: 'RED' }) },
);

interface Row {
  readonly rule: string;
  readonly item: AnyRecord;
  readonly context?: readonly AnyRecord[];
  readonly released: boolean;
  readonly reason?: RegExp;
}

const ROWS: readonly Row[] = [
  {
    rule: 'M2 own material listed for the partner goes',
    item: entity('x', 'Person', { name: ['A'] }),
    released: true,
  },
  {
    rule: 'M2 own material not listed stays (deny by default)',
    item: entity('x', 'Person', { name: ['A'] }, { markings: marks({ releasableTo: ['NL-POL'] }) }),
    released: false,
    reason: /not marked releasable to BKA/,
  },
  {
    rule: 'M2 own TLP:CLEAR at the lowest classification is public',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { markings: marks({ tlp: 'CLEAR', releasableTo: [] }) },
    ),
    released: true,
  },
  {
    rule: 'M2 own TLP:CLEAR above the lowest classification needs the listing',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { markings: marks({ tlp: 'CLEAR', classification: 'RESTRICTED', releasableTo: [] }) },
    ),
    released: false,
    reason: /not marked releasable/,
  },
  {
    rule: 'M2 own TLP:GREEN still needs the listing',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { markings: marks({ tlp: 'GREEN', releasableTo: [] }) },
    ),
    released: false,
    reason: /not marked releasable/,
  },
  {
    rule: 'M1 TLP:RED never leaves, even when listed',
    item: entity('x', 'Person', { name: ['A'] }, { markings: marks({ tlp: 'RED' }) }),
    released: false,
    reason: /TLP:RED/,
  },
  {
    rule: 'M2 TLP:AMBER+STRICT goes to a listed partner',
    item: entity('x', 'Person', { name: ['A'] }, { markings: marks({ tlp: 'AMBER+STRICT' }) }),
    released: true,
  },
  {
    rule: 'M2 TLP:AMBER+STRICT without the listing stays',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { markings: marks({ tlp: 'AMBER+STRICT', releasableTo: [] }) },
    ),
    released: false,
    reason: /AMBER\+STRICT/,
  },
  {
    rule: 'M3 classification above the agreement stays',
    item: entity('x', 'Person', { name: ['A'] }, { markings: marks({ classification: 'SECRET' }) }),
    released: false,
    reason: /SECRET is above the agreement's CONFIDENTIAL/,
  },
  {
    rule: 'M3 classification equal to the agreement goes',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { markings: marks({ classification: 'CONFIDENTIAL' }) },
    ),
    released: true,
  },
  {
    rule: 'M3 a classification not on the ladder stays',
    item: entity('x', 'Person', { name: ['A'] }, { markings: marks({ classification: 'COSMIC' }) }),
    released: false,
    reason: /not on the ladder/,
  },
  {
    rule: 'I1 a data category the agreement does not allow stays',
    item: entity('x', 'BiometricRecord', {
      recordReference: ['FP-1'],
      biometricType: ['fingerprint'],
    }),
    released: false,
    reason: /“biometrics” is not in the agreement/,
  },
  {
    rule: 'I1 documents are not in this agreement either',
    item: entity('x', 'Passport', { number: ['X1'] }),
    released: false,
    reason: /“documents”/,
  },
  {
    rule: 'M4 third-agency material listed for the partner goes',
    item: entity('x', 'Person', { name: ['A'] }, { originAgency: THIRD }),
    released: true,
  },
  {
    rule: 'M4 third-agency material not listed stays, even TLP:CLEAR',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { originAgency: THIRD, markings: marks({ tlp: 'CLEAR', releasableTo: [OWN] }) },
    ),
    released: false,
    reason: /third-agency material from FBI is not marked releasable to BKA/,
  },
  {
    rule: 'M5 refer-to-originator blocks onward release of third-agency material',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { originAgency: THIRD, markings: marks({ referToOriginator: true }) },
    ),
    released: false,
    reason: /refer to originator/,
  },
  {
    rule: 'M5 refer-to-originator on our own material does not block us',
    item: entity('x', 'Person', { name: ['A'] }, { markings: marks({ referToOriginator: true }) }),
    released: true,
  },
  {
    rule: 'M6 the partner’s own material may go back to it',
    item: entity(
      'x',
      'Person',
      { name: ['A'] },
      { originAgency: PARTNER, markings: marks({ releasableTo: [], tlp: 'AMBER+STRICT' }) },
    ),
    released: true,
  },
  {
    rule: 'I2 a relationship with both ends released goes',
    item: entity('x', 'Associate', { person: ['p0'], associate: ['p1'] }),
    context: [entity('p1', 'Person', { name: ['B'] })],
    released: true,
  },
  {
    rule: 'I2 a relationship with a withheld end stays',
    item: entity('x', 'Associate', { person: ['p0'], associate: ['pRed'] }),
    context: [redPerson],
    released: false,
    reason: /its end Person “Red Person” is withheld/,
  },
  {
    rule: 'I2 a relationship with an end outside the case stays',
    item: entity('x', 'Associate', { person: ['p0'], associate: ['nowhere'] }),
    released: false,
    reason: /not in the case/,
  },
  {
    rule: 'I2 a relationship whose end property is withheld stays',
    item: entity(
      'x',
      'Associate',
      { person: ['p0'], associate: ['p1'] },
      { propertyMarkings: { associate: marks({ tlp: 'RED' }) } },
    ),
    context: [entity('p1', 'Person', { name: ['B'] })],
    released: false,
    reason: /end property associate is withheld/,
  },
  {
    rule: 'I3 a note on a withheld entity stays',
    item: note('x', 'pRed'),
    context: [redPerson],
    released: false,
    reason: /its entity Person “Red Person” is withheld/,
  },
  { rule: 'I3 a note on a released entity goes', item: note('x', 'p0'), released: true },
  {
    rule: 'I3 an attachment on a withheld entity stays',
    item: attachment('x', 'pRed'),
    context: [redPerson],
    released: false,
    reason: /withheld/,
  },
  {
    rule: 'I3 a notice about a withheld subject stays',
    item: notice('x', 'pRed'),
    context: [redPerson],
    released: false,
    reason: /its subject .* is withheld/,
  },
  {
    rule: 'a note itself marked TLP:RED stays',
    item: note('x', 'p0', { markings: marks({ tlp: 'RED' }) }),
    released: false,
    reason: /TLP:RED/,
  },
  {
    rule: 'a record of another case stays',
    item: note('x', 'p0', { caseId: 'other' }),
    released: false,
    reason: /another case/,
  },
];

describe('release policy: one row per rule', () => {
  it.each(ROWS)('$rule', (row) => {
    const decision = decide([okPerson, ...(row.context ?? []), row.item]);
    expect(decision.policyVersion).toBe(POLICY_VERSION);
    expect(releasedIds(decision).has(row.item.id)).toBe(row.released);
    const withheld = decision.withheld.find((w) => w.id === row.item.id);
    if (row.released) {
      expect(withheld).toBeUndefined();
    } else {
      expect(withheld?.reasons.join('\n')).toMatch(row.reason!);
      expect(withheld?.caption.length).toBeGreaterThan(0);
    }
    // Whatever goes, goes with its markings exactly as they were.
    for (const record of decision.released.entities) {
      const original = [okPerson, ...(row.context ?? []), row.item].find(
        (r) => r.id === record.id,
      )!;
      expect(record.markings).toEqual(original.markings);
    }
  });
});

describe('release policy: the case as a whole', () => {
  const records = [okPerson, note('n1', 'p0')];
  const cases: readonly [string, SharingAgreement, Partial<ReleaseInput>, RegExp][] = [
    [
      'agreement with another partner',
      { ...AGREEMENT, partnerAgencyId: 'NL-POL' },
      {},
      /agreement is with NL-POL/,
    ],
    ['agreement expired', { ...AGREEMENT, validTo: '2025-01-01' }, {}, /not in force/],
    ['agreement not yet valid', { ...AGREEMENT, validFrom: '2026-01-01' }, {}, /not in force/],
    [
      'crime area outside the agreement',
      AGREEMENT,
      { case: caseRecord({ crimeAreas: ['drug trafficking', 'cybercrime'] }) },
      /cybercrime/,
    ],
    [
      'case without crime area',
      AGREEMENT,
      { case: caseRecord({ crimeAreas: [] }) },
      /no crime area/,
    ],
    [
      'case record not releasable',
      AGREEMENT,
      { case: caseRecord({ markings: marks({ releasableTo: [] }) }) },
      /case: not marked releasable/,
    ],
    [
      'agreement ceiling not on the ladder',
      { ...AGREEMENT, highestClassification: 'NATO SECRET' },
      {},
      /not on the ladder/,
    ],
  ];
  it.each(cases)('%s withholds everything', (_name, agreement, over, reason) => {
    const decision = decideRelease(inputOf(records, over), agreement, PARTNER, OWN, { now: NOW });
    expect(decision.released.case).toBeUndefined();
    expect(releasedIds(decision).size).toBe(0);
    expect(decision.withheld.map((w) => w.id).sort()).toEqual(['case1', 'n1', 'p0']);
    for (const item of decision.withheld) expect(item.reasons.join('\n')).toMatch(reason);
  });

  it('releases the case record itself when it passes', () => {
    expect(decide(records).released.case?.id).toBe(CASE_ID);
  });
});

describe('release policy: property level', () => {
  it('strips a property whose own marking fails and sends the record without it', () => {
    const person = entity(
      'p1',
      'Person',
      { name: ['Ivan'], birthDate: ['1980-01-01'], nationality: ['ru'] },
      {
        propertyMarkings: {
          birthDate: marks({ tlp: 'RED' }),
          nationality: marks({ classification: 'RESTRICTED' }),
        },
      },
    );
    const decision = decide([person]);
    const released = decision.released.entities.find((e) => e.id === 'p1')!;
    expect(released.properties).toEqual({ name: ['Ivan'], nationality: ['ru'] });
    expect(released.propertyMarkings).toEqual({
      nationality: person.propertyMarkings!.nationality,
    });
    expect(released.markings).toEqual(person.markings);
    expect(decision.stripped).toEqual([
      expect.objectContaining({
        id: 'p1',
        property: 'birthDate',
        reasons: [expect.stringMatching(/TLP:RED/)],
      }),
    ]);
  });

  it('a property marking cannot loosen the record marking', () => {
    const person = entity(
      'p1',
      'Person',
      { name: ['Ivan'], birthDate: ['1980-01-01'] },
      {
        markings: marks({ tlp: 'AMBER', releasableTo: [PARTNER] }),
        propertyMarkings: { birthDate: marks({ tlp: 'CLEAR', releasableTo: [PARTNER, THIRD] }) },
      },
    );
    const toThird = decideRelease(
      inputOf([person]),
      { ...AGREEMENT, partnerAgencyId: THIRD },
      THIRD,
      OWN,
      {
        now: NOW,
      },
    );
    expect(toThird.withheld.map((w) => w.id)).toContain('p1');
  });

  it('strips references to withheld entities and chart nodes of withheld entities', () => {
    // Changed for issue 8 (I6): a phone whose owner is withheld used to go without its owner
    // property; it identifies the owner, so it now stays with it. A company keeps going without
    // the reference to a withheld parent.
    const phone = entity('ph1', 'Phone', { number: ['+441234'], owner: ['pRed'] });
    const company = entity('co1', 'Company', { name: ['Acme Ltd'], parent: ['pRed'] });
    const view = chart('ch1', ['p0', 'pRed', 'ph1', 'co1']);
    const decision = decide([okPerson, redPerson, phone, company, view]);
    expect(decision.withheld.find((w) => w.id === 'ph1')?.rules).toEqual(['I6']);
    const releasedCompany = decision.released.entities.find((e) => e.id === 'co1')!;
    expect(releasedCompany.properties).toEqual({ name: ['Acme Ltd'] });
    expect(Object.keys(decision.released.charts[0]!.nodes).sort()).toEqual(['co1', 'p0']);
    expect(decision.stripped.map((s) => `${s.id}.${s.property}`).sort()).toEqual([
      'ch1.nodes',
      'co1.parent',
    ]);
  });
});

describe('assertReleasable: the second check on serialized content', () => {
  const person = entity(
    'p1',
    'Person',
    { name: ['Ivan'], birthDate: ['1980-01-01'] },
    { propertyMarkings: { birthDate: marks({ tlp: 'RED' }) } },
  );
  const input = inputOf([okPerson, redPerson, person, note('n1', 'p0'), note('n2', 'pRed')]);
  const check = {
    input,
    agreement: AGREEMENT,
    partnerId: PARTNER,
    ownAgencyId: OWN,
    options: { now: NOW },
  };
  const decision = decideRelease(input, AGREEMENT, PARTNER, OWN, { now: NOW });
  const caseFile = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      format: 'tessera.case',
      version: 1,
      case: decision.released.case,
      entities: decision.released.entities,
      notes: decision.released.notes,
      attachments: [],
      notices: [],
      charts: [],
      ...over,
    });

  it('accepts exactly what the policy released, as a case file and as operations', () => {
    expect(() => assertReleasable(caseFile(), check)).not.toThrow();
    const ops = decision.released.entities.map((record) => ({ op: 'create' as const, record }));
    expect(() => assertReleasable(serializeOperations(CASE_ID, ops), check)).not.toThrow();
  });

  const violations: readonly [string, () => string, RegExp][] = [
    [
      'a withheld entity slipped in',
      () => caseFile({ entities: [...decision.released.entities, redPerson] }),
      /Person “Red Person” \(pRed\) may not go to BKA: TLP:RED/,
    ],
    [
      'a note on a withheld entity',
      () => caseFile({ notes: [note('n2', 'pRed')] }),
      /note “Note n2” \(n2\)/,
    ],
    [
      'a stripped property put back',
      () => caseFile({ entities: [person] }),
      /properties.birthDate is withheld/,
    ],
    [
      'lowered markings',
      () =>
        caseFile({
          entities: [{ ...okPerson, markings: marks({ tlp: 'GREEN' }) }],
        }),
      /markings lowered: TLP lowered from AMBER to GREEN/,
    ],
    [
      'a set operation on a withheld record',
      () =>
        serializeOperations(CASE_ID, [
          {
            op: 'set',
            recordId: 'pRed',
            kind: 'entity',
            field: 'properties.name',
            value: ['X'],
            hlc: hlcAt(5),
            agency: OWN,
          },
        ]),
      /\(pRed\)/,
    ],
    [
      'a set operation on a stripped property',
      () =>
        serializeOperations(CASE_ID, [
          {
            op: 'set',
            recordId: 'p1',
            kind: 'entity',
            field: 'properties.birthDate',
            value: ['1980-01-01'],
            hlc: hlcAt(5),
            agency: OWN,
          },
        ]),
      /birthDate is withheld/,
    ],
    [
      'a tombstone of a withheld record',
      () =>
        serializeOperations(CASE_ID, [
          { op: 'tombstone', recordId: 'pRed', kind: 'entity', hlc: hlcAt(5), agency: OWN },
        ]),
      /pRed/,
    ],
    ['operations of another case', () => serializeOperations('other', []), /another case/],
    ['not JSON', () => 'garbage', /not valid JSON/],
  ];
  it.each(violations)('refuses %s, naming the item', (_name, content, message) => {
    expect(() => assertReleasable(content(), check)).toThrow(ReleaseViolationError);
    expect(() => assertReleasable(content(), check)).toThrow(message);
  });
});
