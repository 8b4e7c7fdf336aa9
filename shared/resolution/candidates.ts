// Duplicate candidates among FtM entities.
//
// Blocking: every entity gets keys, and only entities sharing a key are compared.
// - One key per normalised identifier: phone (E.164), passport/ID numbers, IBAN, e-mail,
//   registration/tax/LEI/IMO numbers.
// - Name keys: for each name token, that token plus the first two letters of each other token
//   ('ivan|pe', 'petrov|iv') and plus its last three ('ivan|~rov'), so a typo confined to one word,
//   a different word order or extra middle names still share a key; a one-word name is its own
//   key.
// A block larger than `maxBlockSize` (a very common name, a placeholder phone) is not compared
// all-pairs: its members are sorted by their sorted-token name and each is compared with the
// next few (sorted neighbourhood), which keeps the work linear.
//
// Scoring: evidence items are combined as 1 − Π(1 − eᵢ). A shared strong identifier (passport,
// IBAN, e-mail, LEI …) is 0.9, a shared registration number 0.85, a shared phone 0.75 (people in
// one household share phones); when the names clearly differ those drop to 0.72 / 0.45. A name
// similarity s ≥ `nameThreshold` counts 0.5–0.75, plus 0.2 for an identical full birth date or
// 0.05 for a compatible partial one. Schemata must be compatible (Person with Person or
// LegalEntity, never with Company); conflicting birth dates cut name evidence to a third.

import { callingCodeForCountry, normalizePhone } from '../search/phone.ts';
import { normalizeEmail, normalizeIban, normalizeIdentifier } from '../search/identifiers.ts';
import { formSimilarity, nameForm, nameTokens } from './names.ts';
import type { NameForm } from './names.ts';
import { dateInterval } from '../model/dates.ts';
import { isSchemaA, schemataCompatible } from '../model/schemata.ts';
import type { FtmEntity } from '../search/types.ts';

export interface CandidateOptions {
  /** Pairs scoring below are dropped. Default 0.7. */
  minScore?: number;
  /** Name similarity needed for names to count as evidence. Default 0.85. */
  nameThreshold?: number;
  /** For national phone numbers when the entity names no country. */
  defaultCallingCode?: string;
  /** Blocks larger than this use sorted neighbourhood instead of all pairs. Default 100. */
  maxBlockSize?: number;
  /** At most this many pairs, best first. Default unlimited. */
  limit?: number;
}

export interface DuplicateCandidate {
  a: string;
  b: string;
  score: number;
  reasons: string[];
}

type IdKind = 'phone' | 'passport' | 'iban' | 'email' | 'registration' | 'tax' | 'lei' | 'imo';

const ID_PROPS: Record<string, IdKind> = {
  phone: 'phone',
  passportNumber: 'passport',
  idNumber: 'passport',
  iban: 'iban',
  accountNumber: 'iban',
  email: 'email',
  registrationNumber: 'registration',
  ogrnCode: 'registration',
  taxNumber: 'tax',
  vatCode: 'tax',
  innCode: 'tax',
  leiCode: 'lei',
  imoNumber: 'imo',
};
/**
 * Identifiers held under a schema's own property name: a Phone entity's number is its `number`
 * (issue 12: two Phone entities "+43 664 1234567" and "0043 664 1234567" were never paired).
 */
const SCHEMA_ID_PROPS: Readonly<Record<string, Readonly<Record<string, IdKind>>>> = {
  Phone: { number: 'phone' },
};
const ID_WEIGHT: Record<IdKind, number> = {
  phone: 0.75,
  passport: 0.9,
  iban: 0.9,
  email: 0.9,
  registration: 0.85,
  tax: 0.9,
  lei: 0.9,
  imo: 0.9,
};
const NAME_PROPS = ['name', 'alias', 'previousName', 'weakAlias'];
const COUNTRY_PROPS = ['country', 'nationality', 'jurisdiction', 'citizenship', 'mainCountry'];
const NEIGHBOURHOOD = 6;
const MAX_NAMES = 5;

interface Prepared {
  index: number;
  entity: FtmEntity;
  names: NameForm[];
  organization: boolean;
  ids: Map<string, IdKind>; // 'kind:value' → kind
  birth: string[];
  birthIntervals: [string, string][];
  sortKey: string;
}

function normalizeId(kind: IdKind, value: string, callingCode: string | undefined): string | null {
  switch (kind) {
    case 'phone':
      return normalizePhone(value, callingCode);
    case 'iban':
      return normalizeIban(value);
    case 'email':
      return normalizeEmail(value);
    default:
      return normalizeIdentifier(value);
  }
}

function prepare(entity: FtmEntity, index: number, options: CandidateOptions): Prepared {
  const props = entity.properties;
  const organization = !isSchemaA(entity.schema, 'Person') && entity.schema !== 'LegalEntity';
  const names: NameForm[] = [];
  const seen = new Set<string>();
  for (const prop of NAME_PROPS) {
    for (const value of props[prop] ?? []) {
      const tokens = nameTokens(value, organization);
      const key = tokens.join(' ');
      if (tokens.length === 0 || seen.has(key) || names.length >= MAX_NAMES) continue;
      seen.add(key);
      names.push(nameForm(tokens));
    }
  }
  if (names.length === 0 && props.firstName?.[0] && props.lastName?.[0]) {
    names.push(nameForm(nameTokens(`${props.firstName[0]} ${props.lastName[0]}`)));
  }
  let callingCode = options.defaultCallingCode;
  for (const prop of COUNTRY_PROPS) {
    const code = props[prop]?.[0] && callingCodeForCountry(props[prop][0]);
    if (code) {
      callingCode = code;
      break;
    }
  }
  const ids = new Map<string, IdKind>();
  const idProps = { ...ID_PROPS, ...SCHEMA_ID_PROPS[entity.schema] };
  for (const [prop, kind] of Object.entries(idProps)) {
    for (const value of props[prop] ?? []) {
      const id = normalizeId(kind, value, callingCode);
      if (id) ids.set(`${kind}:${id}`, kind);
    }
  }
  const birth: string[] = [];
  const birthIntervals: [string, string][] = [];
  for (const d of props.birthDate ?? []) {
    const interval = dateInterval(d);
    if (!interval) continue;
    birth.push(d);
    birthIntervals.push(interval);
  }
  const sortKey = names[0]?.sorted ?? '';
  return { index, entity, names, organization, ids, birth, birthIntervals, sortKey };
}

function nameKeys(tokens: string[]): string[] {
  if (tokens.length === 1) return [`n:${tokens[0]}`];
  const keys: string[] = [];
  const words = tokens.slice(0, 5);
  for (const t of words) {
    if (t.length < 2) continue;
    for (const other of words) {
      if (other === t) continue;
      keys.push(`n:${t}|${other.slice(0, 2)}`);
      if (other.length >= 5) keys.push(`n:${t}|~${other.slice(-3)}`);
    }
  }
  return keys;
}

/** Set of (lo, hi) index pairs: open addressing over an Int32Array, no per-pair allocation. */
class PairSet {
  private slots = new Int32Array(1 << 16).fill(-1);
  private count = 0;

  /** Adds the pair; false when it was already there. */
  add(lo: number, hi: number): boolean {
    if ((this.count + 1) * 2 > this.slots.length / 2) this.grow();
    const mask = this.slots.length / 2 - 1;
    let h = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77)) & mask;
    for (;;) {
      const a = this.slots[2 * h];
      if (a === -1) {
        this.slots[2 * h] = lo;
        this.slots[2 * h + 1] = hi;
        this.count++;
        return true;
      }
      if (a === lo && this.slots[2 * h + 1] === hi) return false;
      h = (h + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== -1) this.add(old[i], old[i + 1]);
  }
}

function birthRelation(x: Prepared, y: Prepared): 'same' | 'compatible' | 'conflict' | 'unknown' {
  if (x.birth.length === 0 || y.birth.length === 0) return 'unknown';
  let compatible = false;
  for (let i = 0; i < x.birth.length; i++) {
    for (let j = 0; j < y.birth.length; j++) {
      if (x.birth[i] === y.birth[j] && x.birth[i].length === 10) return 'same';
      const a = x.birthIntervals[i];
      const b = y.birthIntervals[j];
      if (a[0] <= b[1] && b[0] <= a[1]) compatible = true;
    }
  }
  return compatible ? 'compatible' : 'conflict';
}

function evaluate(x: Prepared, y: Prepared, threshold: number): DuplicateCandidate | null {
  if (!schemataCompatible(x.entity.schema, y.entity.schema)) return null;
  const reasons: string[] = [];
  const shared: [string, IdKind][] = [];
  for (const entry of x.ids) if (y.ids.has(entry[0])) shared.push(entry);
  const org = x.organization || y.organization;
  let bestName = 0;
  let bestPair: [NameForm, NameForm] | null = null;
  // With a shared identifier the exact similarity matters ('names differ'); otherwise only
  // whether it reaches the threshold, which lets the measures stop early.
  const floor = shared.length > 0 ? 0 : threshold;
  for (const a of x.names) {
    for (const b of y.names) {
      const s = formSimilarity(a, b, org, floor);
      if (s > bestName || !bestPair) {
        bestName = s;
        bestPair = [a, b];
      }
    }
  }
  if (shared.length === 0 && bestName < threshold) return null;
  const namesDiffer = bestPair !== null && bestName < 0.6;
  const birth = birthRelation(x, y);
  const evidence: number[] = [];
  for (const [key, kind] of shared) {
    const differ = namesDiffer ? (kind === 'phone' ? 0.6 : 0.8) : 1;
    const weight = ID_WEIGHT[kind] * differ * (birth === 'conflict' ? 0.7 : 1);
    evidence.push(weight);
    reasons.push(`same ${kind} ${key.slice(kind.length + 1)}`);
  }
  if (bestPair && bestName >= threshold) {
    let e = 0.5 + (0.25 * (bestName - threshold)) / Math.max(1e-9, 1 - threshold);
    if (birth === 'same') e += 0.2;
    else if (birth === 'compatible') e += 0.05;
    else if (birth === 'conflict') e /= 3;
    evidence.push(Math.min(e, 0.95));
    reasons.push(
      `similar names ${bestName.toFixed(2)} (${bestPair[0].tokens.join(' ')} ~ ${bestPair[1].tokens.join(' ')})`,
    );
  }
  if (evidence.length === 0) return null;
  if (birth === 'same') reasons.push(`same birthDate ${x.birth.find((d) => y.birth.includes(d))}`);
  else if (birth === 'compatible') reasons.push('compatible birthDate');
  else if (birth === 'conflict') reasons.push('conflicting birthDate');
  if (namesDiffer) reasons.push('names differ');
  const score = 1 - evidence.reduce((p, e) => p * (1 - e), 1);
  return {
    a: x.entity.id,
    b: y.entity.id,
    score: Math.round(Math.min(score, 0.999) * 1000) / 1000,
    reasons,
  };
}

/** Likely duplicate pairs, best first; `a` is the entity that comes first in the input. */
export function findDuplicateCandidates(
  entities: readonly FtmEntity[],
  options: CandidateOptions = {},
): DuplicateCandidate[] {
  const minScore = options.minScore ?? 0.7;
  const threshold = options.nameThreshold ?? 0.85;
  const maxBlock = Math.max(2, options.maxBlockSize ?? 100);
  const prepared = entities.map((e, i) => prepare(e, i, options));

  const blocks = new Map<string, number[]>();
  const addKey = (key: string, i: number) => {
    const list = blocks.get(key);
    if (!list) blocks.set(key, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  for (const p of prepared) {
    for (const key of p.ids.keys()) addKey(`i:${key}`, p.index);
    const keys = new Set(p.names.flatMap((name) => nameKeys(name.tokens)));
    for (const key of keys) addKey(key, p.index);
  }

  const seen = new PairSet();
  const out: DuplicateCandidate[] = [];
  const consider = (i: number, j: number) => {
    const [lo, hi] = i < j ? [i, j] : [j, i];
    if (lo === hi || !seen.add(lo, hi)) return;
    const c = evaluate(prepared[lo], prepared[hi], threshold);
    if (c && c.score >= minScore) out.push(c);
  };
  for (const members of blocks.values()) {
    if (members.length < 2) continue;
    if (members.length <= maxBlock) {
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) consider(members[i], members[j]);
      }
      continue;
    }
    const order = [...members].sort((a, b) => {
      const ka = prepared[a].sortKey;
      const kb = prepared[b].sortKey;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    for (let i = 0; i < order.length; i++) {
      for (let j = i + 1; j <= i + NEIGHBOURHOOD && j < order.length; j++) {
        consider(order[i], order[j]);
      }
    }
  }
  out.sort((x, y) => y.score - x.score || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1));
  return options.limit !== undefined ? out.slice(0, options.limit) : out;
}
