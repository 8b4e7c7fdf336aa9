/**
 * A large synthetic case for benchmarks: `n` node entities of a few types and `m` relationships
 * between them, deterministic (seeded), valid against the case-file schema and FtM validation so
 * it can go through the repository's import path unchanged.
 */
import type { CaseFile } from '../../shared/caseFile.ts';
import { CASE_FILE_FORMAT, CASE_FILE_VERSION } from '../../shared/caseFile.ts';
import type { CaseRecord, EntityRecord } from '../../shared/model/index.ts';
import { UNGRADED } from '../../shared/model/index.ts';
import { createRecordHeaders } from '../../e2e/harness/generatedCase.ts';

const FIRST = [
  'Ana',
  'Ion',
  'Maria',
  'Luca',
  'Elena',
  'Marco',
  'Sabine',
  'Radu',
  'Chiara',
  'Tomas',
];
const LAST = ['Popescu', 'Rossi', 'Huber', 'Ionescu', 'Bianchi', 'Gruber', 'Dumitru', 'Ricci'];

export function generateLargeCase(n: number, m: number, seed = 42): CaseFile {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const common = createRecordHeaders();
  const caseRecord: CaseRecord = {
    ...common('bench-case'),
    kind: 'case',
    reference: 'BENCH/1',
    title: `Benchmark case (${n} entities, ${m} relationships)`,
    status: 'open',
    leadInvestigator: 'Bench',
    crimeAreas: [],
    jurisdictions: ['ro'],
    openedOn: '2024-01-01',
  };
  const provenance = {
    source: 'bench',
    originAgency: 'bench',
    recordedBy: 'bench',
    recordedAt: '2024-01-01',
  };
  const entity = (
    id: string,
    schema: string,
    properties: EntityRecord['properties'],
  ): EntityRecord => ({
    ...common(id),
    kind: 'entity',
    caseId: 'bench-case',
    schema,
    properties,
    provenance,
    grading: UNGRADED,
  });
  const entities: EntityRecord[] = [];
  const people: string[] = [];
  const companies: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = `e${String(i).padStart(7, '0')}`;
    const pick = random();
    let schema: string;
    let properties: Record<string, string[]>;
    if (pick < 0.6 || people.length === 0) {
      schema = 'Person';
      const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(random() * LAST.length)]} ${i}`;
      properties = {
        name: [name],
        birthDate: [`19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 9}`],
        country: ['ro'],
      };
      people.push(id);
    } else if (pick < 0.85) {
      schema = 'Company';
      properties = {
        name: [`Example Holding ${i} SRL`],
        jurisdiction: ['at'],
        registrationNumber: [`FN${i}`],
      };
      companies.push(id);
    } else {
      schema = 'Phone';
      properties = { number: [`+44 7700 9${String(i % 100000).padStart(5, '0')}`] };
    }
    entities.push(entity(id, schema, properties));
  }
  const anyPerson = (): string => people[Math.floor(random() * people.length)];
  const anyOrg = (): string =>
    companies.length > 0 ? companies[Math.floor(random() * companies.length)] : anyPerson();
  for (let j = 0; j < m; j += 1) {
    const id = `r${String(j).padStart(7, '0')}`;
    const kind = j % 4;
    let schema: string;
    let properties: Record<string, string[]>;
    if (kind === 0) {
      schema = 'Associate';
      properties = { person: [anyPerson()], associate: [anyPerson()] };
    } else if (kind === 1 && companies.length > 0) {
      schema = 'Directorship';
      properties = { director: [anyPerson()], organization: [anyOrg()], role: ['director'] };
    } else if (kind === 2) {
      schema = 'Payment';
      properties = {
        payer: [anyOrg()],
        beneficiary: [anyPerson()],
        amount: [String(Math.round(random() * 100000))],
        currency: ['EUR'],
        date: [`2023-${String(1 + (j % 12)).padStart(2, '0')}-15`],
      };
    } else {
      schema = 'Family';
      properties = { person: [anyPerson()], relative: [anyPerson()], relationship: ['cousin'] };
    }
    entities.push(entity(id, schema, properties));
  }
  return {
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: '2024-01-01T00:00:00.000Z',
    exportedBy: 'bench',
    case: caseRecord,
    entities,
    notes: [],
    attachments: [],
    notices: [],
    charts: [],
  } as unknown as CaseFile;
}
