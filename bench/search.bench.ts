// Search and entity-resolution benchmark over 100,000 seeded synthetic entities.
// Prints: index build time, p50/p95 latency over a mix of exact, prefix and typo queries (1–3
// terms, some with filters), whether p95 meets the 30 ms goal, and the duplicate-candidate time
// with the recall of deliberately planted duplicates.
//
// The data: people, companies, addresses, bank accounts and vehicles with realistic-looking
// names (Latin, some Cyrillic), phones in several notations, partial dates and countries; about
// 2 % of people reappear as perturbed duplicates (word order, a typo, upper case) sharing a
// birth date and sometimes a phone.

import { findDuplicateCandidates } from '../shared/resolution/candidates.ts';
import { createRandom as rng } from '../shared/base/random.ts';
import { createSearchIndex } from '../shared/search/searchIndex.ts';
import type { FtmEntity, SearchOptions } from '../shared/search/types.ts';

const FIRST = (
  'Ivan Petar Georgi Dimitar Nikolai Stefan Maria Elena Anna Olga Natalia Svetlana Irina ' +
  'John James Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer ' +
  'Linda Elizabeth Barbara Susan Jessica Sarah Karen Hans Peter Klaus Wolfgang Jürgen Ursula ' +
  'Monika Petra Sabine Andrea Jean Pierre Michel Philippe Alain Nathalie Isabelle Sylvie Marco ' +
  'Giuseppe Giovanni Antonio Francesca Giulia Chiara José Manuel Francisco Carmen Lucía ' +
  'Mohammed Ahmed Ali Omar Yusuf Fatima Aisha Leila Mehmet Mustafa Ayşe Zeynep Emre Piotr ' +
  'Krzysztof Andrzej Agnieszka Katarzyna Małgorzata Nikos Giorgos Dimitris Eleni Sofia Anastasia'
).split(' ');
const LAST = (
  'Petrov Ivanov Georgiev Dimitrov Nikolov Stoyanov Todorov Popov Smirnov Kuznetsov Sokolov ' +
  'Lebedev Kozlov Novikov Morozov Volkov Pavlov Semenov Smith Johnson Williams Brown Jones ' +
  'Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Taylor Thomas ' +
  'Moore Jackson Martin Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann ' +
  'Dubois Durand Lefebvre Moreau Laurent Simon Michel Rossi Russo Ferrari Esposito Bianchi Romano ' +
  'Colombo Ricci Marino Fernández González Rodríguez Sánchez Pérez Martín Gómez Yılmaz Kaya ' +
  'Demir Şahin Çelik Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Papadopoulos ' +
  'Georgiou Nikolaou Vlachos Haddad Khalil Hassan Mansour Nasser Saleh Karimi Hosseini Rahimi ' +
  'Horvat Kovačević Babić Novak Kralj Varga Tóth Szabó Nagy Kovács Popescu Ionescu Stan Dumitru'
).split(' ');
const CYRILLIC: Record<string, string> = {
  Ivan: 'Иван',
  Petar: 'Петър',
  Georgi: 'Георги',
  Dimitar: 'Димитър',
  Maria: 'Мария',
  Elena: 'Елена',
  Olga: 'Ольга',
  Petrov: 'Петров',
  Ivanov: 'Иванов',
  Georgiev: 'Георгиев',
  Dimitrov: 'Димитров',
  Popov: 'Попов',
  Volkov: 'Волков',
  Pavlov: 'Павлов',
};
const WORDS = (
  'Global Trading Invest Capital Holding Logistics Marine Energy Consulting Development Alpha ' +
  'Delta Star Black Sea Balkan Euro Atlas Nord Orient Pacific Union Prime Green Silver Golden ' +
  'Danube Metro Techno Agro Trans Security Finance Import Export Property Shipping Services'
).split(' ');
const FORMS = 'Ltd LLC GmbH OOD EOOD SA AG Inc S.r.l. BV'.split(' ');
const STREETS = (
  'Main Street|High Street|Vitosha Blvd|Tsarigradsko Shose|Hauptstraße|Rue de Rivoli|Via Roma|' +
  'Calle Mayor|Nevsky Prospekt|Kings Road|Station Road|Church Lane|Bahnhofstraße|Avenue Louise'
).split('|');
const CITIES = (
  'Sofia Varna Burgas Plovdiv London Manchester Berlin Hamburg Munich Paris Lyon Rome Milan Madrid ' +
  'Barcelona Athens Thessaloniki Istanbul Warsaw Krakow Bucharest Belgrade Zagreb Vienna Moscow ' +
  'Limassol Nicosia Rotterdam Antwerp Odessa'
).split(' ');
const COUNTRIES: [string, string, number][] = [
  ['bg', '359', 9],
  ['gb', '44', 10],
  ['de', '49', 10],
  ['fr', '33', 9],
  ['it', '39', 10],
  ['es', '34', 9],
  ['gr', '30', 10],
  ['tr', '90', 10],
  ['pl', '48', 9],
  ['ro', '40', 9],
  ['rs', '381', 9],
  ['ru', '7', 10],
  ['cy', '357', 8],
  ['nl', '31', 9],
  ['us', '1', 10],
];
const IBAN_LEN: Record<string, number> = { bg: 22, gb: 22, de: 22, fr: 27, it: 27, es: 24, gr: 27 };

function ibanFor(country: string, r: () => number): string {
  const len = IBAN_LEN[country] ?? 22;
  let bban = '';
  for (let i = 0; i < len - 4; i++) bban += String(Math.floor(r() * 10));
  const cc = country.toUpperCase();
  const digits = (bban + cc + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of digits) rem = (rem * 10 + Number(ch)) % 97;
  const check = String(98 - rem).padStart(2, '0');
  return `${cc}${check}${bban}`.replace(/(.{4})/g, '$1 ').trim();
}

function typo(word: string, r: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r() * (word.length - 2));
  const kind = Math.floor(r() * 3);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1); // deletion
  if (kind === 1) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // swap
  return word.slice(0, i) + 'aeiou'[Math.floor(r() * 5)] + word.slice(i + 1); // substitution
}

interface Dataset {
  entities: FtmEntity[];
  /** Pairs (original id, duplicate id) planted on purpose. */
  planted: [string, string][];
}

function generateEntities(count: number, seed = 42): Dataset {
  const r = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const digits = (n: number) => {
    let s = String(1 + Math.floor(r() * 9));
    while (s.length < n) s += String(Math.floor(r() * 10));
    return s;
  };
  const date = (from: number, span: number) => {
    const d = new Date(Date.UTC(from, 0, 1) + Math.floor(r() * span * 365.25) * 86_400_000);
    const iso = d.toISOString().slice(0, 10);
    const p = r();
    return p < 0.1 ? iso.slice(0, 4) : p < 0.2 ? iso.slice(0, 7) : iso;
  };
  const phone = (cc: string, len: number) => {
    const n = digits(len);
    const style = r();
    if (style < 0.4) return `+${cc} ${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}`;
    if (style < 0.7) return `00${cc}${n}`;
    return `+${cc}-${n.slice(0, 3)}-${n.slice(3)}`;
  };
  const entities: FtmEntity[] = [];
  const planted: [string, string][] = [];
  const people: FtmEntity[] = [];
  while (entities.length < count) {
    const id = `e${entities.length}`;
    const [country, cc, len] = pick(COUNTRIES);
    const p = r();
    let e: FtmEntity;
    if (p < 0.5) {
      const first = pick(FIRST);
      const last = pick(LAST);
      e = {
        id,
        schema: 'Person',
        properties: {
          name: [
            r() < 0.05 && CYRILLIC[first] && CYRILLIC[last]
              ? `${CYRILLIC[first]} ${CYRILLIC[last]}`
              : `${first} ${last}`,
          ],
          birthDate: [date(1940, 65)],
          nationality: [country],
          phone: [phone(cc, len)],
        },
      };
      if (r() < 0.4) e.properties.passportNumber = [`${pick(['P', 'X', 'A'])}${digits(8)}`];
      if (r() < 0.3) {
        e.properties.email = [
          `${first}.${last}${Math.floor(r() * 100)}@example.org`
            .toLowerCase()
            .normalize('NFKD')
            .replace(/\p{M}/gu, ''),
        ];
      }
      people.push(e);
    } else if (p < 0.7) {
      e = {
        id,
        schema: r() < 0.85 ? 'Company' : 'Organization',
        properties: {
          name: [
            `${r() < 0.6 ? pick(LAST) + ' ' : ''}${pick(WORDS)} ${pick(WORDS)} ${pick(FORMS)}`,
          ],
          incorporationDate: [date(1990, 34)],
          jurisdiction: [country],
          registrationNumber: [digits(9)],
        },
      };
      if (r() < 0.5) e.properties.phone = [phone(cc, len)];
    } else if (p < 0.82) {
      e = {
        id,
        schema: 'Address',
        properties: {
          full: [`${Math.floor(1 + r() * 200)} ${pick(STREETS)}, ${pick(CITIES)}`],
          country: [country],
        },
      };
    } else if (p < 0.92) {
      e = {
        id,
        schema: 'BankAccount',
        properties: {
          iban: [ibanFor(country, r)],
          country: [country],
          bankName: [`${pick(WORDS)} Bank`],
        },
      };
    } else {
      e = {
        id,
        schema: 'Vehicle',
        properties: {
          registrationNumber: [
            `${pick(['CA', 'CB', 'B', 'M', 'PB'])} ${digits(4)} ${pick(['AB', 'KX', 'TT'])}`,
          ],
          model: [
            `${pick(['Toyota', 'BMW', 'Mercedes', 'Volkswagen', 'Audi', 'Skoda'])} ${pick(['Corolla', 'X5', 'E220', 'Passat', 'A6', 'Octavia'])}`,
          ],
          buildDate: [date(2000, 24)],
          country: [country],
        },
      };
    }
    entities.push(e);
    // Plant a perturbed duplicate of an earlier person now and then.
    if (people.length > 10 && r() < 0.02 && entities.length < count) {
      const orig = pick(people);
      const [first, ...rest] = orig.properties.name[0].split(' ');
      const variant = r();
      const name =
        variant < 0.35
          ? `${rest.join(' ')} ${first}`
          : variant < 0.7
            ? `${first} ${rest.map((w) => typo(w, r)).join(' ')}`
            : orig.properties.name[0].toUpperCase();
      const dup: FtmEntity = {
        id: `e${entities.length}`,
        schema: r() < 0.9 ? 'Person' : 'LegalEntity',
        properties: { name: [name], birthDate: orig.properties.birthDate },
      };
      if (r() < 0.5) {
        const phoneValue = orig.properties.phone[0];
        dup.properties.phone = [phoneValue.replace(/[\s-]/g, '')];
      }
      entities.push(dup);
      planted.push([orig.id, dup.id]);
    }
  }
  return { entities, planted };
}

const COUNT = Number(process.env.SEARCH_BENCH_COUNT ?? 100_000);
const QUERIES = 400;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function queryTypo(word: string, r: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r() * (word.length - 3));
  return r() < 0.5
    ? word.slice(0, i) + word.slice(i + 1)
    : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

async function main(): Promise<void> {
  const { entities, planted } = generateEntities(COUNT);

  let t = performance.now();
  const index = createSearchIndex();
  for (const e of entities) index.add(e);
  index.search('warm up'); // first query also sorts the vocabulary: count it as build
  const build = (performance.now() - t) / 1000;
  console.log(`search index build: ${build.toFixed(2)} s`);

  const r = rng(7);
  const names = entities.filter((e) => e.schema === 'Person').map((e) => e.properties.name[0]);
  const phones = entities.flatMap((e) => e.properties.phone ?? []);
  const addresses = entities.flatMap((e) => e.properties.full ?? []);
  const queries: [string, SearchOptions][] = [];
  for (let i = 0; i < QUERIES; i++) {
    const name = names[Math.floor(r() * names.length)];
    const words = name.split(' ');
    const kind = i % 8;
    if (kind === 0)
      queries.push([name, {}]); // exact two-term name
    else if (kind === 1)
      queries.push([words[1], {}]); // one term
    else if (kind === 2)
      queries.push([`${words[0]} ${words[1].slice(0, 3)}`, {}]); // typing
    else if (kind === 3)
      queries.push([`${words[0]} ${queryTypo(words[1], r)}`, {}]); // typo
    else if (kind === 4)
      queries.push([
        queryTypo(words[1], r),
        { schemata: ['Person'], dateFrom: '1970', dateTo: '1985' },
      ]);
    else if (kind === 5)
      queries.push([phones[Math.floor(r() * phones.length)].replace(/\D/g, ''), {}]);
    else if (kind === 6)
      queries.push([
        addresses[Math.floor(r() * addresses.length)].split(',')[1].trim() + ' ' + 'main st',
        {},
      ]);
    else
      queries.push([
        `${words[1]} ${words[0]} ${['sofia', 'bg', 'ltd'][i % 3]}`,
        { countries: ['bg', 'ru', 'de'] },
      ]);
  }
  // Warm the JIT on queries outside the measured set, as a long-running worker would be.
  for (const name of names.slice(0, 50)) index.search(name.slice(0, 6), { limit: 20 });
  const times: number[] = [];
  let hits = 0;
  for (const [q, options] of queries) {
    t = performance.now();
    hits += index.search(q, { limit: 20, ...options }).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  console.log(`search p50: ${percentile(times, 50).toFixed(2)} ms`);
  console.log(`search p95: ${p95.toFixed(2)} ms`);
  console.log(`search max: ${times[times.length - 1].toFixed(2)} ms`);
  console.log(`search mean hits: ${(hits / queries.length).toFixed(1)} results`);
  console.log(`search p95 goal 30 ms: ${p95 <= 30 ? 'met' : 'missed'}`);

  t = performance.now();
  const pairs = findDuplicateCandidates(entities, { defaultCallingCode: '359' });
  console.log(`resolution candidates 100k: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const found = new Set(pairs.map((p) => `${p.a}|${p.b}`));
  const recalled = planted.filter(([a, b]) => found.has(`${a}|${b}`)).length;
  console.log(`resolution pairs: ${pairs.length} pairs`);
  console.log(`resolution planted recall: ${((100 * recalled) / planted.length).toFixed(1)} %`);
  await Promise.resolve();
}

await main();
