import { describe, expect, expectTypeOf, it } from "vitest";
import { QueryClient, type QueryKey } from "@tanstack/react-query";
import { queryKeys as k } from "@/lib/query-keys";
import type { BusEvents, DomainEvent, DomainEvents, ServerToClientEvents } from "./events";
import { INVALIDATES, LIVE_EVENTS, REPLACES, applyDomainEvent } from "./invalidation";

const SAMPLE: DomainEvents = {
  "tenants:changed": { tenantIds: ["t1"], by: "admin@federation.local", at: 1 },
  "tenants:observed": { tenant: "klinik-x", regionId: "cyberjaya_1", ok: true, at: 1 },
  "regions:changed": { regionId: "kl_dc_1", markedDown: true, by: "admin@federation.local", at: 1 },
  "moves:changed": { moveId: "mv_1", tenantId: "t1", state: "running" },
  "failover:changed": { regionId: "kl_dc_1", what: "failover", failoverId: "fo_1", at: 1 },
  "alerts:changed": [],
  "break-glass:changed": [{ id: "bg_1", actorEmail: "admin@federation.local", reason: "drill of the day", startedAt: "x", expiresAt: "y" }],
  "audit:appended": { action: "tenant.move", at: 1 },
  "console:stalled": { startedAt: 1, endedAt: 8201, durationMs: 8200 },
  "routes:drift": { count: 2, resolution: null, by: "system@console", at: 1 },
};

/** A cache holding one entry per key, then the keys left invalidated after the event. */
function invalidatedBy<E extends DomainEvent>(event: E, keys: QueryKey[]): QueryKey[] {
  const qc = new QueryClient();
  for (const key of keys) qc.setQueryData(key, "cached");
  applyDomainEvent(qc, event, SAMPLE[event]);
  return keys.filter((key) => qc.getQueryState(key)?.isInvalidated);
}

describe("the event → query map", () => {
  it("handles every domain event", () => {
    expect([...LIVE_EVENTS].sort()).toEqual(Object.keys(SAMPLE).sort());
  });

  it("refreshes the audit log on every event that follows a change (approvals and break-glass too)", () => {
    const audit = k.audit.list({});
    for (const event of ["tenants:changed", "regions:changed", "moves:changed", "break-glass:changed", "audit:appended"] as const)
      expect(invalidatedBy(event, [audit]), event).toEqual([audit]);
  });

  it("refreshes moves, their approvals and single moves on moves:changed, not tenants", () => {
    const keys = [k.moves.list({ limit: 12 }), k.moves.one("mv_1"), k.approvals.pending, k.tenants.list({})];
    expect(invalidatedBy("moves:changed", keys)).toEqual(keys.slice(0, 3));
  });

  it("refreshes tenants, regions and telemetry annotations on their events", () => {
    const keys = [k.tenants.list({ q: "klinik" }), k.regions.all, k.telemetry.annotations("15m"), k.overview.snapshot];
    expect(invalidatedBy("tenants:changed", keys)).toEqual([keys[0], keys[2]]);
    expect(invalidatedBy("regions:changed", keys)).toEqual([keys[1], keys[2]]);
    expect(invalidatedBy("alerts:changed", keys)).toEqual([keys[2]]);
  });

  it("refreshes the route-drift banner and the audit log on routes:drift, not tenants", () => {
    const keys = [k.routes.drift, k.audit.list({}), k.tenants.list({})];
    expect(invalidatedBy("routes:drift", keys)).toEqual(keys.slice(0, 2));
  });

  it("writes lists that events carry whole into the cache", () => {
    const qc = new QueryClient();
    applyDomainEvent(qc, "break-glass:changed", SAMPLE["break-glass:changed"]);
    applyDomainEvent(qc, "alerts:changed", []);
    expect(qc.getQueryData(k.breakGlass.active)).toEqual(SAMPLE["break-glass:changed"]);
    expect(qc.getQueryData(k.alerts.open)).toEqual([]);
    expect(Object.keys(REPLACES).sort()).toEqual(["alerts:changed", "break-glass:changed"]);
  });

  it("leaves the overview's live snapshot to its own hook", () => {
    for (const event of LIVE_EVENTS) {
      const keys = INVALIDATES[event](SAMPLE[event] as never);
      expect(
        keys.some((key) => key[0] === "overview"),
        event,
      ).toBe(false);
    }
  });
});

describe("the one event map", () => {
  it("types the bus and the socket from the same domain events", () => {
    expectTypeOf<BusEvents["moves:changed"]>().toEqualTypeOf<[DomainEvents["moves:changed"]]>();
    expectTypeOf<Parameters<ServerToClientEvents["moves:changed"]>>().toEqualTypeOf<[DomainEvents["moves:changed"]]>();
    expectTypeOf<Parameters<ServerToClientEvents["audit:appended"]>>().toEqualTypeOf<BusEvents["audit:appended"]>();
    expectTypeOf<Parameters<ServerToClientEvents["break-glass:changed"]>>().toEqualTypeOf<BusEvents["break-glass:changed"]>();
  });
});
