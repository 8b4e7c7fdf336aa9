/**
 * The bounds the web host puts on every client (issue 8, finding 5: one malformed frame, one huge
 * message or four big ones used to crash it or take it to 1.9 GB). Each number is a default that a
 * test may override through `WebHostOptions.limits`; the reasons are beside them.
 */

export interface WebHostLimits {
  /**
   * Largest WebSocket message accepted, checked on the frame header before any payload is kept
   * (over it: close 1009). Large files do not travel in one message: bundles and attachments go in
   * 1 MiB chunks through the chunked upload/download methods, so 32 MiB leaves room for the largest
   * single JSON request (a chart export, a big operation list) without letting one client hold much.
   */
  readonly maxMessageBytes: number;
  /** Fragments one message may arrive in (ws keeps one buffer per fragment; browsers send one). */
  readonly maxFragments: number;
  /** Open `/rpc` connections at once; one browser tab needs one (over it: HTTP 503 on upgrade). */
  readonly maxConnections: number;
  /** TCP connections at once, upgraded or not (bounds idle sockets that never send a request). */
  readonly maxSockets: number;
  /** Requests of one connection being run at once (over it: a `busy` reply). */
  readonly maxInFlightPerConnection: number;
  /**
   * Bytes of requests being processed plus answers not yet written out, across all connections
   * (over it: a `busy` reply). A request costs about four times its size while it runs (the
   * message, its text, its parsed form, a handler's decoded copy): measured, four 30 MB exports
   * at once took the host from 124 MB to 620 MB with 128 MiB here, so 64 MiB (two such requests
   * at a time, ~250 MB) it is. Messages still arriving are not counted: each connection holds at
   * most one partial message, so that part is bounded by maxConnections × maxMessageBytes.
   */
  readonly memoryBudgetBytes: number;
  /** Token bucket per connection: sustained messages per second, and the burst allowed on top. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  /**
   * A ping goes out this often; a connection that has not answered the previous one (or sent
   * anything) by then is dropped. Catches clients that upgrade and then go silent.
   */
  readonly heartbeatIntervalMs: number;
  /** A closing connection that does not answer our close frame is destroyed after this. */
  readonly closeTimeoutMs: number;
  /** HTTP: the request line and headers must arrive within this (slow-loris). */
  readonly headersTimeoutMs: number;
  /** HTTP: a whole request must arrive within this. */
  readonly requestTimeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: WebHostLimits = {
  maxMessageBytes: 32 * MiB,
  maxFragments: 1024,
  maxConnections: 16,
  maxSockets: 64,
  maxInFlightPerConnection: 32,
  memoryBudgetBytes: 64 * MiB,
  // The renderer sends a handful of calls per user action; a chunked transfer sends 1 MiB chunks
  // one after another. 200 a second with a burst of 400 is far above both.
  messagesPerSecond: 200,
  messageBurst: 400,
  heartbeatIntervalMs: 30_000,
  closeTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** A classic token bucket: `take()` spends one token, tokens refill at `rate` per second up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.last) / 1000) * this.rate);
    this.last = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Bytes held across all connections; a reservation either fits or is refused whole. */
export class ByteBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.held;
  }

  tryReserve(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  /** Counts bytes that are held anyway (an answer already computed), even past the limit. */
  force(bytes: number): void {
    this.held += bytes;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}
