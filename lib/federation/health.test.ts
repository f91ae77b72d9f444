import { describe, expect, it } from "vitest";
import { rollupRegion } from "./health";
import { COMPONENT_LABELS, type ComponentHealth, type ComponentKind, type ComponentStatus } from "./types";

const c = (kind: ComponentKind, status: ComponentStatus, reason: string | null = null): ComponentHealth => ({
  kind,
  name: COMPONENT_LABELS[kind],
  status,
  reason,
  figures: [],
  measuredAt: 0,
});
const all = (s: ComponentStatus, reason: string | null = null) =>
  (["router", "galera", "postgres", "object_store", "inference"] as const).map((k) => c(k, s, reason));

describe("region health roll-up (F1)", () => {
  it("is healthy when every component is up, with no reasons", () => {
    expect(rollupRegion(all("up"))).toEqual({ status: "healthy", reasons: [] });
  });
  it("is down when the router or the clinical database is down, naming it and its reason", () => {
    const comps = all("up");
    comps[0] = c("router", "down", "both app servers DOWN in HAProxy (L7 timeout)");
    expect(rollupRegion(comps)).toEqual({ status: "down", reasons: ["HAProxy router down: both app servers DOWN in HAProxy (L7 timeout)"] });
    const db = all("up");
    db[1] = c("galera", "down", "no node reachable");
    expect(rollupRegion(db).status).toBe("down");
  });
  it("is degraded when a non-critical component is down or anything is degraded/unknown", () => {
    const comps = all("up");
    comps[3] = c("object_store", "down", "S3 endpoint refused connection");
    expect(rollupRegion(comps)).toEqual({ status: "degraded", reasons: ["Object store down: S3 endpoint refused connection"] });
    const u = all("up");
    u[4] = c("inference", "unknown", "probe timed out after 800 ms");
    expect(rollupRegion(u).status).toBe("degraded");
  });
  it("names a reason shared by every component once", () => {
    expect(rollupRegion(all("down", "region unreachable"))).toEqual({ status: "down", reasons: ["All 5 components down: region unreachable"] });
  });
  it("is unknown without components", () => {
    expect(rollupRegion([]).status).toBe("unknown");
  });
});
