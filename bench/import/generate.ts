/**
 * A synthetic call-detail-record CSV for the import benchmark (issue 11): by default 1,000,000 rows
 * (about 80 MB) in the columns of the built-in `cdr` specification, deterministic for a seed.
 *
 * Realistic where it matters for an import: 20,000 phones, call counts skewed as in real traffic
 * (a few phones make most calls; each phone mostly calls its own few contacts, so identity rules
 * merge heavily and parallel calls between the same two phones are common), dates as carriers
 * write them (dd/MM/yyyy HH:mm, in time order), durations in seconds (a tenth unanswered, 0), a
 * cell id, voice or SMS. Pure (no Node): the page half of the benchmark could generate it too.
 *
 * The built-in `cdr` specification reads these columns (a sixth, `type`, is not mapped, as real
 * exports carry columns nobody maps) but expects ISO-like dates; a carrier writing dd/MM/yyyy in
 * Vienna time is what a saved variant is for, so the benchmark imports with {@link cdrBenchSpec}.
 */
import { BUILT_IN_SPECS, parseImportSpec } from '../../shared/importer/index.ts';
import type { ImportSpec } from '../../shared/importer/index.ts';

/** The header row; the `cdr` specification reads these columns by name. */
export const CDR_COLUMNS = ['caller', 'callee', 'start', 'duration', 'cell_id', 'type'] as const;

export interface CdrOptions {
  readonly rows?: number;
  readonly phones?: number;
  readonly seed?: number;
  /** Characters per chunk handed out (about; whole rows only). Default 1 MiB. */
  readonly chunkChars?: number;
}

export const DEFAULT_CDR_ROWS = 1_000_000;

const PREFIXES = ['664', '676', '699', '650', '660', '681'];
const CONTACTS = 12;
const START = Date.UTC(2026, 0, 1);
const SPAN_MS = 90 * 24 * 3600 * 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Phone i as E.164 (+43 mobile): distinct for every i below 10^7 (7907 is prime to 10^7). */
export function cdrPhone(i: number): string {
  const subscriber = (i * 7907 + 1_234_567) % 10_000_000;
  return `+43${PREFIXES[i % PREFIXES.length]!}${pad(subscriber, 7)}`;
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The CSV as text chunks of whole rows, the header first. */
export function* cdrCsvChunks(options: CdrOptions = {}): Generator<string> {
  const rows = options.rows ?? DEFAULT_CDR_ROWS;
  const phones = options.phones ?? 20_000;
  const chunkChars = options.chunkChars ?? 1 << 20;
  let state = (options.seed ?? 11) >>> 0;
  const random = (): number => {
    // mulberry32: fast, well spread, deterministic.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const numbers = Array.from({ length: phones }, (_, i) => cdrPhone(i));
  // Zipf-like: u^3 puts about half the calls on the busiest 8% of phones.
  const busy = () => Math.floor(phones * random() ** 3);
  let chunk = `${CDR_COLUMNS.join(',')}\n`;
  for (let row = 0; row < rows; row += 1) {
    const caller = busy();
    // Four calls in five go to one of the caller's own contacts, the busiest contacts most.
    const callee =
      random() < 0.8
        ? (caller * 7919 + (1 + Math.floor(CONTACTS * random() ** 2)) * 104_729) % phones
        : busy();
    const at = START + Math.floor(((row + random()) / rows) * SPAN_MS);
    const sms = random() < 0.15;
    const duration = sms || random() < 0.1 ? 0 : Math.ceil(-90 * Math.log(1 - random()));
    const cell = `232-01-${1000 + (caller % 480)}-${(caller * 37 + Math.floor(random() * 8)) % 65_536}`;
    chunk += `${numbers[caller]!},${numbers[callee === caller ? (callee + 1) % phones : callee]!},${formatDate(at)},${duration},${cell},${sms ? 'sms' : 'voice'}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The built-in `cdr` specification saved as a variant for this carrier's date format and zone. */
export function cdrBenchSpec(): ImportSpec {
  const cdr = BUILT_IN_SPECS.cdr;
  return parseImportSpec({
    ...cdr,
    name: 'cdr-bench',
    source: { ...cdr.source, timeZone: 'Europe/Vienna' },
    entities: cdr.entities.map((entity) => ({
      ...entity,
      properties: entity.properties.map((property) =>
        property.property === 'startDate'
          ? { ...property, transforms: [{ op: 'date', pattern: 'dd/MM/yyyy HH:mm' }] }
          : property,
      ),
    })),
  });
}
