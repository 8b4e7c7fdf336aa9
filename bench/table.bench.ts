// Entity table benchmark (issue 12's table, issue 13's goal: 1M rows, sort or filter by a column
// within 500 ms). Generates 20,000 and 1,000,000 rows as column arrays, the form the table model
// holds (renderer/entity/tableModel.ts), and times on each:
//   - sort (cold): the first sort by a text column, including its one-time ranking of distinct
//     values with the locale collator (captions are about half distinct, as in a call-data case);
//   - sort (warm): the other direction of the same column, ranks cached;
//   - sort date: by the update clock (every value distinct);
//   - filter: a text "contains" on the caption plus a nationality pick list over the sorted rows;
//   - filter date: a birth-date range.
// Prints `table <what> <size> ms: X` lines and whether the 500 ms goal is met at 1M.

import { createRandom } from '../shared/base/random.ts';
import { formatHlc } from '../shared/model/index.ts';
import { COLUMN_IDS } from '../renderer/entity/tableColumns.ts';
import type { ColumnId } from '../renderer/entity/tableColumns.ts';
import {
  DEFAULT_QUERY,
  fold,
  sortedOrder,
  tableFromColumns,
  visibleRows,
} from '../renderer/entity/tableModel.ts';
import type { TableData } from '../renderer/entity/tableModel.ts';

const FIRST =
  'Ivan Petar Georgi Maria Elena Anna Olga John James Robert Mary Linda Hans Peter Klaus Jürgen Ursula Jean Pierre Marco Giulia José Lucía Mohammed Ahmed Fatima Mehmet Ayşe Piotr Małgorzata Nikos Eleni'.split(
    ' ',
  );
const LAST =
  'Petrov Ivanov Georgiev Smirnov Smith Johnson Brown Garcia Müller Schmidt Weber Dubois Durand Rossi Russo Fernández Yılmaz Kaya Nowak Kowalski Papadopoulos Haddad Hassan Horvat Varga Popescu'.split(
    ' ',
  );
const COUNTRIES = ['ro', 'bg', 'at', 'de', 'it', 'md', 'ua', 'rs', 'tr', 'gb', 'fr', 'es'];
const CLASSIFICATIONS = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

function generate(size: number, seed: number): TableData {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const text = Object.fromEntries(COLUMN_IDS.map((id) => [id, new Array<string>(size)])) as Record<
    ColumnId,
    string[]
  >;
  const ids = new Array<string>(size);
  const schemas = new Array<string>(size);
  const search = new Array<string>(size);
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < size; i++) {
    const isPhone = i % 4 === 3;
    const name = isPhone
      ? `+40 7${Math.floor(random() * 1e8)
          .toString()
          .padStart(8, '0')}`
      : `${pick(FIRST)} ${pick(LAST)}${random() < 0.5 ? ` ${Math.floor(random() * size)}` : ''}`;
    ids[i] = `r${i.toString(36).padStart(6, '0')}`;
    schemas[i] = isPhone ? 'Phone' : 'Person';
    text.caption[i] = name;
    text.schema[i] = schemas[i];
    text.identifiers[i] = isPhone ? name : random() < 0.3 ? `P${Math.floor(random() * 1e7)}` : '';
    text.nationality[i] = isPhone ? '' : pick(COUNTRIES).toUpperCase();
    text.birthDate[i] = isPhone
      ? ''
      : `${1950 + Math.floor(random() * 50)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    text.grade[i] = `${pick(['A', 'B', 'C', 'F'])}${1 + Math.floor(random() * 6)}`;
    text.classification[i] = pick(CLASSIFICATIONS);
    text.tlp[i] = pick(TLPS);
    text.source[i] = `Report ${Math.floor(random() * 500)}`;
    text.agency[i] = pick(['ro-diicot', 'at-bk', 'bg-gdnp']);
    text.updated[i] = formatHlc({
      wallMs: base + Math.floor(random() * 3e10),
      counter: 0,
      node: 'bench',
    });
    search[i] = fold(`${name}\n${schemas[i]}\n${text.identifiers[i]}`);
  }
  return tableFromColumns({ ids, schemas, relationship: new Uint8Array(size), text, search });
}

/** Wall time of `run`; its CPU time is kept in `lastCpu` (the two differ on a busy machine). */
let lastCpu = 0;
function time<T>(run: () => T): [T, number] {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = run();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  lastCpu = (used.user + used.system) / 1000;
  return [result, elapsed];
}

function label(size: number): string {
  return size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;
}

let worst = 0;
for (const size of [20_000, 1_000_000]) {
  const [table, built] = time(() => generate(size, 7));
  const name = label(size);
  console.log(`table generate ${name} ms: ${built.toFixed(0)}`);
  const [, sortCold] = time(() => sortedOrder(table, { column: 'caption', direction: 'asc' }));
  const coldCpu = lastCpu;
  const [, sortWarm] = time(() => sortedOrder(table, { column: 'caption', direction: 'desc' }));
  const [, sortDate] = time(() => sortedOrder(table, { column: 'updated', direction: 'desc' }));
  console.log(`table sort ${name} ms: ${sortCold.toFixed(0)}`);
  console.log(`table sort ${name} cpu ms: ${coldCpu.toFixed(0)}`);
  console.log(`table sort warm ${name} ms: ${sortWarm.toFixed(0)}`);
  console.log(`table sort date ${name} ms: ${sortDate.toFixed(0)}`);
  const [filtered, filter] = time(() =>
    visibleRows(table, {
      ...DEFAULT_QUERY,
      filters: {
        caption: { kind: 'text', text: 'petrov' },
        nationality: { kind: 'pick', values: ['RO', 'MD'] },
      },
    }),
  );
  console.log(`table filter ${name} ms: ${filter.toFixed(0)}`);
  console.log(`table filter ${name} cpu ms: ${lastCpu.toFixed(0)}`);
  console.log(`table filter ${name} rows: ${filtered.rows.length}`);
  const [, filterDate] = time(() =>
    visibleRows(table, {
      ...DEFAULT_QUERY,
      sort: { column: 'birthDate', direction: 'asc' },
      filters: { birthDate: { kind: 'date', from: '1970', to: '1979-06' } },
    }),
  );
  console.log(`table filter date ${name} ms: ${filterDate.toFixed(0)}`);
  if (size === 1_000_000) worst = Math.max(sortCold, sortDate, filter, filterDate);
}
console.log(
  `table 1M goal 500 ms: ${worst <= 500 ? 'met' : 'missed'} (worst ${worst.toFixed(0)} ms)`,
);
