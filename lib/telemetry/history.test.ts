import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { HistoryStore } from "./history";
import { RANGES, RAW_RETENTION_MS } from "./ranges";

let db: Database;
let h: HistoryStore;
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const S = "kl_dc_1:galera:cross_region_lag_ms";

beforeAll(async () => {
  db = await openDatabase({});
  h = new HistoryStore(db.prisma);
});
afterAll(async () => db?.close());

describe("HistoryStore", () => {
  it("writes batched samples once (duplicates ignored)", async () => {
    const pts = Array.from({ length: 3600 }, (_, i) => ({ series: S, t: NOW - 3600_000 + i * 1000, v: i % 60 === 0 ? 2000 : 100 }));
    h.append(pts);
    expect(await h.flush()).toBe(3600);
    h.append(pts.slice(0, 10));
    expect(await h.flush()).toBe(0);
    expect(await h.flush()).toBe(0);
  });

  it("answers the 15 min and 1 h ranges from raw samples with a steady number of points", async () => {
    const r15 = (await h.query([S], "15m", NOW))[S];
    expect(r15.length).toBeGreaterThanOrEqual(295);
    expect(r15.length).toBeLessThanOrEqual(RANGES["15m"].spanMs / RANGES["15m"].bucketMs + 1);
    const r1h = (await h.query([S], "1h", NOW))[S];
    expect(r1h.length).toBeGreaterThanOrEqual(295);
    expect(r1h.length).toBeLessThanOrEqual(301);
    // A spike inside a bucket shows in max and p95, while the average stays low.
    const spiky = r1h.find((p) => p.max === 2000)!;
    expect(spiky.avg).toBeLessThan(500);
    expect(spiky.p95).toBeGreaterThan(100);
    expect(r1h.every((p) => p.t % RANGES["1h"].bucketMs === 0)).toBe(true);
  });

  it("rolls complete minutes up, idempotently, and answers long ranges from rollups", async () => {
    await h.rollup(NOW, 3600_000);
    await h.rollup(NOW, 3600_000);
    const rows = await db.prisma.sampleRollup.findMany({ where: { series: S }, orderBy: { bucket: "asc" } });
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.count === 60 && r.max === 2000 && r.min === 100)).toBe(true);
    expect(rows[0].avg).toBeCloseTo((59 * 100 + 2000) / 60, 5);
    const day = (await h.query([S], "24h", NOW))[S];
    expect(day).toHaveLength(12); // one hour of data in 5-minute buckets
    expect(day[0].n).toBe(300);
    expect(day[0].avg).toBeCloseTo((59 * 100 + 2000) / 60, 5);
    const week = (await h.query([S], "7d", NOW))[S];
    expect(week.length).toBeGreaterThanOrEqual(2);
    expect(week.length).toBeLessThanOrEqual(3);
  });

  it("computes windowed percentiles", async () => {
    const p = (await h.percentiles([S], 15 * 60_000, NOW))[S];
    expect(p.p50).toBe(100);
    expect(p.n).toBe(900);
  });

  it("expires raw samples past retention but keeps rollups", async () => {
    const later = NOW + RAW_RETENTION_MS + 1000;
    const pruned = await h.prune(later);
    expect(pruned.raw).toBe(3600);
    expect(await db.prisma.sample.count()).toBe(0);
    expect(await db.prisma.sampleRollup.count()).toBe(60);
  });

  it("returns empty series, not errors, for unknown names", async () => {
    expect(await h.query(["nowhere:galera:x"], "15m", NOW)).toEqual({ "nowhere:galera:x": [] });
  });
});
