import { z } from "zod";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

// Validated configuration. Nothing else in the project reads process.env.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Loopback only: the console never listens on a public interface. */
  HOST: z.enum(["127.0.0.1", "localhost", "::1"]).default("127.0.0.1"),
  /** External PostgreSQL. Empty → embedded PGlite in DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  /** sim: in-process simulation; lab: the real servers of lab/ on this machine. */
  FEDERATION_MODE: z.enum(["sim", "lab"]).default("sim"),
  /** Sampling period of the pollers, ms. */
  POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** M4: every tenant gets one synthetic request through the router per this period, ms. */
  TENANT_PROBE_INTERVAL_MS: z.coerce.number().int().min(1000).max(600_000).default(5000),
  /** The console's own event loop not running for longer than this is a stall: probe results across it are re-taken, ms. */
  STALL_THRESHOLD_MS: z.coerce.number().int().min(100).max(60_000).default(500),
  /** Seed for the simulation's randomness (tests pin it). */
  SIM_SEED: z.coerce.number().int().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  /** T6: how long a recovered primary must stay healthy and caught up before evacuated tenants go back, ms. */
  REPIN_HOLD_DOWN_MS: z.coerce.number().int().min(5000).max(3_600_000).default(60_000),
  /** F1: how long the console's own probes of a region must fail (the other region and HAProxy agreeing) before it is declared lost, ms. */
  FAILOVER_CONFIRM_MS: z.coerce.number().int().min(200).max(120_000).default(1000),
  /** F1: the other region no longer hears a region whose newest heartbeat there is older than this, ms. */
  FAILOVER_HEARTBEAT_STALE_MS: z.coerce.number().int().min(100).max(120_000).default(1000),
  /** F2 anti-flap: after a failover of a region, no automatic action on it for this long, ms. */
  FAILOVER_HOLD_DOWN_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  /** T4: how many tenant moves run at once. */
  MOVE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Scrapers present it to /api/metrics as "Authorization: Bearer <token>"; unset, only admins signed in may read the metrics. */
  METRICS_TOKEN: z.string().min(8).optional(),
  /** A2: changes (mutating routes and actions) one user may make per minute. */
  MUTATIONS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** A2: sign-in attempts per account per 15 minutes (four times as many per client address). */
  LOGINS_PER_15_MIN: z.coerce.number().int().min(1).max(10_000).default(10),
  /** A1: a session with no recorded activity for this long is ended (background polling is not activity). */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** A1: a session ends this long after sign-in whatever the activity; sign in again then. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(168).default(8),
  /** Seed demo users with these passwords (README lists them). */
  DEMO_PASSWORD: z.string().min(8).default("federation-demo"),
});

export type Env = z.infer<typeof schema> & { NEXTAUTH_SECRET: string; NEXTAUTH_URL: string; dataDir: string };

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  cached = {
    ...e,
    dataDir,
    NEXTAUTH_SECRET: e.NEXTAUTH_SECRET ?? persistedSecret(dataDir),
    NEXTAUTH_URL: e.NEXTAUTH_URL ?? `http://localhost:${e.PORT}`,
  };
  // next-auth reads these two itself.
  process.env.NEXTAUTH_SECRET = cached.NEXTAUTH_SECRET;
  process.env.NEXTAUTH_URL = cached.NEXTAUTH_URL;
  return cached;
}

/** A per-installation session secret, made once so sessions survive restarts. */
function persistedSecret(dataDir: string): string {
  const file = path.join(dataDir, ".auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
