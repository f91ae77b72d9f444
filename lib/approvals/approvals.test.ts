import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { Orchestrator } from "@/workers/orchestrator";
import { getMoveOrThrow } from "@/lib/moves/service";
import { expireApprovals, APPROVAL_TTL_MS, listApprovals } from "./service";
import { breakGlassSchema } from "./schemas";
import { listAudit } from "@/lib/audit/service";
import { requestBulkMoveOp, requestMoveOp } from "@/lib/moves/operations";
import { decideApprovalOp, endBreakGlassOp, startBreakGlassOp } from "@/lib/approvals/operations";
import { withSession } from "@/lib/testing/sessions";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  // A tenant locked to both regions (e.g. "Malaysian soil only"): it may move, with two admins.
  await h.database.prisma.tenant.update({ where: { id: "klinik-kuantan" }, data: { allowedRegions: ["kl_dc_1", "cyberjaya_1"] } });
});
afterAll(async () => h?.close());

const orchestrator = () => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 5000 });

describe("dual control (T5)", () => {
  it("holds a residency-locked tenant's move for a second admin; the requester cannot approve it", async () => {
    const { move, approval } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kuantan", targetRegionId: "cyberjaya_1" });
    expect(move.state).toBe("awaiting_approval");
    expect(approval).toMatchObject({ state: "pending", kind: "move", requestedBy: "admin@federation.local" });
    await orchestrator().drain();
    expect((await getMoveOrThrow(h.services, move.id)).state).toBe("awaiting_approval");

    await expect(h.invoke(decideApprovalOp, h.actors.admin, { approvalId: approval!.id, decision: "approve" })).rejects.toMatchObject({
      status: 403,
      message: "A second admin must decide: you made this request yourself.",
    });
    // A second move of the same tenant meanwhile is refused: the pending one holds it.
    await expect(h.invoke(requestMoveOp, h.actors.admin2, { tenantId: "klinik-kuantan", targetRegionId: "cyberjaya_1" })).rejects.toMatchObject({
      status: 409,
    });

    const decided = await h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: approval!.id, decision: "approve" });
    expect(decided).toMatchObject({ state: "approved", decidedBy: "admin2@federation.local" });
    await orchestrator().drain();
    expect((await getMoveOrThrow(h.services, move.id)).state).toBe("completed");
    await expect(h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: approval!.id, decision: "approve" })).rejects.toMatchObject({ status: 409 });
  });

  it("expires an unanswered request, and the move with it", async () => {
    // Its own locked tenant, so the test stands alone.
    await h.database.prisma.tenant.update({ where: { id: "klinik-kuala-terengganu" }, data: { allowedRegions: ["kl_dc_1", "cyberjaya_1"] } });
    const { move, approval } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kuala-terengganu", targetRegionId: "cyberjaya_1" });
    expect(await expireApprovals(h.database.prisma, h.bus, Date.now() + APPROVAL_TTL_MS + 1000)).toBe(1);
    expect((await getMoveOrThrow(h.services, move.id)).state).toBe("expired");
    await expect(h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: approval!.id, decision: "approve" })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already expired/),
    });
    const [entry] = await listAudit(h.database.prisma, { targetType: "approval", targetId: approval!.id });
    expect(entry.outcome).toBe("refused");
  });
});

describe("bulk move (T4)", () => {
  it("moves the five East Malaysia clinics after a second admin approves, refusing a locked one with its reason", async () => {
    const east = ["klinik-kota-kinabalu", "klinik-sandakan", "klinik-kuching", "klinik-miri", "klinik-sibu"];
    const r = await h.invoke(requestBulkMoveOp, h.actors.admin, {
      tenantIds: [...east, "klinik-shah-alam"],
      targetRegionId: "cyberjaya_1",
      reason: "closer to East Malaysia",
    });
    expect(r.moves.map((m) => m.tenantId).sort()).toEqual([...east].sort());
    expect(r.moves.every((m) => m.state === "awaiting_approval" && m.batchId === r.batchId)).toBe(true);
    expect(r.refused).toEqual([{ tenantId: "klinik-shah-alam", message: expect.stringMatching(/Residency lock/) }]);
    expect(r.approval).toMatchObject({ kind: "bulk_move", summary: expect.stringMatching(/^Bulk move of 5 tenants to cyberjaya_1/) });

    await h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: r.approval!.id, decision: "approve" });
    await orchestrator().drain(60_000);
    for (const m of r.moves) expect((await getMoveOrThrow(h.services, m.id)).state).toBe("completed");
    const served = await h.database.prisma.tenant.findMany({ where: { id: { in: east } } });
    expect(served.every((t) => t.servingRegionId === "cyberjaya_1")).toBe(true);
  });

  it("starts one batch for a double-submitted bulk request", async () => {
    const input = { tenantIds: ["klinik-taiping", "klinik-kangar"], targetRegionId: "cyberjaya_1", idempotencyKey: "bulk-dbl-0001" };
    const a = await h.invoke(requestBulkMoveOp, h.actors.admin, input);
    const b = await h.invoke(requestBulkMoveOp, h.actors.admin, input);
    expect(b.batchId).toBe(a.batchId);
    expect(b.moves.map((m) => m.id).sort()).toEqual(a.moves.map((m) => m.id).sort());
    await h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: a.approval!.id, decision: "reject" });
    for (const m of a.moves) expect((await getMoveOrThrow(h.services, m.id)).state).toBe("rejected");
  });
});

describe("break-glass (T5)", () => {
  it("needs a reason and an expiry", () => {
    expect(breakGlassSchema.safeParse({ reason: "because", minutes: 10 }).success).toBe(false);
    expect(breakGlassSchema.safeParse({ reason: "KL DC flooding, evacuate now", minutes: 90 }).success).toBe(false);
    expect(breakGlassSchema.parse({ reason: " KL DC flooding, evacuate now ", minutes: 15 })).toEqual({ reason: "KL DC flooding, evacuate now", minutes: 15 });
    // Numbers are JSON numbers: a string, a boolean or a list is refused, not coerced.
    for (const minutes of ["15", true, [15], "0xf", " 15 "])
      expect(breakGlassSchema.safeParse({ reason: "KL DC flooding, evacuate now", minutes }).success).toBe(false);
  });

  it("lets one admin act alone while it lasts, audited with the reason; after it ends, approval is needed again", async () => {
    // Break-glass needs a password re-entered in this session within 5 minutes (lib/auth/auth.test.ts).
    const admin = await withSession(h.database.prisma, h.actors.admin, { reauthAt: Date.now() });
    const bg = await h.invoke(startBreakGlassOp, admin, { reason: "KL DC flooding, evacuate now", minutes: 10 });
    const r = await h.invoke(requestBulkMoveOp, h.actors.admin, { tenantIds: ["klinik-ipoh-greentown", "klinik-teluk-intan"], targetRegionId: "cyberjaya_1" });
    expect(r.approval).toBeNull();
    expect(r.moves.every((m) => m.state === "queued")).toBe(true);
    const [entry] = await listAudit(h.database.prisma, { targetType: "batch", targetId: r.batchId });
    expect(entry.reason).toContain(`break-glass ${bg.id}: KL DC flooding, evacuate now`);
    await orchestrator().drain(60_000);

    await h.invoke(endBreakGlassOp, h.actors.admin, {});
    const again = await h.invoke(requestBulkMoveOp, h.actors.admin, {
      tenantIds: ["klinik-george-town", "klinik-bukit-mertajam"],
      targetRegionId: "cyberjaya_1",
    });
    expect(again.approval).not.toBeNull();
    expect((await listApprovals(h.services, { pending: true })).map((a) => a.id)).toContain(again.approval!.id);
  });
});
