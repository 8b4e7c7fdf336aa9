/**
 * Issue 8, findings 1 and 4 (and the handling codes, and deletions as the policy sees them): each
 * leak the adversarial review reproduced, as a case. Every case is decided by `decideRelease`, and
 * the serialization that leaked before (the record as it was) is fed to `assertReleasable`, which
 * must refuse it with a code.
 */
import { describe, expect, it } from 'vitest';
import type { AnyRecord, EntityRecord } from '../model/records.ts';
import type { SharingAgreement } from './agreement.ts';
import { recordsOf } from './caseRecords.ts';
import { serializeOperations } from './operations.ts';
import type { ReleaseDecision, ReleaseInput, ReleaseViolationCode, RuleCode } from './policy.ts';
import { assertReleasable, decideRelease, ReleaseViolationError } from './policy.ts';
import {
  AGREEMENT,
  attachment,
  CASE_ID,
  caseRecord,
  entity,
  hlcAt,
  inputOf,
  marks,
  note,
  NOW,
  OWN,
  PARTNER,
} from './fixtures/releaseFixtures.ts';

const WITH_DOCUMENTS: SharingAgreement = {
  ...AGREEMENT,
  categories: [...AGREEMENT.categories, 'documents'],
};

function decideInput(input: ReleaseInput, agreement: SharingAgreement = AGREEMENT) {
  return decideRelease(input, agreement, PARTNER, OWN, { now: NOW });
}

function released(decision: ReleaseDecision, id: string): AnyRecord | undefined {
  const set = decision.released;
  return recordsOf(set).find((record) => record.id === id);
}

function rulesOf(decision: ReleaseDecision, id: string): RuleCode[] {
  return [...(decision.withheld.find((item) => item.id === id)?.rules ?? [])];
}

function strippedOf(decision: ReleaseDecision, id: string): Record<string, RuleCode[]> {
  return Object.fromEntries(
    decision.stripped.filter((s) => s.id === id).map((s) => [s.field, [...s.rules]]),
  );
}

/** A case file holding the given records as they are (the old, leaking serialization). */
function caseFileOf(input: ReleaseInput, records: readonly AnyRecord[]): string {
  return JSON.stringify({
    format: 'tessera.case',
    version: 1,
    case: records.find((r) => r.kind === 'case') ?? input.case,
    entities: records.filter((r) => r.kind === 'entity'),
    notes: records.filter((r) => r.kind === 'note'),
    attachments: records.filter((r) => r.kind === 'attachment'),
    notices: records.filter((r) => r.kind === 'notice'),
    charts: records.filter((r) => r.kind === 'chart'),
  });
}

function refusal(
  serialized: string,
  input: ReleaseInput,
  agreement: SharingAgreement = AGREEMENT,
): ReleaseViolationCode | 'accepted' {
  try {
    assertReleasable(serialized, {
      input,
      agreement,
      partnerId: PARTNER,
      ownAgencyId: OWN,
      options: { now: NOW },
    });
    return 'accepted';
  } catch (error) {
    if (error instanceof ReleaseViolationError) return error.code;
    throw error;
  }
}

/** The decision's own release, serialized, must pass the second check (no false alarms). */
function expectOwnReleaseAccepted(input: ReleaseInput, agreement: SharingAgreement = AGREEMENT) {
  const set = decideInput(input, agreement).released;
  const records = recordsOf(set);
  expect(refusal(caseFileOf(input, records), input, agreement)).toBe('accepted');
  const ops = records.map((record) => ({ op: 'create' as const, record }));
  expect(refusal(serializeOperations(CASE_ID, ops), input, agreement)).toBe('accepted');
}

const okPerson = entity('p0', 'Person', { name: ['Anna Releasable'] });
const redPerson = entity(
  'pRed',
  'Person',
  { name: ['Ivan Petrov'], phone: ['+44 7700 900123'] },
  { markings: marks({ tlp: 'RED' }) },
);

describe('finding 1: the originator rule never overrides local markings', () => {
  // A person the partner sent us, marked here SECRET + TLP:RED + refer to originator, with a
  // locally added TLP:RED note, and our Family edge pointing at it.
  const fromPartner = entity(
    'pB',
    'Person',
    { name: ['Boris Partnerov'], notes: ['Local informant: meets him on Fridays'] },
    {
      originAgency: PARTNER,
      markings: marks({
        classification: 'SECRET',
        tlp: 'RED',
        referToOriginator: true,
        releasableTo: [],
      }),
      propertyMarkings: { notes: marks({ tlp: 'RED', releasableTo: [] }) },
    },
  );
  const family = entity('fam', 'Family', { person: ['p0'], relative: ['pB'] });
  const input = inputOf([okPerson, fromPartner, family]);

  it('keeps the marked person and the edge to it home', () => {
    const decision = decideInput(input);
    expect(released(decision, 'pB')).toBeUndefined();
    expect(rulesOf(decision, 'pB')).toEqual(expect.arrayContaining(['M1', 'M3', 'M5']));
    expect(released(decision, 'fam')).toBeUndefined();
    expect(rulesOf(decision, 'fam')).toContain('I2');
    expect(refusal(caseFileOf(input, [input.case, okPerson, fromPartner, family]), input)).toBe(
      'not-released',
    );
    expectOwnReleaseAccepted(input);
  });

  it('returns the partner’s own record without what we added and marked', () => {
    const plain = {
      ...fromPartner,
      markings: marks({ releasableTo: [] }),
    };
    const mixed = inputOf([okPerson, plain, family]);
    const decision = decideInput(mixed);
    const back = released(decision, 'pB') as EntityRecord;
    expect(back.properties).toEqual({ name: ['Boris Partnerov'] });
    expect(strippedOf(decision, 'pB')['properties.notes']).toEqual(['M1']);
    expect(released(decision, 'fam')).toBeDefined();
    expect(refusal(caseFileOf(mixed, [mixed.case, okPerson, plain, family]), mixed)).toBe(
      'withheld-field',
    );
    expectOwnReleaseAccepted(mixed);
  });

  it('handling codes set on the partner’s material keep it home too', () => {
    const h4 = { ...fromPartner, markings: marks({ releasableTo: [], handlingCode: 'H4' }) };
    expect(rulesOf(decideInput(inputOf([h4])), 'pB')).toEqual(['M7']);
  });
});

describe('finding 4: marked data never travels through unmarked fields', () => {
  it('a case-level note repeating a TLP:RED person’s details stays', () => {
    const repeat = note('n1', undefined, {
      title: 'Meeting at the docks',
      body: 'Met IVAN  PETROV again; his phone is +44 7700 900123.',
    });
    const input = inputOf([okPerson, redPerson, repeat]);
    const decision = decideInput(input);
    expect(released(decision, 'n1')).toBeUndefined();
    expect(rulesOf(decision, 'n1')).toEqual(['F5']);
    expect(decision.withheld.find((w) => w.id === 'n1')?.reasons[0]).toMatch(/Ivan Petrov/);
    expect(refusal(caseFileOf(input, [input.case, okPerson, repeat]), input)).toBe('not-released');
    expectOwnReleaseAccepted(input);
  });

  it('a withheld attachment’s file name and description appear nowhere else', () => {
    const secretFile = attachment('a1', undefined, {
      fileName: 'petrov-surveillance-0412.jpg',
      description: 'Long-lens photo from the observation post',
      markings: marks({ tlp: 'RED' }),
    });
    const citing = attachment('a2', 'p0', {
      fileName: 'summary.pdf',
      description: 'Compare with petrov-surveillance-0412.jpg',
    });
    const titled = note('n2', 'p0', { title: 'About petrov-surveillance-0412.jpg' });
    const input = inputOf([okPerson, secretFile, citing, titled]);
    const decision = decideInput(input);
    expect(rulesOf(decision, 'a1')).toEqual(['M1']);
    expect(released(decision, 'a2')).not.toHaveProperty('description');
    expect(strippedOf(decision, 'a2')).toEqual({ description: ['F5'] });
    expect(rulesOf(decision, 'n2')).toEqual(['F5']);
    expect(JSON.stringify(decision.released)).not.toMatch(/petrov-surveillance|observation post/);
    expect(refusal(caseFileOf(input, [input.case, okPerson, secretFile]), input)).toBe(
      'not-released',
    );
    expect(refusal(caseFileOf(input, [input.case, okPerson, citing]), input)).toBe(
      'withheld-field',
    );
    expectOwnReleaseAccepted(input);
  });

  it('free text of an attachment that is only public goes without its description', () => {
    const publicFile = attachment('a3', undefined, {
      description: 'Taken by a source in the port authority',
      markings: marks({ tlp: 'CLEAR', releasableTo: [] }),
    });
    const input = inputOf([publicFile]);
    const decision = decideInput(input);
    expect(released(decision, 'a3')).not.toHaveProperty('description');
    expect(strippedOf(decision, 'a3')).toEqual({
      description: ['F2'],
      'provenance.source': ['F2'],
    });
    expect(refusal(caseFileOf(input, [input.case, publicFile]), input)).toBe('withheld-field');
    expectOwnReleaseAccepted(input);
  });

  it('the case description goes only when the case is released by name, and never mentioning what stays', () => {
    const publicCase = caseRecord({
      description: 'Background from the informant handler',
      markings: marks({ tlp: 'CLEAR', releasableTo: [] }),
    });
    const input = inputOf([okPerson], { case: publicCase });
    const decision = decideInput(input);
    expect(decision.released.case).toBeDefined();
    expect(decision.released.case).not.toHaveProperty('description');
    expect(strippedOf(decision, CASE_ID)).toEqual({ description: ['F2'] });
    expect(refusal(caseFileOf(input, [publicCase, okPerson]), input)).toBe('withheld-field');
    expectOwnReleaseAccepted(input);

    const mentioning = caseRecord({ description: 'Target: Ivan Petrov and associates' });
    const second = inputOf([okPerson, redPerson], { case: mentioning });
    const again = decideInput(second);
    expect(again.released.case).not.toHaveProperty('description');
    expect(strippedOf(again, CASE_ID)).toEqual({ description: ['F5'] });
    expect(refusal(caseFileOf(second, [mentioning, okPerson]), second)).toBe('withheld-field');
  });

  it('a case whose title names what stays does not go at all', () => {
    const input = inputOf([okPerson, redPerson], {
      case: caseRecord({ title: 'Operation Ivan Petrov' }),
    });
    const decision = decideInput(input);
    expect(decision.released.case).toBeUndefined();
    expect(decision.released.entities).toEqual([]);
    expect(rulesOf(decision, CASE_ID)).toEqual(['C4']);
  });

  it('provenance.source “… informant report” goes only by name', () => {
    const sourced = entity(
      'p2',
      'Person',
      { name: ['Carla Public'] },
      {
        markings: marks({ tlp: 'CLEAR', releasableTo: [] }),
        provenance: {
          source: 'CHIS 0042 informant report',
          originAgency: OWN,
          recordedBy: 'tester',
          recordedAt: NOW,
        },
      },
    );
    const input = inputOf([sourced]);
    const decision = decideInput(input);
    const out = released(decision, 'p2') as EntityRecord;
    expect(out.provenance.source).toBe('');
    expect(out.provenance.recordedBy).toBe('tester');
    expect(strippedOf(decision, 'p2')).toEqual({ 'provenance.source': ['F2'] });
    expect(JSON.stringify(decision.released)).not.toContain('informant');
    expect(refusal(caseFileOf(input, [input.case, sourced]), input)).toBe('withheld-field');
    expectOwnReleaseAccepted(input);
  });

  it('a source text shared with what stays goes where it is released by name; a unique one does not', () => {
    const source = (text: string) => ({
      source: text,
      originAgency: OWN,
      recordedBy: 'tester',
      recordedAt: NOW,
    });
    const listed = marks({ releasableTo: [PARTNER] });
    const informant = entity(
      'inf',
      'Person',
      { name: ['Informant K-7'] },
      { markings: marks({ releasableTo: [] }), provenance: source('Recorded in Tessera') },
    );
    const colleague = entity(
      'col',
      'Person',
      { name: ['Ivan Listed'] },
      { markings: listed, provenance: source('Recorded in Tessera') },
    );
    const secretSource = entity(
      'sec',
      'Person',
      { name: ['Olga Hidden'] },
      { markings: marks({ releasableTo: [] }), provenance: source('CHIS 0042 handler log') },
    );
    const quoting = note('n1', undefined, {
      markings: listed,
      body: 'As the CHIS 0042 handler log says, the van left at six.',
    });
    const input = inputOf([informant, colleague, secretSource, quoting]);
    const decision = decideInput(input);
    expect((released(decision, 'col') as EntityRecord).provenance.source).toBe(
      'Recorded in Tessera',
    );
    expect(released(decision, 'n1')).toBeUndefined();
    expect(JSON.stringify(decision.released)).not.toContain('CHIS 0042');
    expectOwnReleaseAccepted(input);
  });

  it('a withheld entity’s id inside a text property is stripped', () => {
    const pointing = entity('p3', 'Person', {
      name: ['Dora Listed'],
      notes: ['Same household as pRed, see there'],
    });
    const input = inputOf([redPerson, pointing]);
    const decision = decideInput(input);
    expect((released(decision, 'p3') as EntityRecord).properties).toEqual({
      name: ['Dora Listed'],
    });
    expect(strippedOf(decision, 'p3')).toEqual({ 'properties.notes': ['F5'] });
    expect(refusal(caseFileOf(input, [input.case, pointing]), input)).toBe('withheld-field');
    const op = serializeOperations(CASE_ID, [
      {
        op: 'set',
        recordId: 'p3',
        kind: 'entity',
        field: 'properties.notes',
        value: ['Same household as pRed, see there'],
        hlc: hlcAt(9),
        agency: OWN,
      },
    ]);
    expect(refusal(op, input)).toBe('withheld-field');
    expectOwnReleaseAccepted(input);
  });

  it('firstName and lastName go with name: marking the name strips every name part', () => {
    const named = entity(
      'p4',
      'Person',
      {
        name: ['Ivan Sidorov'],
        firstName: ['Ivan'],
        lastName: ['Sidorov'],
        alias: ['Vanya S.'],
        nationality: ['ru'],
      },
      { propertyMarkings: { name: marks({ tlp: 'RED' }) } },
    );
    const input = inputOf([named]);
    const decision = decideInput(input);
    expect((released(decision, 'p4') as EntityRecord).properties).toEqual({
      nationality: ['ru'],
    });
    expect(strippedOf(decision, 'p4')).toEqual({
      'properties.name': ['M1'],
      'properties.firstName': ['F3'],
      'properties.lastName': ['F3'],
      'properties.alias': ['F3'],
    });
    const leaky = { ...named, properties: { firstName: ['Ivan'], lastName: ['Sidorov'] } };
    delete (leaky as { propertyMarkings?: unknown }).propertyMarkings;
    expect(refusal(caseFileOf(input, [input.case, leaky]), input)).toBe('withheld-field');
    expectOwnReleaseAccepted(input);
  });

  it('a passport whose holder is withheld stays whole, and so does an account the holder owns', () => {
    const passport = entity('doc', 'Passport', { number: ['P1234567'], holder: ['pRed'] });
    const account = entity('acc', 'BankAccount', { iban: ['DE89370400440532013000'] });
    const owns = entity('own', 'Ownership', { owner: ['pRed'], asset: ['acc'] });
    const input = inputOf([okPerson, redPerson, passport, account, owns]);
    const decision = decideInput(input, WITH_DOCUMENTS);
    expect(rulesOf(decision, 'doc')).toEqual(['I6']);
    expect(rulesOf(decision, 'acc')).toEqual(['I6']);
    expect(rulesOf(decision, 'own')).toContain('I2');
    expect(JSON.stringify(decision.released)).not.toMatch(/P1234567|DE8937/);
    const stripped = { ...passport, properties: { number: ['P1234567'] } };
    expect(refusal(caseFileOf(input, [input.case, stripped]), input, WITH_DOCUMENTS)).toBe(
      'not-released',
    );
    expectOwnReleaseAccepted(input, WITH_DOCUMENTS);
  });
});

describe('handling codes are read, not ignored (M7)', () => {
  const coded = (handlingCode: string, over: Parameters<typeof marks>[0] = {}) =>
    entity(
      'h',
      'Person',
      { name: ['Coded Person'] },
      { markings: marks({ handlingCode, ...over }) },
    );
  const cases: readonly [string, EntityRecord, SharingAgreement, boolean][] = [
    ['"ORCON; NOFORN" to a foreign partner stays', coded('ORCON; NOFORN'), AGREEMENT, false],
    [
      '"ORCON; NOFORN" to a listed domestic partner goes',
      coded('ORCON; NOFORN'),
      { ...AGREEMENT, domestic: true },
      true,
    ],
    ['"orcon,noforn" is the same two codes', coded('orcon,noforn'), AGREEMENT, false],
    [
      'ORCON on public material without the listing stays',
      coded('ORCON', { tlp: 'CLEAR', releasableTo: [] }),
      AGREEMENT,
      false,
    ],
    ['an unknown code stays', coded('WNINTEL'), AGREEMENT, false],
    ['a known code beside an unknown one stays', coded('H1; LIMDIS'), AGREEMENT, false],
    ['H1 goes', coded('H1'), AGREEMENT, true],
    ['H4 never leaves', coded('H4'), AGREEMENT, false],
    [
      'H3 needs the partner named',
      coded('H3', { tlp: 'CLEAR', releasableTo: [] }),
      AGREEMENT,
      false,
    ],
  ];
  it.each(cases)('%s', (_name, record, agreement, goes) => {
    const input = inputOf([record]);
    const decision = decideInput(input, agreement);
    expect(released(decision, 'h') !== undefined).toBe(goes);
    if (!goes) {
      expect(rulesOf(decision, 'h')).toContain('M7');
      expect(refusal(caseFileOf(input, [input.case, record]), input, agreement)).toBe(
        'not-released',
      );
    }
  });

  it('a property’s handling code strips the property', () => {
    const person = entity(
      'p5',
      'Person',
      { name: ['Eva Coded'], birthPlace: ['Minsk'] },
      { propertyMarkings: { birthPlace: marks({ handlingCode: 'NOFORN' }) } },
    );
    const decision = decideInput(inputOf([person]));
    expect(strippedOf(decision, 'p5')).toEqual({ 'properties.birthPlace': ['M7'] });
  });
});

describe('deleted records (I7): the policy never releases their content', () => {
  const gone = { ...redPerson, id: 'pDel', deleted: true, markings: marks() };
  const link = entity('lnk', 'Associate', { person: ['p0'], associate: ['pDel'] });
  const input = inputOf([okPerson, gone, link]);
  const decision = decideInput(input);

  it('lists the deleted record apart, and what hangs on it stays', () => {
    expect(released(decision, 'pDel')).toBeUndefined();
    expect(decision.withheld.map((w) => w.id)).not.toContain('pDel');
    expect(decision.deleted).toEqual([{ id: 'pDel', kind: 'entity' }]);
    expect(rulesOf(decision, 'lnk')).toEqual(['I2']);
    expect(JSON.stringify(decision.released)).not.toContain('Ivan Petrov');
  });

  const tombstone = (recordId: string, kind: 'entity' = 'entity') =>
    serializeOperations(CASE_ID, [{ op: 'tombstone', recordId, kind, hlc: hlcAt(9), agency: OWN }]);
  it('accepts a bare tombstone of a deleted record', () => {
    expect(refusal(tombstone('pDel'), input)).toBe('accepted');
  });
  it('refuses its content, its restore, and a tombstone of a live record', () => {
    expect(refusal(serializeOperations(CASE_ID, [{ op: 'create', record: gone }]), input)).toBe(
      'deleted',
    );
    expect(
      refusal(
        serializeOperations(CASE_ID, [
          { op: 'restore', recordId: 'pDel', kind: 'entity', hlc: hlcAt(9), agency: OWN },
        ]),
        input,
      ),
    ).toBe('deleted');
    expect(refusal(tombstone('p0'), input)).toBe('deleted');
    expect(refusal(caseFileOf(input, [input.case, { ...okPerson, deleted: true }]), input)).toBe(
      'deleted',
    );
  });
});

describe('every field has a rule (F1)', () => {
  it('a record with a field the table does not name stays, and the check refuses it', () => {
    const odd = { ...okPerson, comment: 'smuggled' } as unknown as EntityRecord;
    const input = inputOf([odd]);
    const decision = decideInput(input);
    expect(rulesOf(decision, 'p0')).toEqual(['F1']);
    const clean = inputOf([okPerson]);
    expect(refusal(caseFileOf(clean, [clean.case, odd]), clean)).toBe('withheld-field');
  });
});
