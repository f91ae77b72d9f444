import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { Bus } from "@/lib/realtime/bus";
import { AlertEngine, p95, listAlerts, type AlertView } from "./alerts";
import type { RegionHealth } from "@/lib/federation/types";

let db: Database;
beforeAll(async () => {
  db = await openDatabase({});
});
afterAll(async () => db?.close());

function region(t: number, lag: number | null, status: RegionHealth["status"] = "healthy"): RegionHealth {
  return {
    regionId: "cyberjaya_1",
    name: "Cyberjaya",
    status,
    reasons: status === "down" ? ["All 5 components down: unreachable"] : [],
    components: [],
    markedDown: false,
    measuredAt: t,
    figures: { replicationLagMs: lag, replicationLagPeakMs: lag, gpuUtilPct: 10, requestsPerSec: 5, tenantsServed: 5 },
  };
}

describe("p95", () => {
  it("interpolates like percentile_cont", () => {
    expect(p95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21])).toBe(20);
    expect(p95([100])).toBe(100);
    expect(p95([])).toBeNull();
  });
});

describe("AlertEngine", () => {
  it("raises the lag SLO alert when the 1-minute p95 goes above 1 s, tracks its peak, and clears it", async () => {
    const bus = new Bus();
    const seen: AlertView[][] = [];
    bus.on("alerts:changed", (a) => seen.push(a));
    const engine = new AlertEngine(db.prisma, bus);
    let t = 1_800_000_000_000;
    for (let i = 0; i < 30; i++) await engine.evaluate([region((t += 1000), 80)], t);
    expect(engine.openAlerts()).toEqual([]);
    for (let i = 0; i < 10; i++) await engine.evaluate([region((t += 1000), 2500)], t);
    const [open] = engine.openAlerts();
    expect(open).toMatchObject({ kind: "lag_slo", regionId: "cyberjaya_1", endedAt: null });
    expect(open.message).toMatch(/p95 2\.\d+ s over the last 1 min is above the 1 s SLO/);
    expect(open.peak).toBeGreaterThan(1000);
    // 70 s of healthy lag: the spike leaves the window and the alert ends.
    for (let i = 0; i < 70; i++) await engine.evaluate([region((t += 1000), 80)], t);
    expect(engine.openAlerts()).toEqual([]);
    const [rec] = await listAlerts(db.prisma);
    expect(rec.kind).toBe("lag_slo");
    expect(rec.endedAt).not.toBeNull();
    expect(seen.at(-1)).toEqual([]);
    const notes = await db.prisma.annotation.findMany({ orderBy: { t: "asc" } });
    expect(notes.map((n) => n.kind)).toEqual(["lag_slo_start", "lag_slo_end"]);
  });

  it("raises tenants-served-elsewhere and residency-breach alerts while probes say so, and ends them", async () => {
    const engine = new AlertEngine(db.prisma, new Bus());
    let t = 1_810_000_000_000;
    const r = (elsewhere: string[], breaches: string[]) => {
      const x = region((t += 1000), 80);
      return { ...x, figures: { ...x.figures, tenantsElsewhere: elsewhere, residencyBreaches: breaches } };
    };
    await engine.evaluate([r(["klinik-a", "klinik-b"], ["klinik-kota-bharu"])], t);
    const open = engine.openAlerts();
    expect(open.map((a) => a.kind).sort()).toEqual(["residency_breach", "served_elsewhere"]);
    expect(open.find((a) => a.kind === "served_elsewhere")!.message).toBe("2 tenants routed to Cyberjaya are served by another region: klinik-a, klinik-b");
    expect(open.find((a) => a.kind === "residency_breach")!.message).toBe("Cyberjaya is answering residency-locked tenant outside its lock: klinik-kota-bharu");
    await engine.evaluate([r([], [])], t);
    expect(engine.openAlerts()).toEqual([]);
  });

  it("raises and ends a region-down alert, and survives a restart of the engine", async () => {
    const bus = new Bus();
    let t = 1_800_001_000_000;
    const e1 = new AlertEngine(db.prisma, bus);
    // One bad sample (a dropped probe round) is not an outage; two in a row are.
    await e1.evaluate([region((t += 1000), null, "down")], t);
    expect(e1.openAlerts()).toEqual([]);
    await e1.evaluate([region((t += 1000), 90)], t);
    await e1.evaluate([region((t += 1000), null, "down")], t);
    await e1.evaluate([region((t += 1000), null, "down")], t);
    expect(e1.openAlerts().map((a) => a.kind)).toEqual(["region_down"]);
    expect(e1.openAlerts()[0].message).toBe("Cyberjaya is down: All 5 components down: unreachable");
    // A new engine (console restarted) picks up the open alert instead of opening a second one.
    const e2 = new AlertEngine(db.prisma, bus);
    await e2.evaluate([region((t += 1000), null, "down")], t);
    expect(await db.prisma.alert.count({ where: { kind: "region_down", endedAt: null } })).toBe(1);
    await e2.evaluate([region((t += 1000), 90)], t);
    expect(e2.openAlerts()).toEqual([]);
    expect(await db.prisma.alert.count({ where: { endedAt: null } })).toBe(0);
  });
});
