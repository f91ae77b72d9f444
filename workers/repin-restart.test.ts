import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { Orchestrator } from "./orchestrator";
import { Repinner, REPIN_SCOPES } from "./repin";
import type { RegionHealth } from "@/lib/federation/types";
import { requestMoveOp } from "@/lib/moves/operations";
import { listMoves } from "@/lib/moves/service";

// T6 hold-downs survive a console restart: a new Repinner over the same database continues them.

let h: Harness;
let clock = Date.now();
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const HOLD = 60_000;
const orchestrator = () => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 5000 });
const tenant = (id: string) => h.database.prisma.tenant.findUniqueOrThrow({ where: { id } });
const holdDown = (scope: string, key: string) => h.database.prisma.holdDown.findUnique({ where: { scope_key: { scope, key } } });
const repinner = () => new Repinner(h.services, { holdDownMs: HOLD, now: () => clock });

/** A console restart: the old Repinner stops (saving what it holds), a new one starts over the same database. */
async function restart(old: Repinner): Promise<Repinner> {
  await old.stop();
  const next = repinner();
  await next.start();
  // The test drives it by hand from here (no timer, no bus); what start() read stays.
  await next.stop();
  return next;
}

/** The live health, with KL DC forced to a status (the sim's KL is otherwise healthy). */
async function sample(klStatus: RegionHealth["status"]): Promise<RegionHealth[]> {
  const regions = (await h.federation.readHealth()).map((r) =>
    r.regionId === "kl_dc_1" ? { ...r, status: klStatus, measuredAt: clock } : { ...r, measuredAt: clock },
  );
  h.live.update(regions);
  return regions;
}

/** KL DC degraded, the tenant moved away (an evacuation), and KL DC healthy again at `clock`. */
async function evacuate(tenantId: string, repin: Repinner) {
  repin.observe(await sample("degraded"));
  const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId, targetRegionId: "cyberjaya_1" });
  expect(move.kind).toBe("evacuation");
  await orchestrator().drain();
  expect((await tenant(tenantId)).servingRegionId).toBe("cyberjaya_1");
}

describe("re-pin hold-downs across a restart (T6)", () => {
  it("continues a region's hold-down from the persisted time instead of starting it over", async () => {
    const first = repinner();
    await first.start();
    await first.stop();
    await evacuate("klinik-cheras-baru", first);

    const healthyAt = clock;
    first.observe(await sample("healthy"));
    await first.flush();
    const saved = await holdDown(REPIN_SCOPES.regionHealthy, "kl_dc_1");
    expect(saved?.since?.getTime()).toBe(healthyAt);

    // Healthy samples change nothing: the row is not written again.
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      first.observe(await sample("healthy"));
    }
    clock += 35_000;
    first.observe(await sample("healthy"));
    await first.flush();
    expect((await holdDown(REPIN_SCOPES.regionHealthy, "kl_dc_1"))?.updatedAt).toEqual(saved?.updatedAt);
    expect(await first.evaluate()).toEqual([]);

    // The console restarts 40 s into the hold-down; 25 s later the region has been healthy for
    // 65 s: due now (a hold-down started over would wait until 60 s after the restart).
    const second = await restart(first);
    clock += 25_000;
    second.observe(await sample("healthy"));
    expect(await second.evaluate()).toEqual(["klinik-cheras-baru"]);
    await orchestrator().drain();
    expect((await tenant("klinik-cheras-baru")).servingRegionId).toBe("kl_dc_1");
    const [back] = await listMoves(h.services, { tenantId: "klinik-cheras-baru", limit: 1 });
    expect(back).toMatchObject({ kind: "repin", state: "completed" });
    expect(back.reason).toMatch(/^re-pin after recovery: kl_dc_1 healthy for 65 s \(hold-down 60 s\)/);

    // An unhealthy sample ends the hold-down, in the database too: the next restart starts over.
    second.observe(await sample("degraded"));
    await second.flush();
    expect(await holdDown(REPIN_SCOPES.regionHealthy, "kl_dc_1")).toBeNull();
  });

  it("keeps a refused re-pin's notBefore across a restart", async () => {
    const first = repinner();
    await first.start();
    await first.stop();
    await evacuate("klinik-setapak", first);
    first.observe(await sample("healthy"));
    clock += HOLD + 5000;
    first.observe(await sample("healthy"));

    // Locked to Cyberjaya meanwhile: the re-pin is refused, and not tried again for a hold-down.
    await h.database.prisma.tenant.update({ where: { id: "klinik-setapak" }, data: { allowedRegions: ["cyberjaya_1"] } });
    expect(await first.evaluate()).toEqual([]);
    await first.flush();
    const retry = await holdDown(REPIN_SCOPES.tenantRetry, "klinik-setapak");
    expect(retry?.notBefore?.getTime()).toBe(clock + HOLD);
    expect(retry?.reason).toMatch(/^re-pin to kl_dc_1 refused: Pre-flight failed — Residency policy: Residency lock/);

    // The lock is lifted and the console restarts: still no re-pin before notBefore…
    await h.database.prisma.tenant.update({ where: { id: "klinik-setapak" }, data: { allowedRegions: [] } });
    const second = await restart(first);
    clock += 1000;
    second.observe(await sample("healthy"));
    expect(await second.evaluate()).toEqual([]);

    // …and then it goes.
    clock += HOLD;
    second.observe(await sample("healthy"));
    expect(await second.evaluate()).toEqual(["klinik-setapak"]);
    await orchestrator().drain();
    expect((await tenant("klinik-setapak")).servingRegionId).toBe("kl_dc_1");
    await second.flush();
    expect((await holdDown(REPIN_SCOPES.tenantRetry, "klinik-setapak"))?.reason).toBe("re-pin to kl_dc_1 requested");
  });
});
