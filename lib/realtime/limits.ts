// What one socket may ask of the server (lib/realtime/server.ts). One overseer socket once sent
// 10,000 `subscribe` events and was sent 10,000 full snapshots (369 MiB, the server's memory
// from 700 MiB to 1.77 GiB). Now: a subscription already held is not sent again, the events a
// socket may send are metered, a socket that keeps going past the limit is disconnected, and the
// telemetry rooms one socket may hold are capped.

export const SOCKET_LIMITS = {
  /** subscribe and telemetry:subscribe (each may cost a snapshot): a burst of 20, refilled over 10 s. */
  subscribe: { burst: 20, perMs: 10_000 },
  /** Every event a client sends, unsubscribes included. */
  events: { burst: 60, perMs: 10_000 },
  /** Refused events a socket may send (10 per 10 s) before it is disconnected. */
  refusals: { burst: 10, perMs: 10_000 },
  /**
   * Distinct telemetry rooms (panel × region) one socket may hold at once: the console's page
   * holds one panel of every region; the cap is this or regions + 1, whichever is more.
   */
  telemetryRooms: 4,
  /** Largest message a client may send, bytes (its events are a few dozen bytes). */
  maxMessageBytes: 32 * 1024,
} as const;

/** How many telemetry rooms one socket may hold in a federation of `regions` regions. */
export const telemetryRoomCap = (regions: number) => Math.max(SOCKET_LIMITS.telemetryRooms, regions + 1);

/** A token bucket: `burst` tokens, refilled continuously at `burst` per `perMs`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    private readonly perMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) * this.burst) / this.perMs);
    this.at = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds until the next token. */
  retryAfterSec(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) * this.perMs) / this.burst / 1000));
  }
}

export const SUBSCRIBE_EVENTS: ReadonlySet<string> = new Set(["subscribe", "telemetry:subscribe"]);

export type Verdict = { ok: true } | { ok: false; disconnect: boolean; message: string };

/** One socket's meter: every incoming event goes through `check`. */
export class SocketMeter {
  private readonly subscribes: TokenBucket;
  private readonly events: TokenBucket;
  private readonly refusals: TokenBucket;

  constructor(
    now: () => number = Date.now,
    private readonly limits: Pick<typeof SOCKET_LIMITS, "subscribe" | "events" | "refusals"> = SOCKET_LIMITS,
  ) {
    this.subscribes = new TokenBucket(limits.subscribe.burst, limits.subscribe.perMs, now);
    this.events = new TokenBucket(limits.events.burst, limits.events.perMs, now);
    this.refusals = new TokenBucket(limits.refusals.burst, limits.refusals.perMs, now);
  }

  check(event: string): Verdict {
    const subscribe = SUBSCRIBE_EVENTS.has(event);
    // Both buckets are always charged, so that a refused subscribe still costs an event.
    const eventOk = this.events.take();
    const subscribeOk = subscribe ? this.subscribes.take() : true;
    if (eventOk && subscribeOk) return { ok: true };
    const bucket = subscribeOk ? this.events : this.subscribes;
    const l = subscribeOk ? this.limits.events : this.limits.subscribe;
    const limit = `at most ${l.burst} ${subscribeOk ? "events" : "subscriptions"} per ${l.perMs / 1000} s`;
    if (!this.refusals.take()) return { ok: false, disconnect: true, message: `Too many events after being told to slow down (${limit}): disconnected.` };
    return { ok: false, disconnect: false, message: `Slow down: ${limit}; try again in ${bucket.retryAfterSec()} s.` };
  }
}
