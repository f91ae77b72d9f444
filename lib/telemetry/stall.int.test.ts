// Against the running lab: the console's own event loop blocked for 2 s while probes are in
// flight over real connections. What came back across the stall measured the console, not the
// components: no component that was up is reported down or unknown because of it, no tenant
// probe records a failure or a 2-second latency, and the stall is counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireLab, waitFor } from "@/lib/federation/lab/testing";
import { createLabFederation } from "@/lib/federation/lab/index";
import type { Federation, RegionHealth } from "@/lib/federation/types";
import { Bus } from "@/lib/realtime/bus";
import { Poller } from "@/workers/poller";
import { TenantProber } from "@/workers/tenant-prober";
import { LiveHealth } from "./live";
import type { HistoryStore } from "./history";
import type { Point } from "./series";
import { StallDetector } from "./stall";

let federation: Federation;
let poller: Poller;
let prober: TenantProber;
const stalls = new StallDetector({ thresholdMs: 500 });
const bus = new Bus();
const live = new LiveHealth();
const samples: { at: number; regions: RegionHealth[] }[] = [];
const points: { at: number; point: Point }[] = [];
const history = { append: (ps: Point[]) => void points.push(...ps.map((point) => ({ at: Date.now(), point }))) } as unknown as HistoryStore;

beforeAll(async () => {
  await requireLab();
  federation = await createLabFederation({
    regions: [
      { id: "kl_dc_1", name: "KL DC" },
      { id: "cyberjaya_1", name: "Cyberjaya" },
    ],
  });
  bus.on("health", (regions) => samples.push({ at: Date.now(), regions }));
  stalls.start();
  poller = new Poller(federation, live, bus, 500, undefined, stalls);
  prober = new TenantProber(federation, live, history, bus, 1000, 4, stalls);
  prober.setTenants(Object.keys(await federation.readRoutes()));
  poller.start();
  prober.start();
});

afterAll(async () => {
  prober?.stop();
  await poller?.stop();
  stalls.stop();
  await federation?.close();
});

const key = (regionId: string, kind: string) => `${regionId}:${kind}`;
const statuses = (s: RegionHealth[]) => new Map(s.flatMap((r) => r.components.map((c) => [key(r.regionId, c.kind), c] as const)));

describe("a stall of the console on the lab", () => {
  it("discards and re-takes what spanned a 2 s block of the event loop: nothing that was up is reported down or unknown", async () => {
    // A steady baseline: the components up in each of the last three samples, the tenants whose probes succeed.
    await waitFor("six samples", async () => samples.length >= 6, 20_000, 100);
    await waitFor("tenant probes", async () => prober.latest.size >= 10, 20_000, 100);
    const lastThree = samples.slice(-3).map((s) => statuses(s.regions));
    const up = [...lastThree[0].keys()].filter((k) => lastThree.every((m) => m.get(k)?.status === "up"));
    expect(up.length).toBeGreaterThanOrEqual(6);
    const okTenants = new Set([...prober.latest.values()].filter((p) => p.ok).map((p) => p.tenant));

    // Probes in flight (a round just started; tenant probes run four at a time), then the
    // console's loop does not run for 2 s.
    void poller.pollNow();
    await new Promise((r) => setTimeout(r, 5));
    const blockedAt = Date.now();
    while (Date.now() - blockedAt < 2000);
    const resumedAt = Date.now();

    await new Promise((r) => setTimeout(r, 4000));
    const after = samples.filter((s) => s.at >= blockedAt);
    expect(after.length).toBeGreaterThanOrEqual(4);
    const wronged: string[] = [];
    for (const s of after)
      for (const k of up) {
        const c = statuses(s.regions).get(k)!;
        if (c.status === "down" || c.status === "unknown") wronged.push(`${k} ${c.status} ${Date.now() - s.at} ms ago: ${c.reason}`);
      }
    expect(wronged).toEqual([]);

    // Tenant probes across the stall: no failure of a tenant that answered before, no latency of the stall's length.
    const tenantPoints = points.filter((p) => p.at >= blockedAt && p.point.series.startsWith("tenant:"));
    expect(tenantPoints.length).toBeGreaterThan(0);
    expect(tenantPoints.filter((p) => p.point.v !== null && p.point.v >= 1500)).toEqual([]);
    const failedAfter = tenantPoints.filter((p) => p.point.v === null && okTenants.has(p.point.series.split(":")[1]));
    expect(failedAfter.map((p) => p.point.series)).toEqual([]);

    // Counted: the stall, its length, and what was discarded.
    const f = stalls.figures();
    expect(f.count).toBeGreaterThanOrEqual(1);
    expect(f.longestMs).toBeGreaterThanOrEqual(1900);
    expect(f.last!.endedAt).toBeGreaterThanOrEqual(resumedAt - 5);
    expect(f.discarded.poller ?? 0).toBeGreaterThanOrEqual(1);
    console.log(
      `stall ${f.last!.durationMs} ms; discarded ${JSON.stringify(f.discarded)}; ${after.length} samples after, ${tenantPoints.length} tenant points`,
    );
  });
});
