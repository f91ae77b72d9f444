import { afterEach, describe, expect, it } from "vitest";
import { bringBack, createHarness, type Harness } from "@/lib/testing/harness";
import { freezeFailoverOp, previewReturnQuery, requestFailoverOp, requestReturnOp, setFailoverModeOp } from "@/lib/failover/operations";
import { failoverOverview } from "@/lib/failover/service";
import type { PlanEntry } from "@/lib/failover/types";
import type { AppError } from "@/lib/errors";
import { Orchestrator } from "./orchestrator";
import { Engine } from "@/lib/engine/engine";
import { failoverOperation } from "@/lib/failover/operation";
import { RegionWatch } from "./region-watch";

// F1/F2/F7 on the simulation: a region's outage is detected by every signal, failed over by the
// engine (after the lost region's last lease ran out), its tenants routed in one commit (residency
// and read-only respected), each decision recorded in words, bad requests refused and audited.

const KL = "kl_dc_1";
const CY = "cyberjaya_1";
let h: Harness | undefined;
let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  await h?.close();
  h = undefined;
  stop = undefined;
});

async function start() {
  h = await createHarness();
  const regions = await h.database.prisma.region.findMany({ orderBy: { sortOrder: "asc" } });
  const watch = new RegionWatch(h.services, regions);
  const engine = new Orchestrator(h.database, h.services);
  await watch.start();
  await engine.start();
  stop = async () => {
    await watch.stop();
    await engine.stop();
  };
  return h;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error("expected a refusal");
};

describe("region failover on the simulation", () => {
  it("auto: KL DC's outage → detected, waited out, its tenants routed to Cyberjaya in one commit; residency-locked ones held; read-only ones read-only", async () => {
    const h = await start();
    const db = h.database.prisma;
    const klBefore = await db.tenant.findMany({ where: { servingRegionId: KL } });
    const lostAt = Date.now();
    await h.federation.setRegionDown(KL, true);
    const f = await until("the failover to complete", async () => {
      const x = await db.failover.findFirst({ where: { regionId: KL } });
      return x?.state === "completed" || x?.state === "failed" ? x : null;
    });
    expect(f.error).toBeNull();
    expect(f).toMatchObject({ state: "completed", toRegionId: CY, trigger: "auto" });
    // promoted only after the lost region's last lease + skew margin
    const policy = h.federation.leasePolicy();
    expect(f.leaseDeadline!.getTime()).toBeGreaterThanOrEqual(lostAt + policy.lengthMs);
    const routeStep = (f.steps as { key: string; startedAt: number }[]).find((s) => s.key === "route")!;
    expect(routeStep.startedAt).toBeGreaterThanOrEqual(f.leaseDeadline!.getTime());

    const plan = f.plan as unknown as PlanEntry[];
    expect(plan).toHaveLength(klBefore.length);
    const held = plan.filter((p) => p.action === "held").map((p) => p.slug);
    expect(held.sort()).toEqual(["klinik-kota-bharu", "klinik-shah-alam", "klinik-temerloh", "poliklinik-bangsar"]);
    expect(plan.find((p) => p.slug === "klinik-shah-alam")!.reason).toMatch(/unavailable, data held in place in KL DC: residency lock allows only KL DC/);
    expect(
      plan
        .filter((p) => p.action === "read_only")
        .map((p) => p.slug)
        .sort(),
    ).toEqual(["klinik-muar", "klinik-rakyat-klang"]);

    // routed, in the database and the router alike; held tenants stay with KL DC
    const routes = await h.federation.readRoutes();
    for (const p of plan) {
      const t = await db.tenant.findUniqueOrThrow({ where: { id: p.tenantId } });
      expect([t.servingRegionId, routes[p.slug]]).toEqual(p.action === "held" ? [KL, KL] : [CY, CY]);
    }
    expect((await h.federation.probeTenant("klinik-kepong")).writeBy).toBe(CY);
    expect((await h.federation.probeTenant("klinik-muar")).writeBy).toBeNull();

    // the decision, in words, linked from the audit log; the failover audited
    const d = await db.decision.findFirstOrThrow({ where: { regionId: KL, outcome: "acted" } });
    expect(d.summary).toMatch(
      /^KL DC is lost: no answer to the console for [\d.]+ s, Cyberjaya no longer hears it, HAProxy marks it down: failing KL DC over to cyberjaya_1 \(fo_/,
    );
    expect((d.signals as { key: string; lost: boolean }[]).map((s) => [s.key, s.lost])).toEqual([
      ["console", true],
      ["peer", true],
      ["router", true],
    ]);
    expect(await db.auditEntry.count({ where: { targetType: "decision", targetId: d.id } })).toBe(1);
    expect(await db.auditEntry.count({ where: { action: "region.failover", outcome: "succeeded", targetId: KL } })).toBe(1);

    const o = await failoverOverview(h.ctx(h.actors.overseer));
    expect(o.regions.find((r) => r.regionId === KL)).toMatchObject({ state: "failed_over", openFailoverId: f.id });
    expect(o.regions.find((r) => r.regionId === KL)!.holdDownUntil).not.toBeNull();

    // a second request for the same region is refused while it has not been brought back
    const again = await refusal(h.invoke(requestFailoverOp, h.actors.admin, { regionId: KL, reason: "again" }));
    expect(again.status).toBe(409);
    expect(again.message).toMatch(/already failed over/);

    // Bringing it back: refused while it is unreachable; then its errant writes are listed, decided, and it catches up.
    const early = await refusal(h.invoke(previewReturnQuery, h.actors.admin, { failoverId: f.id }));
    expect(early.status).toBe(409);
    await h.federation.setRegionDown(KL, false);
    const errant = await h.invoke(previewReturnQuery, h.actors.admin, { failoverId: f.id });
    const records = errant.tenants.reduce((n, t) => n + t.ids.length, 0);
    const r = await h.invoke(requestReturnOp, h.actors.admin, {
      failoverId: f.id,
      reason: "power restored",
      ...(records ? { decision: "reapply" as const } : {}),
    });
    const done = await until("the return to finish", async () => {
      const x = await db.regionReturn.findUnique({ where: { id: r.id } });
      return x?.state === "completed" || x?.state === "failed" ? x : null;
    });
    expect(done.error).toBeNull();
    expect((await db.failover.findUniqueOrThrow({ where: { id: f.id } })).closedAt).not.toBeNull();
    expect(h.services.failover.isBlocked(KL)).toBe(false);
    const catchUp = done.catchUp as unknown as { backlog: number }[];
    expect(catchUp.at(-1)?.backlog).toBe(0);
    await until("KL DC present again", async () => h.services.failover.assessment(KL)?.state === "healthy");
    if (records) expect(await db.auditEntry.count({ where: { action: "region.errant.reapply", targetId: KL } })).toBe(1);
    expect(await db.auditEntry.count({ where: { action: "region.return", outcome: "succeeded" } })).toBe(1);
  }, 90_000);

  it("advisory: the engine records its advice and does nothing; an admin acts on it with one click; agreement is counted", async () => {
    const h = await start();
    const db = h.database.prisma;
    await h.invoke(setFailoverModeOp, h.actors.admin, { mode: "advisory", reason: "new team on call" });
    await h.federation.setRegionDown(KL, true);
    const advice = await until("the advice", () => db.decision.findFirst({ where: { regionId: KL, outcome: "advised" } }));
    expect(advice.summary).toMatch(/Advice: fail KL DC over to Cyberjaya/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await db.failover.count()).toBe(0);
    const f = await h.invoke(requestFailoverOp, h.actors.admin, { regionId: KL, reason: "acting on the advice", decisionId: advice.id });
    expect(f.trigger).toBe("advisory");
    await until("the failover to complete", async () => (await db.failover.findUnique({ where: { id: f.id } }))?.state === "completed");
    const o = await failoverOverview(h.ctx(h.actors.admin));
    expect(o.agreement).toMatchObject({ advised: 1, actedOn: 1, notActedOn: 0 });
  }, 60_000);

  it("frozen or off: a lost region is not failed over, and the decision says why; bad requests are refused and audited", async () => {
    const h = await start();
    const db = h.database.prisma;
    const bad = await refusal(h.invoke(freezeFailoverOp, h.actors.admin, { reason: "", until: new Date(Date.now() + 60_000).toISOString() }));
    expect(bad.status).toBe(400);
    const past = await refusal(h.invoke(freezeFailoverOp, h.actors.admin, { reason: "maintenance", until: new Date(Date.now() - 60_000).toISOString() }));
    expect(past.status).toBe(400);
    expect(past.message).toMatch(/in the past/);
    await h.invoke(freezeFailoverOp, h.actors.admin, { reason: "router maintenance", until: new Date(Date.now() + 3600_000).toISOString() });
    await h.federation.setRegionDown(KL, true);
    const held = await until("the held decision", () => db.decision.findFirst({ where: { regionId: KL, outcome: "held" } }));
    expect(held.summary).toMatch(/failover is frozen by admin@federation.local until .* \(router maintenance\): no automatic action/);
    expect(await db.failover.count()).toBe(0);

    const frozen = await refusal(h.invoke(requestFailoverOp, h.actors.admin, { regionId: KL, reason: "now" }));
    expect(frozen.status).toBe(409);
    expect(frozen.message).toMatch(/frozen/);
    const unknown = await refusal(h.invoke(requestFailoverOp, h.actors.admin, { regionId: "mars_1", reason: "x" }));
    expect(unknown.status).toBe(400);
    const noReason = await refusal(h.invoke(requestFailoverOp, h.actors.admin, { regionId: KL }));
    expect(noReason.status).toBe(400);
    const refusals = await db.auditEntry.count({ where: { action: "region.failover.request", outcome: { not: "succeeded" } } });
    expect(refusals).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("the console killed in the middle of a failover resumes it on restart: tenants end up served, never left routed to the dead region", async () => {
    h = await createHarness();
    const db = h.database.prisma;
    await h.federation.setRegionDown(KL, true);
    await h.poll();
    const f = await h.invoke(requestFailoverOp, h.actors.admin, { regionId: KL, reason: "drill: KL DC power loss" });
    // the console's leases and detection run throughout (the survivor needs the console's lease: its peer is down)
    const regions = await db.region.findMany({ orderBy: { sortOrder: "asc" } });
    const watch = new RegionWatch(h.services, regions);
    await watch.start();
    stop = () => watch.stop();
    // the first console dies right after fencing
    const first = new Engine(h.database, h.services, [failoverOperation()], { name: "orchestrator", crashAfter: "failover:fence" });
    await first.start();
    await until("the crash after the fence", async () => {
      const x = await db.failover.findUniqueOrThrow({ where: { id: f.id } });
      return (x.steps as unknown as { key: string; status: string }[]).find((s) => s.key === "fence")?.status === "done" ? x : null;
    });
    await first.stop();
    const mid = await db.failover.findUniqueOrThrow({ where: { id: f.id } });
    expect(mid.state).toBe("running");
    expect(mid.leaseDeadline).not.toBeNull();
    // a new console (a new process: it knows nothing the first one held in memory) resumes it
    h.services.failover.block(KL, false);
    const second = new Engine(h.database, h.services, [failoverOperation()], { name: "orchestrator" });
    await second.start();
    const done = await until("the failover to complete", async () => {
      const x = await db.failover.findUniqueOrThrow({ where: { id: f.id } });
      return x.state === "completed" || x.state === "failed" ? x : null;
    });
    await second.stop();
    expect(done.error).toBeNull();
    expect(done.state).toBe("completed");
    expect(done.leaseDeadline!.getTime()).toBe(mid.leaseDeadline!.getTime());
    expect(h.services.failover.isBlocked(KL)).toBe(true); // the restarted console grants the lost region no lease
    const served = await db.tenant.count({ where: { servingRegionId: KL, allowedRegions: { isEmpty: true } } });
    expect(served).toBe(0);
  }, 60_000);

  it("anti-flap: a region that flaps 5 times in a minute is failed over once; once brought back, its next losses within the hold-down are held, in words", async () => {
    const h = await start();
    const db = h.database.prisma;
    const t0 = Date.now();
    const flap = async (downMs: number) => {
      await h.federation.setRegionDown(KL, true);
      await new Promise((r) => setTimeout(r, downMs));
      await h.federation.setRegionDown(KL, false);
    };
    // flap 1: long enough for every signal to agree (the confirmation window) → one failover
    await flap(3000);
    const f = await until("the failover to complete", async () => {
      const x = await db.failover.findFirst({ where: { regionId: KL } });
      return x?.state === "completed" ? x : null;
    });
    // flap 2 while it is failed over: nothing new (it stays failed over until brought back)
    await flap(2500);
    // brought back by an admin (its errant writes decided), then three more flaps inside the hold-down
    expect((await bringBack(h, f.id, "power restored")).done.state).toBe("completed");
    await until("KL DC present again", async () => h.services.failover.assessment(KL)?.state === "healthy");
    for (let i = 0; i < 3; i++) {
      await flap(2500);
      await until("KL DC present again", async () => h.services.failover.assessment(KL)?.state === "healthy");
    }
    // (about 45 s here; the hold-down, 300 s, is what covers the minute, however long this takes)
    expect(Date.now() - t0).toBeLessThan(h.services.failover.config.holdDownMs);
    expect(await db.failover.count({ where: { regionId: KL } })).toBe(1);
    const held = await db.decision.findMany({ where: { regionId: KL, outcome: "held" }, orderBy: { at: "asc" } });
    expect(held.length).toBeGreaterThanOrEqual(1);
    for (const d of held) expect(d.summary).toMatch(/KL DC is lost again within the hold-down \(until .*\): no automatic action/);
    expect(await db.decision.count({ where: { regionId: KL, outcome: "acted" } })).toBe(1);
  }, 90_000);

  it("refuses to fail over to a region that is down, or the only healthy one", async () => {
    const h = await start();
    await h.federation.setRegionDown(CY, true);
    await h.poll();
    const e = await refusal(h.invoke(requestFailoverOp, h.actors.admin, { regionId: KL, reason: "drill" }));
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/No region can take KL DC's tenants \(Cyberjaya: it is down/);
  }, 60_000);
});
