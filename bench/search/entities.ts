// The search benchmarks' synthetic population (bench/search.bench.ts at 100k, and beside the
// million-record call case in bench/million/search.ts): people, companies, addresses, bank
// accounts and vehicles with realistic-looking names (Latin, some Cyrillic), phones in several
// notations, partial dates and countries; about 2 % of people reappear as perturbed duplicates
// (word order, a typo, upper case) sharing a birth date and sometimes a phone.

import { createRandom as rng } from '../../shared/base/random.ts';
import type { FtmEntity, SearchOptions } from '../../shared/search/types.ts';

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

export interface Dataset {
  entities: FtmEntity[];
  /** Pairs (original id, duplicate id) planted on purpose. */
  planted: [string, string][];
}

export function generateEntities(count: number, seed = 42): Dataset {
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

/** A query-side typo: a deleted or swapped letter (never the first). */
export function queryTypo(word: string, r: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r() * (word.length - 3));
  return r() < 0.5
    ? word.slice(0, i) + word.slice(i + 1)
    : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

/**
 * The 100k benchmark's query mix, in eight kinds taken in turn: an exact two-term name, one term,
 * a name being typed, a name with a typo, a typo with type and date filters, a phone's digits, a
 * city with a street, and a reordered name with a country filter.
 */
export function mixedQueries(
  entities: readonly FtmEntity[],
  count: number,
  seed = 7,
): [string, SearchOptions][] {
  const r = rng(seed);
  const names = entities.filter((e) => e.schema === 'Person').map((e) => e.properties.name[0]);
  const phones = entities.flatMap((e) => e.properties.phone ?? []);
  const addresses = entities.flatMap((e) => e.properties.full ?? []);
  const queries: [string, SearchOptions][] = [];
  for (let i = 0; i < count; i++) {
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
  return queries;
}
