import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/permissions";

// /api/metrics and /api/health as a scraper, a stranger and each role would call them.
let signedIn: Actor | null = null;
vi.mock("@/lib/auth/session", () => ({ currentActor: async () => signedIn }));

const { createHarness } = await import("@/lib/testing/harness");
const { setRuntime } = await import("@/lib/runtime");
const { GET: metrics } = await import("@/app/api/metrics/route");
const { GET: health } = await import("@/app/api/health/route");
const { tokenMatches } = await import("./metrics-endpoint");
const { HealthTracker } = await import("@/lib/worker-health");

let h: Awaited<ReturnType<typeof createHarness>>;
const failing = new HealthTracker("orchestrator");
beforeAll(async () => {
  h = await createHarness();
  failing.start();
  failing.fail(new Error("password authentication failed for user console at 10.0.0.5"));
  setRuntime(h.runtime({ METRICS_TOKEN: "scrape-token-0123" }, [{ name: "orchestrator", start() {}, stop() {}, health: () => failing.snapshot() }]));
});
afterAll(async () => {
  setRuntime(undefined);
  await h?.close();
});

const get = (headers: Record<string, string> = {}) => metrics(new Request("http://localhost/api/metrics", { headers }));

describe("/api/metrics", () => {
  it("refuses strangers (401), a wrong token (401) and non-admin sessions (403)", async () => {
    signedIn = null;
    expect((await get()).status).toBe(401);
    expect((await get({ authorization: "Bearer wrong-token-xx" })).status).toBe(401);
    signedIn = h.actors.overseer;
    expect((await get()).status).toBe(403);
    signedIn = h.actors.compliance;
    expect((await get()).status).toBe(403);
  });

  it("answers the scraper's token and an admin's session, with the workers' state and no-store", async () => {
    signedIn = null;
    const byToken = await get({ authorization: "Bearer scrape-token-0123" });
    expect(byToken.status).toBe(200);
    expect(byToken.headers.get("cache-control")).toBe("no-store");
    const text = await byToken.text();
    expect(text).toContain('federation_region_status{region="kl_dc_1"');
    expect(text).toContain('federation_console_worker_up{worker="orchestrator",state="failing"} 0');
    expect(text).not.toContain("password authentication");
    signedIn = h.actors.admin;
    expect((await get()).status).toBe(200);
  });

  it("compares tokens whole and in constant time", () => {
    expect(tokenMatches("Bearer abcdefgh", "abcdefgh")).toBe(true);
    expect(tokenMatches("Bearer abcdefg", "abcdefgh")).toBe(false);
    expect(tokenMatches("Bearer abcdefghi", "abcdefgh")).toBe(false);
    expect(tokenMatches("abcdefgh", "abcdefgh")).toBe(false);
    expect(tokenMatches("Bearer abcdefgh", undefined)).toBe(false);
    expect(tokenMatches(null, "abcdefgh")).toBe(false);
  });
});

describe("the console's own stalls", () => {
  it("are counted in /api/health and /api/metrics, with the probe results they discarded", async () => {
    const stalls = h.services.stalls;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    stalls.start();
    try {
      await sleep(150);
      const blockedAt = Date.now();
      while (Date.now() - blockedAt < 700); // the event loop does not run for 0.7 s
      await sleep(150);
      stalls.noteDiscarded("poller");
      stalls.noteDiscarded("poller");
      stalls.noteDiscarded("tenant-prober");

      const body = await (await health()).json();
      expect(body.stalls).toMatchObject({ thresholdMs: 500, discardedProbeResults: 3, eventLoopDelayP99Ms: expect.any(Number) });
      expect(body.stalls.count).toBeGreaterThanOrEqual(1);
      expect(body.stalls.longestMs).toBeGreaterThanOrEqual(700);
      expect(body.stalls.lastDurationMs).toBeGreaterThanOrEqual(700);
      expect(Date.parse(body.stalls.lastAt)).toBeGreaterThan(blockedAt - 1000);

      signedIn = null;
      const text = await (await get({ authorization: "Bearer scrape-token-0123" })).text();
      expect(text).toMatch(/^federation_console_event_loop_stalls_total [1-9]\d*$/m);
      expect(text).toMatch(/^federation_console_event_loop_stalled_seconds_total (0\.[7-9]|[1-9])/m);
      expect(text).toContain('federation_console_probe_results_discarded_total{worker="poller"} 2');
      expect(text).toMatch(/^federation_console_event_loop_delay_seconds\{quantile="0\.99"\} [\d.e-]+$/m);
    } finally {
      stalls.stop();
    }
  });
});

describe("/api/health", () => {
  it("says whether the console is alive and how each worker is, never its error text", async () => {
    await h.poll();
    const res = await health();
    const body = await res.json();
    expect(body.workers).toEqual([{ name: "orchestrator", state: "failing", lastRunAt: expect.any(Number) }]);
    expect(JSON.stringify(body)).not.toMatch(/password|10\.0\.0\.5/);
    expect(body).toMatchObject({ ok: expect.any(Boolean), uptimeSeconds: expect.any(Number) });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});
