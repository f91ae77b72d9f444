import { describe, expect, it } from "vitest";
import { rpoNow } from "./rpo";
import type { RegionHealth } from "@/lib/federation/types";

const h = (regionId: string, lag: number | null, status: RegionHealth["status"] = "healthy"): RegionHealth => ({
  regionId,
  name: regionId,
  status,
  reasons: [],
  components: [],
  markedDown: false,
  measuredAt: 5,
  figures: { replicationLagMs: lag, replicationLagPeakMs: lag, gpuUtilPct: null, requestsPerSec: null, tenantsServed: 0 },
});

describe("RPO now per tenant", () => {
  const t = { primaryRegionId: "kl_dc_1", failoverRegionId: "cyberjaya_1", servingRegionId: "kl_dc_1" };
  it("is the lag into the copy region, in seconds", () => {
    expect(rpoNow(t, [h("kl_dc_1", 90), h("cyberjaya_1", 240)])).toMatchObject({ seconds: 0.24, copyRegionId: "cyberjaya_1" });
  });
  it("uses the primary as the copy while the tenant runs on its failover region", () => {
    expect(rpoNow({ ...t, servingRegionId: "cyberjaya_1" }, [h("kl_dc_1", 90), h("cyberjaya_1", 240)])).toMatchObject({
      seconds: 0.09,
      copyRegionId: "kl_dc_1",
    });
  });
  it("is unknown, with a reason, when the copy region is down or the tenant has one region", () => {
    expect(rpoNow(t, [h("kl_dc_1", 90), h("cyberjaya_1", null, "down")])).toMatchObject({ seconds: null, reason: "copy region down" });
    expect(rpoNow({ ...t, failoverRegionId: "kl_dc_1" }, [])).toMatchObject({ seconds: null, reason: "no second region" });
  });
});
