import "server-only";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Database } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

// A2 throttling with rate-limiter-flexible: on PostgreSQL the counts live in the shared
// `rate_limits` table, so limits hold across console instances; on the embedded database (one
// process) they live in memory. A refused call answers 429 with the time to wait.

export interface LimitSpec {
  /** Distinguishes limiters sharing the store (e.g. "mutation", "login-account"). */
  name: string;
  points: number;
  durationSec: number;
  /** What the person was trying to do, for the message ("changes", "sign-in attempts"). */
  what: string;
}

export class Limiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    readonly spec: LimitSpec,
    database?: Pick<Database, "pool">,
  ) {
    const opts = { keyPrefix: `fc:${spec.name}`, points: spec.points, duration: spec.durationSec };
    this.limiter = database?.pool
      ? new RateLimiterPostgres({ ...opts, storeClient: database.pool, storeType: "pool", tableName: "rate_limits", tableCreated: true })
      : new RateLimiterMemory(opts);
  }

  /** Takes one point for `key`, or throws 429 saying when to try again. */
  async take(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      throw tooMany(this.spec, e.msBeforeNext);
    }
  }

  /** How many points are left for `key` without taking one (null: none taken yet). */
  async remaining(key: string): Promise<number | null> {
    const r = await this.limiter.get(key);
    return r ? r.remainingPoints : null;
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

export function tooMany(spec: LimitSpec, msBeforeNext: number): AppError {
  const retryAfterSec = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(
    429,
    "rate_limited",
    `Too many ${spec.what}: at most ${spec.points} in ${describeWindow(spec.durationSec)}. Try again in ${retryAfterSec} s.`,
    {
      retryAfterSec,
    },
  );
}

function describeWindow(sec: number): string {
  return sec % 60 === 0 ? `${sec / 60} min` : `${sec} s`;
}

export interface Limits {
  /** Changes per signed-in user (every mutating route and action). */
  mutation: Limiter;
  /** Sign-in attempts per account (e-mail) and per client address. */
  loginAccount: Limiter;
  loginAddress: Limiter;
}

export interface LimitSettings {
  MUTATIONS_PER_MINUTE: number;
  LOGINS_PER_15_MIN: number;
}

/** The console's limiters, over the database's shared store when it has one. */
export function createLimits(settings: LimitSettings, database?: Pick<Database, "pool">): Limits {
  return {
    mutation: new Limiter({ name: "mutation", points: settings.MUTATIONS_PER_MINUTE, durationSec: 60, what: "changes" }, database),
    loginAccount: new Limiter(
      { name: "login-account", points: settings.LOGINS_PER_15_MIN, durationSec: 900, what: "sign-in attempts for this account" },
      database,
    ),
    loginAddress: new Limiter(
      { name: "login-address", points: settings.LOGINS_PER_15_MIN * 4, durationSec: 900, what: "sign-in attempts from this address" },
      database,
    ),
  };
}
