/**
 * Hybrid logical clock (Kulkarni et al., 2014). Every write carries an HLC timestamp so that records
 * edited offline by different agencies can later be merged field by field with a deterministic order.
 *
 * Encoding: `<wall ms, 13 hex digits>-<counter, 4 hex digits>-<node id>`; the fixed-width hex makes the
 * plain string order equal to the clock order, so timestamps sort and compare as strings (and Dexie
 * indexes them as such). The node id breaks ties between two writers at the same wall time and counter.
 */

export interface HlcTimestamp {
  readonly wallMs: number;
  readonly counter: number;
  readonly node: string;
}

const WALL_DIGITS = 13;
const COUNTER_DIGITS = 4;
const MAX_COUNTER = 0xffff;
/** A remote clock further ahead than this is refused rather than dragging ours into the future. */
const MAX_CLOCK_DRIFT_MS = 24 * 60 * 60 * 1000;

export function formatHlc(ts: HlcTimestamp): string {
  return `${ts.wallMs.toString(16).padStart(WALL_DIGITS, '0')}-${ts.counter
    .toString(16)
    .padStart(COUNTER_DIGITS, '0')}-${ts.node}`;
}

const HLC_PATTERN = /^([0-9a-f]{13})-([0-9a-f]{4})-([A-Za-z0-9_.:-]{1,64})$/;

export function parseHlc(text: string): HlcTimestamp {
  const match = HLC_PATTERN.exec(text);
  if (!match) throw new Error(`not a hybrid logical clock timestamp: ${text.slice(0, 80)}`);
  return { wallMs: parseInt(match[1]!, 16), counter: parseInt(match[2]!, 16), node: match[3]! };
}

export function isHlc(text: unknown): text is string {
  return typeof text === 'string' && HLC_PATTERN.test(text);
}

export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The wall-clock time of an HLC string, as an ISO date, for display. */
export function hlcToIso(text: string): string {
  return new Date(parseHlc(text).wallMs).toISOString();
}

/**
 * A clock owned by one writer (one installation of Tessera). `now()` issues timestamps for local
 * events; `receive()` folds in a remote timestamp so that later local events order after it.
 */
export class HybridLogicalClock {
  private wallMs = 0;
  private counter = 0;

  constructor(
    readonly node: string,
    private readonly physicalNow: () => number = () => Date.now(),
  ) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(node)) throw new Error(`invalid clock node id: ${node}`);
  }

  now(): string {
    const physical = this.physicalNow();
    if (physical > this.wallMs) {
      this.wallMs = physical;
      this.counter = 0;
    } else {
      this.bumpCounter();
    }
    return formatHlc({ wallMs: this.wallMs, counter: this.counter, node: this.node });
  }

  receive(remote: string): string {
    const theirs = parseHlc(remote);
    const physical = this.physicalNow();
    if (theirs.wallMs - physical > MAX_CLOCK_DRIFT_MS) {
      throw new Error(`remote clock is more than a day ahead (${hlcToIso(remote)})`);
    }
    const maxWall = Math.max(this.wallMs, theirs.wallMs, physical);
    if (maxWall === this.wallMs && maxWall === theirs.wallMs) {
      this.counter = Math.max(this.counter, theirs.counter);
      this.bumpCounter();
    } else if (maxWall === this.wallMs) {
      this.bumpCounter();
    } else if (maxWall === theirs.wallMs) {
      this.counter = theirs.counter;
      this.bumpCounter();
    } else {
      this.counter = 0;
    }
    this.wallMs = maxWall;
    return formatHlc({ wallMs: this.wallMs, counter: this.counter, node: this.node });
  }

  private bumpCounter(): void {
    if (this.counter >= MAX_COUNTER) {
      // Out of counter space in one millisecond: borrow the next millisecond instead of overflowing.
      this.wallMs += 1;
      this.counter = 0;
    } else {
      this.counter += 1;
    }
  }
}
