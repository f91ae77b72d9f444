import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { Orchestrator } from "@/workers/orchestrator";
import { Repinner } from "@/workers/repin";
import { listAudit } from "@/lib/audit/service";
import { requestBulkMoveOp, requestMoveOp } from "./operations";
import { decideApprovalOp } from "@/lib/approvals/operations";
import { getMoveOrThrow } from "./service";

// Seed 000: "5 East Malaysia tenants migrated to Cyberjaya as primary". A move may make its
// target the tenant's new primary region (re-home), under dual control, audited.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const orchestrator = () => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 5000 });
const tenant = (id: string) => h.database.prisma.tenant.findUniqueOrThrow({ where: { id } });
const EAST = ["klinik-kota-kinabalu", "klinik-sandakan", "klinik-kuching", "klinik-miri", "klinik-sibu"];

describe("re-home", () => {
  it("a single re-home waits for a second admin, then makes the target the primary and the old primary the failover", async () => {
    const before = await tenant("klinik-kuching");
    expect(before).toMatchObject({ primaryRegionId: "kl_dc_1", failoverRegionId: "cyberjaya_1" });
    const { move, approval } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kuching", targetRegionId: "cyberjaya_1", rehome: true });
    expect(move).toMatchObject({ state: "awaiting_approval", rehome: true });
    expect(approval?.summary).toMatch(/making cyberjaya_1 its primary region \(re-home\)/);
    await orchestrator().drain();
    expect((await tenant("klinik-kuching")).primaryRegionId).toBe("kl_dc_1");

    await h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: approval!.id, decision: "approve" });
    await orchestrator().drain();
    expect((await getMoveOrThrow(h.services, move.id)).state).toBe("completed");
    expect(await tenant("klinik-kuching")).toMatchObject({
      primaryRegionId: "cyberjaya_1",
      failoverRegionId: "kl_dc_1",
      servingRegionId: "cyberjaya_1",
      version: before.version + 2,
    });
    const [entry] = await listAudit(h.database.prisma, { targetType: "tenant", targetId: "klinik-kuching", action: "tenant.rehome" });
    expect(entry).toMatchObject({
      outcome: "succeeded",
      before: { primaryRegionId: "kl_dc_1" },
      after: { primaryRegionId: "cyberjaya_1", failoverRegionId: "kl_dc_1" },
    });
  });

  it("a bulk re-home of the East Malaysia clinics leaves none of them away from its primary, so nothing re-pins them back", async () => {
    const rest = EAST.filter((id) => id !== "klinik-kuching");
    const r = await h.invoke(requestBulkMoveOp, h.actors.admin, {
      tenantIds: rest,
      targetRegionId: "cyberjaya_1",
      rehome: true,
      reason: "East Malaysia served from Cyberjaya",
    });
    expect(r.moves.every((m) => m.rehome)).toBe(true);
    await h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: r.approval!.id, decision: "approve" });
    await orchestrator().drain();
    for (const id of EAST) expect(await tenant(id)).toMatchObject({ primaryRegionId: "cyberjaya_1", servingRegionId: "cyberjaya_1" });
    const repin = new Repinner(h.services, { holdDownMs: 0 });
    await repin.load();
    repin.observe(h.live.regions());
    expect(await repin.evaluate()).toEqual([]);
  });

  it("a plain move stays a move: the primary does not change", async () => {
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-taiping", targetRegionId: "cyberjaya_1" });
    expect(move.rehome).toBe(false);
    await orchestrator().drain();
    expect(await tenant("klinik-taiping")).toMatchObject({ primaryRegionId: "kl_dc_1", servingRegionId: "cyberjaya_1" });
  });

  it("refuses a re-home that is not a boolean, without changing anything", async () => {
    await expect(h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kangar", targetRegionId: "cyberjaya_1", rehome: "yes" })).rejects.toMatchObject({
      status: 400,
    });
  });
});
