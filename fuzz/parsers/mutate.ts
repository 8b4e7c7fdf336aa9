/**
 * Seeded, reproducible mutation of valid inputs, in the manner of coverage-less mutational fuzzers
 * (AFL's havoc stage, without coverage feedback): one to four stacked byte mutations (bit flips,
 * random and "interesting" bytes and integers, insertions, deletions, duplications, truncation,
 * splicing with another seed, invalid UTF-8), or, for JSON seeds, a structural mutation of one
 * node (huge and special numbers, wrong types, long strings, deep nesting, removed, duplicated or
 * unknown keys, prototype keys, lone surrogates) followed sometimes by byte mutations.
 *
 * The generator is mulberry32: small, fast and good enough to spread mutations; nothing here is
 * security-relevant. Input n of a target is a pure function of (seed, target name, n).
 */

export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uint32. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
}

/** FNV-1a of a string: mixes the target name into the seed. */
export function hashName(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d];
const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];
const INVALID_UTF8 = [
  [0xc3, 0x28],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc0, 0xaf],
  [0xef, 0xbf, 0xbe],
];

function byteMutation(input: Buffer, random: Random, seeds: readonly Buffer[]): Buffer {
  const n = input.length;
  const at = random.below(n + 1);
  switch (random.below(10)) {
    case 0: {
      if (n === 0) return Buffer.from([random.below(256)]);
      const out = Buffer.from(input);
      const i = random.below(n);
      out[i] = out[i]! ^ (1 << random.below(8));
      return out;
    }
    case 1: {
      if (n === 0) return input;
      const out = Buffer.from(input);
      out[random.below(n)] = random.pick(INTERESTING_BYTES);
      return out;
    }
    case 2: {
      const bytes = Buffer.alloc(1 + random.below(16));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random.below(256);
      return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
    }
    case 3: {
      const length = 1 + random.below(Math.max(1, Math.min(n - at, 256)));
      return Buffer.concat([input.subarray(0, at), input.subarray(at + length)]);
    }
    case 4: {
      const length = 1 + random.below(Math.max(1, Math.min(n - at, 512)));
      const copy = input.subarray(at, at + length);
      const times = 1 + random.below(random.chance(0.1) ? 200 : 3);
      return Buffer.concat([
        input.subarray(0, at),
        ...Array.from({ length: times + 1 }, () => copy),
        input.subarray(at + length),
      ]);
    }
    case 5:
      return input.subarray(0, at);
    case 6: {
      const other = random.pick(seeds);
      return Buffer.concat([input.subarray(0, at), other.subarray(random.below(other.length + 1))]);
    }
    case 7: {
      if (n < 4) return input;
      const out = Buffer.from(input);
      const i = random.below(n - 3);
      const value = random.pick(INTERESTING_U32);
      if (random.chance(0.5)) out.writeUInt32BE(value >>> 0, i);
      else out.writeUInt16BE(value & 0xffff, i);
      return out;
    }
    case 8:
      return Buffer.concat([
        input.subarray(0, at),
        Buffer.from(random.pick(INVALID_UTF8)),
        input.subarray(at),
      ]);
    default: {
      // Overwrite a run with one repeated byte (zeros, 0xff, or an ASCII digit).
      const out = Buffer.from(input);
      const fill = random.pick([0x00, 0xff, 0x39, 0x20]);
      out.fill(fill, at, Math.min(n, at + 1 + random.below(64)));
      return out;
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values of another type or shape; strings starting with \u0000 are replaced by raw JSON text. */
function replacement(random: Random): Json {
  return random.pick<() => Json>([
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 2 ** 53 + 1,
    () => 1.5,
    () => '\u0000RAW:1e999',
    () => '\u0000RAW:-0',
    () => '\u0000RAW:123456789012345678901234567890123456789',
    () => '\u0000RAW:-1e-400',
    () => '',
    () => 'x',
    () => 'A'.repeat(1 + random.below(200_000)),
    () => '\ud800',
    () => '../../etc/passwd',
    () => [],
    () => ({}),
    () => ['x', 1, null],
    () => '\u0000RAW:{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
    () =>
      `\u0000RAW:${'['.repeat(1 + random.below(20_000))}${']'.repeat(1 + random.below(20_000))}`,
    () => `\u0000RAW:${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  ])();
}

interface Slot {
  readonly parent: Json[] | { [key: string]: Json } | null;
  readonly key: string | number | null;
  readonly value: Json;
}

function slots(root: Json): Slot[] {
  const out: Slot[] = [{ parent: null, key: null, value: root }];
  const walk = (value: Json): void => {
    if (out.length > 5000) return;
    if (Array.isArray(value)) {
      value.forEach((child, i) => {
        out.push({ parent: value, key: i, value: child });
        walk(child);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        out.push({ parent: value, key, value: child });
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

function serialize(value: Json): string {
  return JSON.stringify(value).replace(/"\\u0000RAW:([^"]*)"/g, (_m, raw: string) => raw);
}

function jsonMutation(text: string, random: Random): Buffer | null {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch {
    return null;
  }
  const all = slots(root);
  const slot = random.pick(all);
  const set = (value: Json): void => {
    if (slot.parent === null) root = value;
    else if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
    else slot.parent[slot.key as string] = value;
  };
  switch (random.below(7)) {
    case 0:
    case 1:
      set(replacement(random));
      break;
    case 2:
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else if (slot.parent) delete slot.parent[slot.key as string];
      break;
    case 3:
      if (Array.isArray(slot.value)) {
        const item = slot.value[random.below(slot.value.length)];
        if (item !== undefined) {
          const times = random.chance(0.2) ? 1000 : 2;
          for (let i = 0; i < times; i++) slot.value.push(item);
        }
      } else if (Array.isArray(slot.parent)) {
        slot.parent.push(slot.value);
      }
      break;
    case 4:
      if (slot.value !== null && typeof slot.value === 'object' && !Array.isArray(slot.value)) {
        slot.value[random.pick(['__proto__', 'constructor', 'unknownField', 'prototype', ''])] =
          replacement(random);
      } else {
        set(replacement(random));
      }
      break;
    case 5: {
      // A copy: the other node may be an ancestor of this one.
      const other = random.pick(all);
      set(JSON.parse(JSON.stringify(other.value)) as Json);
      break;
    }
    default:
      if (typeof slot.value === 'string') {
        const s = slot.value;
        set(
          random.pick([s + s, s.toUpperCase(), ` ${s} `, s.slice(1), `${s}\u0000`, `${s}\n${s}`]),
        );
      } else if (typeof slot.value === 'number') {
        set(random.pick([slot.value + 1, -slot.value, slot.value * 1e6, String(slot.value)]));
      } else {
        set(replacement(random));
      }
  }
  return Buffer.from(serialize(root));
}

/** Mutation number `index` of a target's seeds: deterministic in (seed, target, index). */
export function mutate(
  seeds: readonly Buffer[],
  seed: number,
  target: string,
  index: number,
  options: { json?: boolean } = {},
): Buffer {
  const random = new Random(seed ^ hashName(target) ^ Math.imul(index + 1, 0x9e3779b1));
  let input = random.pick(seeds);
  if (options.json && random.chance(0.6)) {
    const mutated = jsonMutation(input.toString('utf8'), random);
    if (mutated) {
      input = mutated;
      if (random.chance(0.7)) return input;
    }
  }
  const rounds = 1 + random.below(4);
  for (let i = 0; i < rounds; i++) input = byteMutation(input, random, seeds);
  return input;
}
