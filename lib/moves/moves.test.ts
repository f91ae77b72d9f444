import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { Orchestrator } from "@/workers/orchestrator";
import { getMoveOrThrow, listMoves } from "./service";
import { preflight } from "./preflight";
import { listAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { requestMoveOp } from "@/lib/moves/operations";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const orchestrator = (opts = {}) => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 5000, ...opts });
const tenant = (id: string) => h.database.prisma.tenant.findUniqueOrThrow({ where: { id } });

describe("pre-flight", () => {
  it("shows residency, target health, capacity, lag and the expected write pause", async () => {
    const pf = await preflight(h.ctx(h.actors.admin), { tenantId: "klinik-kuching", targetRegionId: "cyberjaya_1" });
    expect(pf.ok).toBe(true);
    expect(pf.checks.map((c) => c.key)).toEqual([
      "already_there",
      "route_drift",
      "residency",
      "target_health",
      "gpu_capacity",
      "kv_capacity",
      "replication_lag",
    ]);
    expect(pf.expectedWritePauseMs).toBeGreaterThan(pf.lagMs!);
    const locked = await preflight(h.ctx(h.actors.admin), { tenantId: "klinik-shah-alam", targetRegionId: "cyberjaya_1" });
    expect(locked.ok).toBe(false);
    expect(locked.checks.find((c) => c.key === "residency")).toMatchObject({ ok: false, detail: expect.stringMatching(/may only be served from KL DC/) });
  });
});

describe("staged move (sim federation)", () => {
  it("runs every step in order with timings, moves the tenant, releases the fence, and audits", async () => {
    const o = orchestrator();
    const { move, created } = await h.invoke(requestMoveOp, h.actors.admin, {
      tenantId: "klinik-kuching",
      targetRegionId: "cyberjaya_1",
      reason: "closer to Sarawak",
    });
    expect(created).toBe(true);
    expect(move.state).toBe("queued");
    await o.drain();
    const done = await getMoveOrThrow(h.services, move.id);
    expect(done.state).toBe("completed");
    expect(done.steps.map((s) => [s.key, s.status])).toEqual([
      ["preflight", "done"],
      ["fence", "done"],
      ["catch_up", "done"],
      ["flip", "done"],
      ["verify", "done"],
      ["unfence", "done"],
    ]);
    for (const s of done.steps) expect(s.endedAt! >= s.startedAt!).toBe(true);
    expect(done.steps.find((s) => s.key === "verify")!.detail).toMatch(/read answered by cyberjaya_1, write acknowledged by cyberjaya_1/);
    expect(done.writePauseMs).toBeGreaterThan(0);
    expect((await tenant("klinik-kuching")).servingRegionId).toBe("cyberjaya_1");
    expect((await h.federation.readRoutes())["klinik-kuching"]).toBe("cyberjaya_1");
    expect(await h.federation.fencedTenants()).toEqual([]);
    const audit = await listAudit(h.database.prisma, { targetType: "tenant", targetId: "klinik-kuching" });
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(["tenant.move:succeeded", "tenant.switch:succeeded", "tenant.move:succeeded"]);
    await o.stop();
  });

  it("starts one move for a double-submitted request (same idempotency key)", async () => {
    const input = { tenantId: "klinik-miri", targetRegionId: "cyberjaya_1", idempotencyKey: "dbl-click-0001" };
    const [a, b] = await Promise.all([h.invoke(requestMoveOp, h.actors.admin, input), h.invoke(requestMoveOp, h.actors.admin, input)]);
    expect(a.move.id).toBe(b.move.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await listMoves(h.services, { tenantId: "klinik-miri" })).toHaveLength(1);
    await orchestrator().drain();
  });

  it("answers a second admin with 409 naming the move in progress", async () => {
    const first = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1" });
    const err = await h.invoke(requestMoveOp, h.actors.admin2, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1" }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 409, details: { moveId: first.move.id } });
    expect(err.message).toContain(first.move.id);
    expect(err.message).toContain("admin@federation.local");
    await orchestrator().drain();
  });

  it("refuses moves that break residency or go to the region already serving, audited, nothing created", async () => {
    const before = await h.database.prisma.move.count();
    const refusal = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "poliklinik-bangsar", targetRegionId: "cyberjaya_1" }).catch((e) => e);
    expect(refusal).toMatchObject({
      status: 409,
      code: "residency_violation",
      details: { receipt: { auditSeq: expect.any(String), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    });
    await expect(h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-taiping", targetRegionId: "kl_dc_1" })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already served by KL DC/),
    });
    await expect(h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-taiping", targetRegionId: "mars_1" })).rejects.toMatchObject({ status: 400 });
    expect(await h.database.prisma.move.count()).toBe(before);
    const [entry] = await listAudit(h.database.prisma, { targetType: "tenant", targetId: "poliklinik-bangsar" });
    expect(entry).toMatchObject({ action: "tenant.move", outcome: "refused", after: { refusal: "residency_violation" } });
    // The receipt names exactly that audit entry.
    expect(refusal.details.receipt).toEqual({ auditSeq: entry.seq, hash: entry.hash });
  });

  it("rolls back to the source when verification fails, and unfences", async () => {
    const original = h.federation.verifyTenant.bind(h.federation);
    h.federation.verifyTenant = async () => ({ ok: false, readBy: "cyberjaya_1", writeBy: null, error: "write answered 500 by cyberjaya_1" });
    try {
      const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-taiping", targetRegionId: "cyberjaya_1" });
      await orchestrator().drain();
      const m = await getMoveOrThrow(h.services, move.id);
      expect(m.state).toBe("rolled_back");
      expect(m.error).toMatch(/Verify a read and a write in the target failed: write answered 500/);
      expect(m.steps.map((s) => [s.key, s.status])).toEqual([
        ["preflight", "done"],
        ["fence", "done"],
        ["catch_up", "done"],
        ["flip", "undone"],
        ["verify", "failed"],
        ["unfence", "skipped"],
        ["rollback", "done"],
      ]);
    } finally {
      h.federation.verifyTenant = original;
    }
    expect((await tenant("klinik-taiping")).servingRegionId).toBe("kl_dc_1");
    expect((await h.federation.readRoutes())["klinik-taiping"]).toBe("kl_dc_1");
    expect(await h.federation.fencedTenants()).toEqual([]);
  });

  it("resumes a move after the orchestrator died mid-way: the tenant is not left fenced", async () => {
    const dying = orchestrator({ crashAfter: "fence" });
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kangar", targetRegionId: "cyberjaya_1" });
    await dying.drain();
    const mid = await getMoveOrThrow(h.services, move.id);
    expect(mid.state).toBe("running");
    expect(mid.steps.find((s) => s.key === "fence")!.status).toBe("done");
    expect(await h.federation.fencedTenants()).toEqual([{ tenant: "klinik-kangar", regionId: "kl_dc_1" }]);

    // A new console process: same database, same federation.
    const next = orchestrator();
    await next.drain();
    const m = await getMoveOrThrow(h.services, move.id);
    expect(m.state).toBe("completed");
    expect((await tenant("klinik-kangar")).servingRegionId).toBe("cyberjaya_1");
    expect(await h.federation.fencedTenants()).toEqual([]);
  });

  it("releases a fence no move owns when it starts (a console died before recording its move)", async () => {
    await h.federation.fenceTenant("klinik-muar", "kl_dc_1", true);
    await orchestrator().drain();
    expect(await h.federation.fencedTenants()).toEqual([]);
    const [entry] = await listAudit(h.database.prisma, { targetType: "tenant", targetId: "klinik-muar" });
    expect(entry).toMatchObject({ action: "tenant.unfence", reason: expect.stringMatching(/without an active move/) });
  });

  it("rolls back when the target goes down between request and start", async () => {
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kluang", targetRegionId: "cyberjaya_1" });
    await h.federation.setRegionDown("cyberjaya_1", true);
    await h.poll();
    try {
      await orchestrator().drain();
    } finally {
      await h.federation.setRegionDown("cyberjaya_1", false);
      await h.poll();
    }
    const m = await getMoveOrThrow(h.services, move.id);
    expect(m.state).toBe("rolled_back");
    expect(m.error).toMatch(/Pre-flight checks failed: Target health: Cyberjaya is down/);
    expect((await tenant("klinik-kluang")).servingRegionId).toBe("kl_dc_1");
  });
});
