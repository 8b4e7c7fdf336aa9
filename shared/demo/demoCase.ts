/**
 * The demo case a newcomer sees on first start: a fictional cross-border trafficking-in-human-beings
 * investigation spanning Romania, Austria and Italy. Everything here is invented: people's names,
 * companies (named "Exemplu", "Beispiel", "Esempio" — "example" in the three languages), phone
 * numbers (the UK Ofcom drama range +44 7700 900xxx and national numbers with a 555 block), IBANs
 * (valid check digits, computed here, on bank codes no bank uses) and vehicle plates.
 *
 * Determinism: given the same agency id and `now`, the output is byte-for-byte the same. Ids are
 * ULID-shaped (time part from `now`, the rest from a seeded generator), clock values come from a
 * hybrid logical clock pinned to `now`, and amounts and dates from the same seeded generator.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CaseFile } from '../caseFile.ts';
import { CASE_FILE_FORMAT, CASE_FILE_VERSION } from '../caseFile.ts';
import type {
  AttachmentRecord,
  CaseRecord,
  ChartNodeView,
  ChartRecord,
  EntityRecord,
  Markings,
  NoteRecord,
  NoticeRecord,
  Provenance,
} from '../model/index.ts';
import {
  DEFAULT_MARKINGS,
  edgeEnds,
  HybridLogicalClock,
  isEdgeSchema,
  parseGrading,
} from '../model/index.ts';
import { createRandom } from '../base/random.ts';
import { forceLayout } from '../layout/index.ts';
import { base64ToBytes, bytesToBase64, utf8Bytes } from './base64.ts';

export interface DemoCaseOptions {
  readonly agencyId: string;
  readonly now: Date;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** IBAN check digits (ISO 13616, mod 97) for a country code and BBAN. */
export function ibanWithCheckDigits(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  const check = String(98 - remainder).padStart(2, '0');
  return `${country}${check}${bban}`;
}

// A 16×16 grey silhouette, generated once (a placeholder photograph).
const PHOTO_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAOElEQVR42mM4cfY6SYhhIDTY2LjBEWENyKqx6hmOGkgOJWLjAdMluNzGQKRquB7SNRCvGoJI1gAAzAKzTFvCmbUAAAAASUVORK5CYII=';

/** A one-page PDF 1.4 with a few lines of Helvetica text; the xref offsets are computed. */
function buildPdf(lines: readonly string[]): string {
  const escape = (text: string): string => text.replace(/[\\()]/g, (c) => `\\${c}`);
  const stream = [
    'BT /F1 11 Tf 56 780 Td 14 TL',
    ...lines.map((line) => `(${escape(line)}) '`),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return body;
}

interface NodeSpec {
  readonly key: string;
  readonly schema: string;
  readonly properties: Record<string, string[]>;
  readonly source?: string;
  readonly grade?: string;
  readonly markings?: Partial<Markings>;
}

export function createDemoCase(options: DemoCaseOptions): CaseFile {
  const { agencyId } = options;
  const nowMs = options.now.getTime();
  const random = createRandom(hashString(`${agencyId}|${nowMs}`));
  const clock = new HybridLogicalClock('demo', () => nowMs);
  const nowIso = options.now.toISOString();
  const day = (offsetDays: number): string =>
    new Date(nowMs + offsetDays * 86_400_000).toISOString().slice(0, 10);

  let timePart = '';
  for (let t = nowMs, i = 0; i < 10; i += 1, t = Math.floor(t / 32))
    timePart = CROCKFORD[t % 32] + timePart;
  const newDemoId = (): string => {
    let rest = '';
    for (let i = 0; i < 16; i += 1) rest += CROCKFORD[Math.floor(random() * 32)];
    return timePart + rest;
  };

  const base = (markings: Partial<Markings> = {}) => {
    const hlc = clock.now();
    return {
      id: newDemoId(),
      createdAt: hlc,
      updatedAt: hlc,
      deleted: false,
      originAgency: agencyId,
      markings: { ...DEFAULT_MARKINGS, ...markings },
    };
  };
  const provenance = (source: string, recordedBy = 'Insp. Demo Analyst'): Provenance => ({
    source,
    originAgency: agencyId,
    recordedBy,
    recordedAt: nowIso,
  });

  const caseRecord: CaseRecord = {
    ...base({ classification: 'RESTRICTED' }),
    kind: 'case',
    reference: 'DEMO/2024/0417',
    title: 'Operation Lantern (demo) — labour exploitation network RO–AT–IT',
    status: 'open',
    leadInvestigator: 'Insp. Demo Analyst',
    crimeAreas: ['trafficking in human beings', 'labour exploitation', 'money laundering'],
    jurisdictions: ['ro', 'at', 'it'],
    openedOn: day(-240),
    description:
      'Fictional demonstration case. A recruitment agency in Constanța places workers with cleaning and ' +
      'hospitality businesses in Vienna and Verona; wages are withheld as "debts" and moved back to ' +
      'Romania through a transport company. All people, companies and numbers are invented.',
  };
  const caseId = caseRecord.id;

  const entities: EntityRecord[] = [];
  const ids = new Map<string, string>();
  const id = (key: string): string => {
    const found = ids.get(key);
    if (!found) throw new Error(`demo case: unknown key ${key}`);
    return found;
  };

  const SOURCES = {
    ro: 'DIICOT Constanța intelligence report 2024/117',
    at: 'BK Wien surveillance log 2024/31',
    it: 'Squadra Mobile Verona report 2024/8',
    fin: 'FIU financial analysis FA-2024-022',
    tel: 'Call detail records, production order 2024/55',
    vic: 'Victim interview V-01 (anonymised)',
    reg: 'Company register extracts',
    osint: 'Open-source research',
  } as const;

  const addNode = (spec: NodeSpec): void => {
    const record: EntityRecord = {
      ...base(spec.markings),
      kind: 'entity',
      caseId,
      schema: spec.schema,
      properties: spec.properties,
      provenance: provenance(spec.source ?? SOURCES.ro),
      grading: parseGrading(spec.grade ?? 'B2'),
    };
    ids.set(spec.key, record.id);
    entities.push(record);
  };

  // ---- People
  const people: [string, string, string, string, Partial<NodeSpec>?][] = [
    ['radu', 'Radu Cazacu', 'ro', '1979-03-14', { grade: 'A2' }],
    ['elena', 'Elena Cazacu', 'ro', '1983-07-02'],
    ['cosmin', 'Cosmin Cazacu', 'ro', '1985-11-23'],
    ['marius', 'Marius Dobrescu', 'ro', '1990-01-30', { grade: 'B3' }],
    ['ioana', 'Ioana Stanciu', 'ro', '1992-06-17'],
    ['florin', 'Florin Neagu', 'ro', '1987-09-05', { grade: 'C3' }],
    ['gerhard', 'Gerhard Lindmaier', 'at', '1968-12-01', { source: SOURCES.at }],
    ['sabine', 'Sabine Kofelhuber', 'at', '1975-04-09', { source: SOURCES.at, grade: 'B3' }],
    ['thomas', 'Thomas Aignerwald', 'at', '1981-08-21', { source: SOURCES.at }],
    ['luca', 'Luca Ferraretti', 'it', '1972-02-11', { source: SOURCES.it, grade: 'B2' }],
    ['chiara', 'Chiara Bellandi', 'it', '1986-10-03', { source: SOURCES.it }],
    ['matteo', 'Matteo Rinaldone', 'it', '1994-05-28', { source: SOURCES.it, grade: 'C2' }],
    ['sorin', 'Sorin Albulescu', 'ro', '1991-03-03', { grade: 'D4' }],
    ['v1', 'Victim V-01', 'ro', '1999-01-01', { source: SOURCES.vic, grade: 'A1' }],
    ['v2', 'Victim V-02', 'ro', '2001-01-01', { source: SOURCES.vic, grade: 'B1' }],
    ['v3', 'Victim V-03', 'ro', '1997-01-01', { source: SOURCES.vic, grade: 'B2' }],
    ['v4', 'Victim V-04', 'ro', '2000-01-01', { source: SOURCES.vic, grade: 'C2' }],
  ];
  for (const [key, name, country, birthDate, extra] of people) {
    const [firstName, ...rest] = name.split(' ');
    addNode({
      key,
      schema: 'Person',
      properties: {
        name: [name],
        ...(key.startsWith('v') ? {} : { firstName: [firstName], lastName: [rest.join(' ')] }),
        birthDate: [birthDate],
        nationality: [country],
        country: [country],
        ...(key === 'radu' ? { alias: ['Capitanul'], notes: ['Main suspect (fictional).'] } : {}),
      },
      ...(key.startsWith('v')
        ? { markings: { classification: 'CONFIDENTIAL', tlp: 'RED' as const } }
        : {}),
      ...extra,
    });
  }

  // ---- Companies and organisations
  const companies: [string, string, string, string, string][] = [
    ['transport', 'Company', 'Transport Exemplu SRL', 'ro', 'J13/9999/2015'],
    ['agency', 'Company', 'Agentia de Recrutare Exemplu SRL', 'ro', 'J13/9998/2019'],
    ['cleaning', 'Company', 'Beispiel Reinigungsdienste GmbH', 'at', 'FN 999991x'],
    ['rental', 'Company', 'Musterhaus Vermietung GmbH', 'at', 'FN 999992y'],
    ['servizi', 'Company', 'Esempio Servizi S.r.l.', 'it', 'VR-999901'],
    ['bar', 'Company', 'Bar Esempio di Bellandi & C. S.n.c.', 'it', 'VR-999902'],
    ['assoc', 'Organization', 'Asociatia Culturala Exemplu', 'ro', 'ASOC-0001'],
  ];
  for (const [key, schema, name, country, registrationNumber] of companies) {
    addNode({
      key,
      schema,
      properties: {
        name: [name],
        jurisdiction: [country],
        country: [country],
        registrationNumber: [registrationNumber],
      },
      source: SOURCES.reg,
      grade: 'A1',
    });
  }

  // ---- Phones
  const phones: [string, string, string, string][] = [
    ['ph-radu', '+44 7700 900101', 'radu', 'Burner, UK SIM'],
    ['ph-radu2', '+40 700 555 011', 'radu', 'Personal line'],
    ['ph-marius', '+40 700 555 012', 'marius', 'Recruitment line'],
    ['ph-florin', '+44 7700 900102', 'florin', 'Driver handset'],
    ['ph-gerhard', '+43 660 555 0101', 'gerhard', 'Business line'],
    ['ph-thomas', '+44 7700 900103', 'thomas', 'Burner'],
    ['ph-luca', '+39 300 555 0101', 'luca', 'Business line'],
    ['ph-matteo', '+44 7700 900104', 'matteo', 'Burner'],
  ];
  for (const [key, number, , provider] of phones) {
    addNode({
      key,
      schema: 'Phone',
      properties: { number: [number], provider: [provider] },
      source: SOURCES.tel,
      grade: 'A1',
    });
  }

  // ---- Vehicles
  const vehicles: [string, string, string, string][] = [
    ['van', 'Minibus (9 seats)', 'CT-99-XMP', 'ro'],
    ['car-radu', 'Black SUV', 'B-999-DMO', 'ro'],
    ['van-at', 'Delivery van', 'W-99999X', 'at'],
    ['car-luca', 'Grey saloon', 'XX 999 ZZ', 'it'],
  ];
  for (const [key, name, plate, country] of vehicles) {
    addNode({
      key,
      schema: 'Vehicle',
      properties: { name: [name], registrationNumber: [plate], country: [country], type: ['car'] },
      source: country === 'ro' ? SOURCES.ro : country === 'at' ? SOURCES.at : SOURCES.it,
    });
  }

  // ---- Bank accounts (bank codes chosen not to be real institutions)
  const accounts: [string, string, string, string][] = [
    [
      'acc-transport',
      ibanWithCheckDigits('RO', 'XMPL0000000000000417'),
      'Banca Exemplu (fictional)',
      'ro',
    ],
    [
      'acc-radu',
      ibanWithCheckDigits('RO', 'XMPL0000000000000418'),
      'Banca Exemplu (fictional)',
      'ro',
    ],
    [
      'acc-agency',
      ibanWithCheckDigits('RO', 'XMPL0000000000000419'),
      'Banca Exemplu (fictional)',
      'ro',
    ],
    [
      'acc-cleaning',
      ibanWithCheckDigits('AT', '9999900000000417'),
      'Beispielbank (fictional)',
      'at',
    ],
    ['acc-rental', ibanWithCheckDigits('AT', '9999900000000418'), 'Beispielbank (fictional)', 'at'],
    [
      'acc-servizi',
      ibanWithCheckDigits('IT', 'X9999999999000000000417'),
      'Banca Esempio (fictional)',
      'it',
    ],
  ];
  for (const [key, iban, bankName, country] of accounts) {
    addNode({
      key,
      schema: 'BankAccount',
      properties: { iban: [iban], bankName: [bankName], country: [country] },
      source: SOURCES.fin,
      grade: 'A1',
    });
  }
  addNode({
    key: 'wallet',
    schema: 'CryptoWallet',
    properties: {
      publicKey: ['demo1qexamplewalletaddress0417'],
      currency: ['BTC'],
      holder: [id('radu')],
    },
    source: SOURCES.fin,
    grade: 'C3',
  });

  // ---- Identity documents, addresses, biometrics, stolen property
  const passports: [string, string, string, string][] = [
    ['pp-radu', 'radu', '059999417', 'ro'],
    ['pp-gerhard', 'gerhard', 'P9999417', 'at'],
    ['pp-luca', 'luca', 'YA9999417', 'it'],
  ];
  for (const [key, holder, number, country] of passports) {
    addNode({
      key,
      schema: 'Passport',
      properties: {
        holder: [id(holder)],
        number: [number],
        country: [country],
        endDate: [day(900)],
      },
      source: SOURCES.osint,
      grade: 'B2',
    });
  }
  const addresses: [string, string, string, string][] = [
    ['addr-constanta', 'Strada Exemplului 17, 900999 Constanța', 'Constanța', 'ro'],
    ['addr-agency', 'Bulevardul Demonstrației 4, 900998 Constanța', 'Constanța', 'ro'],
    ['addr-vienna', 'Beispielgasse 9/4, 1999 Wien', 'Wien', 'at'],
    ['addr-vienna2', 'Mustergasse 12, 1999 Wien', 'Wien', 'at'],
    ['addr-verona', 'Via dell’Esempio 41, 37199 Verona', 'Verona', 'it'],
  ];
  for (const [key, full, city, country] of addresses) {
    addNode({
      key,
      schema: 'Address',
      properties: { full: [full], city: [city], country: [country] },
    });
  }
  addNode({
    key: 'bio-radu',
    schema: 'BiometricRecord',
    properties: {
      biometricType: ['fingerprint'],
      recordReference: ['AFIS-DEMO-0417'],
      holdingAgency: ['Forensic institute (fictional)'],
      collectedDate: [day(-3000)],
      subject: [id('radu')],
    },
    source: 'Forensic service reply 2024/12',
    grade: 'A1',
    markings: { classification: 'CONFIDENTIAL' },
  });
  addNode({
    key: 'stolen-van',
    schema: 'StolenProperty',
    properties: {
      name: ['Stolen delivery van'],
      itemType: ['vehicle'],
      serialNumber: ['VIN XMPL0000000000417'],
      stolenStatus: ['stolen'],
      reportReference: ['LPD-W-2023/999'],
      stolenDate: [day(-400)],
    },
    source: SOURCES.at,
  });
  addNode({
    key: 'stolen-passports',
    schema: 'StolenProperty',
    properties: {
      name: ['Blank passports (batch of 20)'],
      itemType: ['document'],
      serialNumber: ['BATCH-XMPL-0417'],
      stolenStatus: ['stolen'],
      reportReference: ['IT-VR-2023/998'],
      stolenDate: [day(-500)],
    },
    source: SOURCES.it,
    grade: 'B3',
  });

  // ---- Events
  const events: [string, string, number, string][] = [
    ['ev-border', 'Minibus crosses the Romanian–Hungarian border with 8 passengers', -200, 'ro'],
    ['ev-meeting', 'Meeting of Cazacu, Lindmaier and Ferraretti in Verona', -150, 'it'],
    ['ev-raid', 'Inspection of a shared flat in Vienna', -60, 'at'],
    ['ev-complaint', 'Victim V-01 reports withheld wages', -45, 'at'],
  ];
  for (const [key, name, offset, country] of events) {
    addNode({
      key,
      schema: 'Event',
      properties: { name: [name], date: [day(offset)], country: [country] },
      source: country === 'at' ? SOURCES.at : country === 'it' ? SOURCES.it : SOURCES.ro,
    });
  }

  // ---- Relationships
  const addEdge = (
    schema: string,
    properties: Record<string, string[]>,
    source?: string,
    grade?: string,
  ): void => {
    const record: EntityRecord = {
      ...base(),
      kind: 'entity',
      caseId,
      schema,
      properties,
      provenance: provenance(source ?? SOURCES.ro),
      grading: parseGrading(grade ?? 'B2'),
    };
    entities.push(record);
  };
  const link = (
    schema: string,
    from: string,
    to: string,
    ends: [string, string],
    extra: Record<string, string[]> = {},
    source?: string,
    grade?: string,
  ): void =>
    addEdge(schema, { [ends[0]]: [id(from)], [ends[1]]: [id(to)], ...extra }, source, grade);

  for (const [a, b, relationship] of [
    ['radu', 'elena', 'spouse'],
    ['radu', 'cosmin', 'brother'],
    ['elena', 'ioana', 'cousin'],
  ] as const) {
    link(
      'Family',
      a,
      b,
      ['person', 'relative'],
      { relationship: [relationship] },
      SOURCES.osint,
      'B1',
    );
  }
  for (const [a, b, relationship, grade] of [
    ['radu', 'marius', 'recruiter', 'B2'],
    ['radu', 'florin', 'driver', 'B2'],
    ['radu', 'gerhard', 'business partner', 'B2'],
    ['radu', 'luca', 'business partner', 'C3'],
    ['radu', 'sorin', 'enforcer', 'D4'],
    ['marius', 'ioana', 'co-recruiter', 'B2'],
    ['gerhard', 'sabine', 'accountant', 'B3'],
    ['gerhard', 'thomas', 'flat manager', 'B2'],
    ['luca', 'chiara', 'associate', 'C3'],
    ['luca', 'matteo', 'courier', 'B3'],
    ['cosmin', 'florin', 'associate', 'C3'],
    ['sorin', 'thomas', 'associate', 'D3'],
  ] as const) {
    link(
      'Associate',
      a,
      b,
      ['person', 'associate'],
      { relationship: [relationship] },
      SOURCES.ro,
      grade,
    );
  }
  for (const [owner, asset, percentage] of [
    ['radu', 'transport', '100'],
    ['elena', 'agency', '60'],
    ['ioana', 'agency', '40'],
    ['gerhard', 'cleaning', '75'],
    ['sabine', 'cleaning', '25'],
    ['gerhard', 'rental', '100'],
    ['luca', 'servizi', '100'],
    ['chiara', 'bar', '50'],
    ['luca', 'bar', '50'],
    ['transport', 'van', ''],
    ['radu', 'car-radu', ''],
    ['cleaning', 'van-at', ''],
    ['luca', 'car-luca', ''],
    ['transport', 'acc-transport', ''],
    ['radu', 'acc-radu', ''],
    ['agency', 'acc-agency', ''],
    ['cleaning', 'acc-cleaning', ''],
    ['rental', 'acc-rental', ''],
    ['servizi', 'acc-servizi', ''],
  ] as const) {
    link(
      'Ownership',
      owner,
      asset,
      ['owner', 'asset'],
      percentage ? { percentage: [percentage] } : {},
      SOURCES.reg,
      'A1',
    );
  }
  for (const [director, organization, role] of [
    ['cosmin', 'transport', 'administrator'],
    ['marius', 'agency', 'administrator'],
    ['gerhard', 'cleaning', 'Geschäftsführer'],
    ['thomas', 'rental', 'Geschäftsführer'],
    ['luca', 'servizi', 'amministratore unico'],
    ['chiara', 'bar', 'socio amministratore'],
  ] as const) {
    link(
      'Directorship',
      director,
      organization,
      ['director', 'organization'],
      { role: [role], startDate: [day(-1200)] },
      SOURCES.reg,
      'A1',
    );
  }
  for (const [employee, employer, role] of [
    ['florin', 'transport', 'driver'],
    ['sorin', 'transport', 'driver'],
    ['sabine', 'cleaning', 'accountant'],
    ['matteo', 'servizi', 'warehouse worker'],
    ['v1', 'cleaning', 'cleaner'],
    ['v2', 'cleaning', 'cleaner'],
    ['v3', 'bar', 'waitress'],
    ['v4', 'servizi', 'warehouse worker'],
  ] as const) {
    link(
      'Employment',
      employee,
      employer,
      ['employee', 'employer'],
      { role: [role] },
      SOURCES.vic,
      'B2',
    );
  }
  link(
    'Membership',
    'radu',
    'assoc',
    ['member', 'organization'],
    { role: ['president'] },
    SOURCES.osint,
    'C3',
  );
  link(
    'Membership',
    'marius',
    'assoc',
    ['member', 'organization'],
    { role: ['member'] },
    SOURCES.osint,
    'C3',
  );

  // Payments: wages withheld abroad flow back to Romania as "transport services".
  const paymentRoutes: [string, string, string, string, string][] = [
    ['cleaning', 'transport', 'acc-cleaning', 'acc-transport', 'Transport services'],
    ['rental', 'transport', 'acc-rental', 'acc-transport', 'Transport services'],
    ['servizi', 'transport', 'acc-servizi', 'acc-transport', 'Logistics invoice'],
    ['transport', 'radu', 'acc-transport', 'acc-radu', 'Dividend advance'],
    ['agency', 'marius', 'acc-agency', '', 'Commission'],
    ['cleaning', 'agency', 'acc-cleaning', 'acc-agency', 'Recruitment fee'],
    ['servizi', 'agency', 'acc-servizi', 'acc-agency', 'Recruitment fee'],
  ];
  for (let i = 0; i < 22; i += 1) {
    const [payer, beneficiary, payerAccount, beneficiaryAccount, purpose] =
      paymentRoutes[i % paymentRoutes.length];
    const amount = (Math.round((1500 + random() * 18_000) / 10) * 10).toFixed(2);
    addEdge(
      'Payment',
      {
        payer: [id(payer)],
        beneficiary: [id(beneficiary)],
        payerAccount: [id(payerAccount)],
        ...(beneficiaryAccount ? { beneficiaryAccount: [id(beneficiaryAccount)] } : {}),
        amount: [amount],
        currency: ['EUR'],
        date: [day(-220 + i * 9 + Math.floor(random() * 5))],
        purpose: [purpose],
      },
      SOURCES.fin,
      i % 5 === 0 ? 'B2' : 'A1',
    );
  }

  // Calls between the handsets' users, with the numbers on each end.
  const phoneOf = new Map(phones.map(([key, number, owner]) => [owner, { key, number }]));
  const callPairs: [string, string][] = [
    ['radu', 'marius'],
    ['radu', 'florin'],
    ['radu', 'gerhard'],
    ['radu', 'luca'],
    ['gerhard', 'thomas'],
    ['luca', 'matteo'],
    ['marius', 'florin'],
    ['thomas', 'florin'],
    ['matteo', 'radu'],
  ];
  for (let i = 0; i < 22; i += 1) {
    const [caller, receiver] = callPairs[i % callPairs.length];
    addEdge(
      'Call',
      {
        caller: [id(caller)],
        receiver: [id(receiver)],
        callerNumber: [phoneOf.get(caller)!.number],
        receiverNumber: [phoneOf.get(receiver)!.number],
        date: [
          `${day(-180 + i * 7)}T${String(8 + Math.floor(random() * 13)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00Z`,
        ],
        duration: [String(20 + Math.floor(random() * 600))],
      },
      SOURCES.tel,
      'A1',
    );
  }

  // Handsets, addresses, events, documents and property linked to their people.
  for (const [key, , owner] of phones) {
    link(
      'UnknownLink',
      owner,
      key,
      ['subject', 'object'],
      { role: ['uses phone'] },
      SOURCES.tel,
      'B2',
    );
  }
  for (const [subject, address, role] of [
    ['radu', 'addr-constanta', 'lives at'],
    ['elena', 'addr-constanta', 'lives at'],
    ['agency', 'addr-agency', 'registered office'],
    ['v1', 'addr-vienna', 'housed at'],
    ['v2', 'addr-vienna', 'housed at'],
    ['rental', 'addr-vienna2', 'registered office'],
    ['v3', 'addr-verona', 'housed at'],
    ['v4', 'addr-verona', 'housed at'],
  ] as const) {
    link(
      'UnknownLink',
      subject,
      address,
      ['subject', 'object'],
      { role: [role] },
      SOURCES.ro,
      'B2',
    );
  }
  for (const [subject, event, role] of [
    ['florin', 'ev-border', 'driver'],
    ['van', 'ev-border', 'vehicle used'],
    ['v1', 'ev-border', 'passenger'],
    ['radu', 'ev-meeting', 'participant'],
    ['gerhard', 'ev-meeting', 'participant'],
    ['luca', 'ev-meeting', 'participant'],
    ['thomas', 'ev-raid', 'present'],
    ['v1', 'ev-complaint', 'complainant'],
  ] as const) {
    link('UnknownLink', subject, event, ['subject', 'object'], { role: [role] }, SOURCES.at, 'B2');
  }
  link(
    'UnknownLink',
    'thomas',
    'stolen-van',
    ['subject', 'object'],
    { role: ['seen driving'] },
    SOURCES.at,
    'C3',
  );
  link(
    'UnknownLink',
    'matteo',
    'stolen-passports',
    ['subject', 'object'],
    { role: ['suspected possession'] },
    SOURCES.it,
    'D3',
  );
  link(
    'UnknownLink',
    'radu',
    'bio-radu',
    ['subject', 'object'],
    { role: ['fingerprints on file'] },
    'Forensic service reply 2024/12',
    'A1',
  );

  // ---- Notes
  const notes: NoteRecord[] = [
    [
      'Case summary',
      'Recruitment in Constanța through the agency; workers housed in Vienna and Verona; "debts" deducted from wages and returned via Transport Exemplu SRL.',
      undefined,
    ],
    [
      'Interview V-01 (extract)',
      'V-01 states the passport was kept by the flat manager "Thomas" and wages were paid in cash, minus rent and transport.',
      'v1',
    ],
    [
      'Financial pattern',
      'Payments to Transport Exemplu SRL follow the monthly wage cycle of the Austrian and Italian employers.',
      'transport',
    ],
    [
      'Open question',
      'Is the Verona meeting linked to the stolen blank passports? Request Italian records.',
      'luca',
    ],
    [
      'Next steps',
      'Request JIT with Austria and Italy; preserve CDRs; financial production orders for the Beispielbank accounts.',
      undefined,
    ],
  ].map(([title, body, about]) => ({
    ...base(),
    kind: 'note' as const,
    caseId,
    title: title!,
    body: body!,
    author: 'Insp. Demo Analyst',
    ...(about ? { entityId: id(about) } : {}),
  }));

  // ---- Notices
  const notices: NoticeRecord[] = [
    {
      ...base({ classification: 'RESTRICTED' }),
      kind: 'notice',
      caseId,
      noticeType: 'red',
      subjectId: id('radu'),
      reference: 'A-9999/4-2024 (demo)',
      issuingAgency: 'ICPO-INTERPOL (demo)',
      status: 'issued',
      issuedOn: day(-30),
      expiresOn: day(1795),
      summary: 'Wanted for prosecution: trafficking in human beings, money laundering (fictional).',
    },
    {
      ...base(),
      kind: 'notice',
      caseId,
      noticeType: 'yellow',
      subjectId: id('v2'),
      reference: 'A-9998/4-2024 (demo)',
      issuingAgency: 'ICPO-INTERPOL (demo)',
      status: 'issued',
      issuedOn: day(-40),
      summary: 'Missing person: possible victim, last seen in Vienna (fictional).',
    },
    {
      ...base(),
      kind: 'notice',
      caseId,
      noticeType: 'diffusion',
      subjectId: id('luca'),
      reference: 'DIF-2024-0417 (demo)',
      issuingAgency: 'Demo national central bureau',
      status: 'requested',
      summary: 'Locate and report movements (fictional).',
    },
  ];

  // ---- Attachments
  const surveillanceLog = [
    'SURVEILLANCE LOG — Operation Lantern (DEMO, FICTIONAL)',
    `Date: ${day(-62)}   Team: OBS-2   Location: Beispielgasse 9, Wien`,
    '',
    '06:10  Delivery van W-99999X arrives, driver matches THOMAS.',
    '06:14  Six persons leave the building and board the van.',
    '06:20  Van departs towards the Gürtel.',
    '18:45  Van returns; five persons enter the building.',
    '19:02  THOMAS makes a call from handset +44 7700 900103 (CDR requested).',
    '',
    'End of log.',
  ].join('\n');
  const reportPdf = buildPdf([
    'Operation Lantern (DEMO) - financial analysis summary',
    'All names, companies and accounts in this document are fictional.',
    '',
    'Payments from Austrian and Italian employers to Transport Exemplu SRL',
    'track the monthly wage cycle; part is forwarded to the main suspect.',
  ]);
  const attachmentSpecs: [string, string, Uint8Array, string, string | undefined][] = [
    [
      'suspect-photo.png',
      'image/png',
      base64ToBytes(PHOTO_PNG_BASE64),
      'Placeholder photograph (demo)',
      'radu',
    ],
    [
      'financial-analysis.pdf',
      'application/pdf',
      utf8Bytes(reportPdf),
      'FIU analysis summary (demo)',
      'transport',
    ],
    [
      'surveillance-log.txt',
      'text/plain',
      utf8Bytes(surveillanceLog),
      'OBS-2 log (demo)',
      'thomas',
    ],
  ];
  const attachments: CaseFile['attachments'] = attachmentSpecs.map(
    ([fileName, mediaType, bytes, description, about]) => {
      const record: AttachmentRecord = {
        ...base(),
        kind: 'attachment',
        caseId,
        fileName,
        mediaType,
        size: bytes.length,
        sha256: bytesToHex(sha256(bytes)),
        description,
        provenance: provenance(fileName.endsWith('.txt') ? SOURCES.at : SOURCES.fin),
        ...(about ? { entityId: id(about) } : {}),
      };
      return { ...record, contentBase64: bytesToBase64(bytes) } as CaseFile['attachments'][number];
    },
  );

  // ---- The "Overview" chart, laid out once with Tessera's own force-directed layout (seeded, so
  // every demo looks the same) and a node size that leaves room for the labels.
  const nodes: Record<string, ChartNodeView> = {};
  const nodeEntities = entities.filter((entity) => !isEdgeSchema(entity.schema));
  const indexOf = new Map(nodeEntities.map((entity, index) => [entity.id, index]));
  const sources: number[] = [];
  const targets: number[] = [];
  for (const entity of entities) {
    const ends = edgeEnds(entity.schema, entity.properties);
    const source = ends ? indexOf.get(ends.source) : undefined;
    const target = ends ? indexOf.get(ends.target) : undefined;
    if (source !== undefined && target !== undefined) {
      sources.push(source);
      targets.push(target);
    }
  }
  const positions = forceLayout(
    {
      nodeCount: nodeEntities.length,
      edgeSources: Uint32Array.from(sources),
      edgeTargets: Uint32Array.from(targets),
      nodeSizes: new Float32Array(nodeEntities.length).fill(70),
    },
    { seed: 417, idealEdgeLength: 150 },
  );
  nodeEntities.forEach((entity, index) => {
    nodes[entity.id] = {
      x: Math.round(positions[2 * index]!),
      y: Math.round(positions[2 * index + 1]!),
    };
  });
  nodes[id('radu')] = { ...nodes[id('radu')]!, size: 60 };
  const chart: ChartRecord = {
    ...base(),
    kind: 'chart',
    caseId,
    name: 'Overview',
    nodes,
    layout: 'force-fast',
  };

  return {
    format: CASE_FILE_FORMAT,
    version: CASE_FILE_VERSION,
    exportedAt: nowIso,
    exportedBy: agencyId,
    case: caseRecord,
    entities,
    notes,
    attachments,
    notices,
    charts: [chart],
  } as CaseFile;
}
