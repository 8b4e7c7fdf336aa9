import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRelease } from '../../shared/exchange/policy.ts';
import { recordsOf } from '../../shared/exchange/caseRecords.ts';
import {
  AGREEMENT,
  NOW,
  OWN,
  PARTNER,
  THIRD,
  caseRecord,
  entity,
  inputOf,
  marks,
} from '../../shared/exchange/fixtures/releaseFixtures.ts';
import type { AnyRecord, CaseRecord } from '../../shared/model/index.ts';
import { releaseOffer } from './releaseOffer.ts';

const UNMARKED = marks({ releasableTo: [] });

function offer(records: readonly AnyRecord[], theCase: CaseRecord) {
  return releaseOffer({
    records: inputOf(records, { case: theCase }),
    agreement: AGREEMENT,
    partnerId: PARTNER,
    ownAgencyId: OWN,
    now: NOW,
  });
}
const offerOf = (records: readonly AnyRecord[], theCase: CaseRecord = caseRecord()) =>
  offer(records, theCase).map((item) => item.id);
const captions = (records: readonly AnyRecord[], theCase: CaseRecord) =>
  offer(records, theCase).map((item) => item.caption);

function releasedAfterMarking(
  records: readonly AnyRecord[],
  theCase: CaseRecord,
  ids: readonly string[],
): Set<string> {
  const mark = <R extends AnyRecord>(r: R): R =>
    ids.includes(r.id) ? { ...r, markings: { ...r.markings, releasableTo: [PARTNER] } } : r;
  const decision = decideRelease(
    inputOf(records.map(mark), { case: mark(theCase) }),
    AGREEMENT,
    PARTNER,
    OWN,
    { now: NOW },
  );
  return new Set(recordsOf(decision.released).map((r) => r.id));
}

describe('the first export offer', () => {
  it('offers the unmarked case and records that the agreement lets go, nothing else', () => {
    const ivan = entity('ivan', 'Person', { name: ['Ivan Petrov'] }, { markings: UNMARKED });
    const firm = entity('firm', 'Company', { name: ['Danube Freight'] }, { markings: UNMARKED });
    const link = entity(
      'link',
      'Directorship',
      { director: ['ivan'], organization: ['firm'] },
      { markings: UNMARKED },
    );
    const red = entity(
      'red',
      'Person',
      { name: ['Victim V'] },
      { markings: { ...UNMARKED, tlp: 'RED' } },
    );
    const secret = entity(
      'secret',
      'Person',
      { name: ['Source S'] },
      { markings: { ...UNMARKED, classification: 'SECRET' } },
    );
    const theirs = entity(
      'theirs',
      'Person',
      { name: ['Third T'] },
      { originAgency: THIRD, markings: UNMARKED },
    );
    const already = entity('already', 'Person', { name: ['Anna Marked'] });
    const records = [ivan, firm, link, red, secret, theirs, already];
    const unmarkedCase = caseRecord({ markings: UNMARKED });
    // Before: nothing goes, the case itself is unmarked.
    expect(releasedAfterMarking(records, unmarkedCase, []).size).toBe(0);
    const offer = offerOf(records, unmarkedCase);
    expect(offer.sort()).toEqual(['case1', 'firm', 'ivan', 'link']);
    expect(captions(records, unmarkedCase)).toContain('Directorship: Ivan Petrov → Danube Freight');
    // After the click: what was offered goes, with what was marked before; the rest stays home.
    expect([...releasedAfterMarking(records, unmarkedCase, offer)].sort()).toEqual([
      'already',
      'case1',
      'firm',
      'ivan',
      'link',
    ]);
  });

  it('offers nothing when everything that may go is marked already', () => {
    expect(offerOf([entity('p', 'Person', { name: ['Anna'] })])).toEqual([]);
  });

  it('never offers a record marked for another partner (a decision someone took)', () => {
    const other = entity(
      'other',
      'Person',
      { name: ['Only For C'] },
      { markings: marks({ releasableTo: ['CCC'] }) },
    );
    expect(offerOf([other])).toEqual([]);
  });

  it('is exact for generated cases: every offered record goes once marked, no other goes', () => {
    const kinds = ['unmarked', 'marked', 'red', 'secret', 'third', 'other'] as const;
    const markingsOf = {
      unmarked: { markings: UNMARKED },
      marked: {},
      red: { markings: { ...UNMARKED, tlp: 'RED' as const } },
      secret: { markings: { ...UNMARKED, classification: 'SECRET' } },
      third: { originAgency: THIRD, markings: UNMARKED },
      other: { markings: marks({ releasableTo: ['CCC'] }) },
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.constantFrom(...kinds)), { maxLength: 5 }),
        fc.boolean(),
        (people, links, caseMarked) => {
          const persons = people.map((kind, i) =>
            entity(`p${i}`, 'Person', { name: [`Person ${i}`] }, markingsOf[kind]),
          );
          const rels = links
            .filter(([a, b]) => a < persons.length && b < persons.length && a !== b)
            .map(([a, b, kind], i) =>
              entity(
                `l${i}`,
                'UnknownLink',
                { subject: [`p${a}`], object: [`p${b}`] },
                markingsOf[kind],
              ),
            );
          const records = [...persons, ...rels];
          const theCase = caseRecord(caseMarked ? {} : { markings: UNMARKED });
          const before = releasedAfterMarking(records, theCase, []);
          const offer = offerOf(records, theCase);
          const after = releasedAfterMarking(records, theCase, offer);
          // Every offered record goes once marked, and was withheld before.
          for (const id of offer) {
            expect(after.has(id)).toBe(true);
            expect(before.has(id)).toBe(false);
          }
          // Only unmarked records of our own are ever offered.
          const byId = new Map([theCase, ...records].map((r) => [r.id, r]));
          for (const id of offer) {
            const record = byId.get(id)!;
            expect(record.originAgency).toBe(OWN);
            expect(record.markings.releasableTo).toEqual([]);
          }
          // Marking every unmarked own record instead releases nothing more than the offer does.
          const allUnmarked = [theCase, ...records]
            .filter((r) => r.originAgency === OWN && r.markings.releasableTo.length === 0)
            .map((r) => r.id);
          const most = releasedAfterMarking(records, theCase, allUnmarked);
          expect([...most].sort()).toEqual([...after].sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
