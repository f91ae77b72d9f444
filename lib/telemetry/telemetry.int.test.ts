// Against the running lab: the whole telemetry pipeline (per-component pollers → live window →
// history → alerts) over real servers. Pausing cross-region replication makes the lag series
// rise and the SLO alert fire; resuming it makes both come back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cfg, requireLab, waitFor } from "@/lib/federation/lab/testing";
import { createLabFederation } from "@/lib/federation/lab/index";
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { openDatabase, type Database } from "@/lib/db/client";
import type { Federation } from "@/lib/federation/types";
import { LiveHealth } from "./live";
import { HistoryStore } from "./history";
import { AlertEngine } from "./alerts";
import { Bus } from "@/lib/realtime/bus";
import { Poller } from "@/workers/poller";
import { TelemetryPipeline } from "@/workers/telemetry";

const SERIES = "cyberjaya_1:galera:cross_region_lag_ms";
const cy = cfg.regions.find((r) => r.id === "cyberjaya_1")!;
const link = cfg.crossRegion.links.find((l) => l.to === "cyberjaya_1")!;
const cyNode = new MariadbNode(
  { name: cy.mariadb.nodes[0].name, host: cy.net.address, port: cy.mariadb.nodes[0].port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword },
  800,
);

let db: Database;
let federation: Federation;
let poller: Poller;
let pipeline: TelemetryPipeline;
const live = new LiveHealth();
const bus = new Bus();
let alerts: AlertEngine;
let history: HistoryStore;

beforeAll(async () => {
  await requireLab();
  db = await openDatabase({});
  federation = await createLabFederation({
    regions: [
      { id: "kl_dc_1", name: "KL DC" },
      { id: "cyberjaya_1", name: "Cyberjaya" },
    ],
  });
  history = new HistoryStore(db.prisma);
  alerts = new AlertEngine(db.prisma, bus, { windowMs: 8000 });
  pipeline = new TelemetryPipeline(bus, history, alerts, 250);
  poller = new Poller(federation, live, bus, 500);
  pipeline.start();
  poller.start();
});

afterAll(async () => {
  await cyNode.startReplica(link.connection).catch(() => undefined);
  await poller?.stop();
  await pipeline?.stop();
  await federation?.close();
  await cyNode.close();
  await db?.close();
});

const lagPoints = () => live.pointsSince((s) => s === SERIES);
const openLagAlert = () => alerts.openAlerts().find((a) => a.kind === "lag_slo" && a.regionId === "cyberjaya_1");

describe("telemetry pipeline on the lab", () => {
  it("samples real components: lag at rest is well under the SLO, no alert", async () => {
    await waitFor("ten lag samples", async () => lagPoints().length >= 10, 15_000, 200);
    const values = lagPoints().map((p) => p.v!);
    expect(Math.max(...values)).toBeLessThan(1000);
    expect(openLagAlert()).toBeUndefined();
    const region = live.region("cyberjaya_1")!;
    expect(region.status).toBe("healthy");
    expect(Date.now() - region.measuredAt).toBeLessThan(1500);
  });

  it("a paused replica makes the lag series rise and the SLO alert fire; resuming clears both", async () => {
    const pausedAt = Date.now();
    await cyNode.stopReplica(link.connection, true);
    try {
      const alert = await waitFor("the lag SLO alert", async () => openLagAlert(), 20_000, 200);
      expect(alert.message).toMatch(/Cross-region lag into Cyberjaya: p95 [\d.]+ s over the last 8\.00 s is above the 1 s SLO/);
      // The series rose with wall time while the replica was paused (heartbeats every 100 ms).
      const during = lagPoints().filter((p) => p.t > pausedAt + 500);
      const last = during.at(-1)!;
      expect(last.v!).toBeGreaterThan(1000);
      expect(Math.abs(last.v! - (last.t - pausedAt))).toBeLessThan(600);
      expect(live.region("cyberjaya_1")!.status).toBe("degraded");
      expect(live.region("cyberjaya_1")!.reasons.join(" ")).toMatch(/SQL thread stopped/);
    } finally {
      await cyNode.startReplica(link.connection);
    }
    await waitFor("lag back under 300 ms", async () => (lagPoints().at(-1)?.v ?? Infinity) < 300, 10_000, 200);
    await waitFor("the alert to end", async () => !openLagAlert(), 20_000, 250);
    const rows = await db.prisma.alert.findMany({ where: { kind: "lag_slo", regionId: "cyberjaya_1" } });
    expect(rows).toHaveLength(1);
    expect(rows[0].endedAt).not.toBeNull();
    expect(rows[0].peak!).toBeGreaterThan(1000);

    // The rise is in the stored history too, not only in memory.
    await history.flush();
    const stored = await db.prisma.sample.findMany({ where: { series: SERIES, t: { gte: new Date(pausedAt) } }, orderBy: { t: "asc" } });
    expect(Math.max(...stored.map((s) => s.v ?? 0))).toBeGreaterThan(1000);
    // From the pause on (whatever the console saw while warming up before it is not this test's)
    const notes = await db.prisma.annotation.findMany({ where: { regionId: "cyberjaya_1", t: { gte: new Date(pausedAt) } }, orderBy: { t: "asc" } });
    expect(notes.map((n) => n.kind)).toEqual(["lag_slo_start", "lag_slo_end"]);
  });

  it("probes a tenant through HAProxy and reports which region answered", async () => {
    const r = await federation.probeTenant("klinik-kuching");
    expect(r.ok).toBe(true);
    expect(["kl_dc_1", "cyberjaya_1"]).toContain(r.servedBy);
    expect(r.latencyMs!).toBeGreaterThan(0);
    expect(r.latencyMs!).toBeLessThan(800);
  });
});
