import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { Orchestrator } from "./orchestrator";
import { Repinner } from "./repin";
import { listMoves } from "@/lib/moves/service";
import type { RegionHealth } from "@/lib/federation/types";
import { requestMoveOp } from "@/lib/moves/operations";

let h: Harness;
let clock = Date.now();
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const HOLD = 60_000;
const orchestrator = () => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 5000 });
const tenant = (id: string) => h.database.prisma.tenant.findUniqueOrThrow({ where: { id } });

/** The live health, with KL DC forced to a status (the sim's KL is otherwise healthy). */
async function sample(klStatus: RegionHealth["status"]): Promise<RegionHealth[]> {
  const regions = (await h.federation.readHealth()).map((r) =>
    r.regionId === "kl_dc_1" ? { ...r, status: klStatus, measuredAt: clock } : { ...r, measuredAt: clock },
  );
  h.live.update(regions);
  return regions;
}

describe("re-pin after recovery (T6)", () => {
  it("brings an evacuated tenant back only after the primary has been healthy for the whole hold-down", async () => {
    const repin = new Repinner(h.services, { holdDownMs: HOLD, now: () => clock });
    // KL DC degraded: an admin moves Klinik Cheras Baru away: an evacuation.
    repin.observe(await sample("degraded"));
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-cheras-baru", targetRegionId: "cyberjaya_1" });
    expect(move.kind).toBe("evacuation");
    await orchestrator().drain();
    expect((await tenant("klinik-cheras-baru")).servingRegionId).toBe("cyberjaya_1");

    // KL DC recovers; 30 s later: still inside the hold-down.
    repin.observe(await sample("healthy"));
    clock += 30_000;
    repin.observe(await sample("healthy"));
    expect(await repin.evaluate()).toEqual([]);

    // A flap resets the hold-down.
    clock += 1000;
    repin.observe(await sample("degraded"));
    clock += 1000;
    repin.observe(await sample("healthy"));
    clock += 40_000;
    repin.observe(await sample("healthy"));
    expect(await repin.evaluate()).toEqual([]);

    clock += 25_000;
    repin.observe(await sample("healthy"));
    expect(await repin.evaluate()).toEqual(["klinik-cheras-baru"]);
    await orchestrator().drain();
    expect((await tenant("klinik-cheras-baru")).servingRegionId).toBe("kl_dc_1");
    const [back] = await listMoves(h.services, { tenantId: "klinik-cheras-baru", limit: 1 });
    expect(back).toMatchObject({ kind: "repin", state: "completed", requestedBy: "system@console" });
    expect(back.reason).toMatch(/^re-pin after recovery: kl_dc_1 healthy for 65 s \(hold-down 60 s\)/);
  });

  it("leaves a planned move where the admin put it", async () => {
    const repin = new Repinner(h.services, { holdDownMs: HOLD, now: () => clock });
    repin.observe(await sample("healthy"));
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-setapak", targetRegionId: "cyberjaya_1" });
    expect(move.kind).toBe("planned");
    await orchestrator().drain();
    clock += 2 * HOLD;
    repin.observe(await sample("healthy"));
    expect(await repin.evaluate()).toEqual([]);
    expect((await tenant("klinik-setapak")).servingRegionId).toBe("cyberjaya_1");
  });
});
