import { afterAll, describe, expect, it } from "vitest";
import { buildRuntime, shutdownRuntime } from "./runtime";
import { runtime, type Runtime } from "@/lib/runtime";
import { consoleHealth } from "@/lib/console-health";
import type { Env } from "@/lib/env";

// The composition root over the embedded database and the simulation: what `npm start` builds.
const env = {
  NODE_ENV: "test",
  PORT: 3999,
  HOST: "127.0.0.1",
  DATA_DIR: "./data-test",
  dataDir: "/tmp/fc-runtime-test",
  FEDERATION_MODE: "sim",
  POLL_INTERVAL_MS: 200,
  STALL_THRESHOLD_MS: 500,
  TENANT_PROBE_INTERVAL_MS: 5000,
  SIM_SEED: 7,
  NEXTAUTH_SECRET: "runtime-test-secret-0123456789",
  NEXTAUTH_URL: "http://localhost:3999",
  REPIN_HOLD_DOWN_MS: 60_000,
  FAILOVER_CONFIRM_MS: 1500,
  FAILOVER_HEARTBEAT_STALE_MS: 1500,
  FAILOVER_HOLD_DOWN_MS: 300_000,
  MOVE_CONCURRENCY: 2,
  DEMO_PASSWORD: "federation-demo",
  MUTATIONS_PER_MINUTE: 30,
  LOGINS_PER_15_MIN: 10,
  SESSION_IDLE_MINUTES: 30,
  SESSION_MAX_HOURS: 8,
} satisfies Env;

let rt: Runtime | undefined;
afterAll(async () => {
  if (rt && (globalThis as Record<symbol, unknown>)[Symbol.for("federation-console.runtime")]) await shutdownRuntime(rt);
});

describe("the composition root", () => {
  it("builds the services, starts every worker, and drains them all on shutdown", async () => {
    rt = await buildRuntime(env, { pglite: "memory" });
    expect(runtime()).toBe(rt);
    expect(rt.workers.map((w) => w.name)).toEqual(["stall-detector", "telemetry", "poller", "tenant-prober", "region-watch", "orchestrator", "repin"]);
    for (const w of rt.workers) expect(["running", "standby"]).toContain(w.health().state);
    const h = consoleHealth(rt);
    expect(h.ok).toBe(true);
    expect(h.lastSampleAgeMs).toBeLessThan(1000);
    expect(await rt.services.db.tenant.count()).toBe(35);

    const workers = rt.workers;
    await shutdownRuntime(rt);
    for (const w of workers) expect(w.health().state).toBe("stopped");
    expect(() => runtime()).toThrow(/not started/);
  });
});
