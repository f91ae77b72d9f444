import "server-only";
import type { ServiceContext } from "@/lib/context";
import type { PrismaClient } from "@/lib/db/types";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { recordAuditAlone } from "@/lib/audit/service";
import { defineOperation, type RegisteredOperation, type StepDefinition } from "@/lib/engine/operation";
import { routeTenantsAtomically } from "@/lib/tenants/service";
import { leaseDeadline } from "./lease";
import { planFailover } from "./plan";
import { FAILOVER_STEPS, type FailoverStepKey } from "./steps";
import { phaseStore } from "./store";
import type { PlanEntry } from "./types";

// F2: a region failover as an operation of the engine (lib/engine), like a move: persisted steps,
// each idempotent, resumed by running its current step again after a crash. No rollback: routing
// tenants back to a region that was lost is never automatic; a failed failover stops where it
// is, with every step's detail, for a person. The order is the safety argument:
//
//   stop every grant of the lost region's lease (the console's and the survivor's) → fence it if it
//   can still be reached → wait until its last possible lease has expired (last grant + length +
//   skew margin: from then on it acknowledges no write, whatever it can or cannot hear) → hold
//   its replication into the survivor (what it acknowledged but never sent waits for a person) →
//   promote PostgreSQL if its primary was there → route its tenants in one router commit → verify.

export const FAILOVER_KIND = "failover";

type FailoverRow = Awaited<ReturnType<PrismaClient["failover"]["findUniqueOrThrow"]>>;

export const failoverStore = phaseStore<FailoverRow>(FAILOVER_KIND, (ctx) => ctx.db.failover);

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function regionName(ctx: ServiceContext, id: string): Promise<string> {
  return (await ctx.db.region.findUnique({ where: { id } }))?.name ?? id;
}

async function planOf(ctx: ServiceContext, id: string): Promise<PlanEntry[]> {
  return (await ctx.db.failover.findUniqueOrThrow({ where: { id }, select: { plan: true } })).plan as unknown as PlanEntry[];
}

type Run = (ctx: ServiceContext, f: FailoverRow) => Promise<string>;

const RUN: Record<FailoverStepKey, Run> = {
  async confirm(ctx, f) {
    // The watch's assessment when it is fresh (it is what decided); otherwise the signals once more.
    const a = ctx.failover.assessment(f.regionId);
    const fresh = a && Date.now() - a.at < 2000 ? a.signals : null;
    const said = fresh
      ? fresh.map((x) => `${x.label}: ${x.detail}`).join(" · ")
      : await ctx.federation.regionSignals(f.regionId).then((s) => [s.console.detail, s.peer.detail, s.router.detail].join(" · "));
    // The watch decided on signals that agreed for the window; one reading later they may not.
    if (f.trigger === "auto" && a && a.state !== "lost" && a.state !== "failed_over")
      throw new Error(`the region is no longer lost (${a.summary}); nothing was changed`);
    return said;
  },

  async stop_grants(ctx, f) {
    ctx.failover.block(f.regionId, true);
    const policy = ctx.federation.leasePolicy();
    let peerLast = 0;
    let peerNote: string;
    try {
      peerLast = (await ctx.federation.setPeerGrants(f.toRegionId, false, `failover ${f.id} of ${f.regionId}`)).lastIssuedAt;
      peerNote = `${f.toRegionId} grants no more leases to ${f.regionId} (its last grant attempt ${peerLast ? new Date(peerLast).toISOString() : "never"})`;
    } catch (e) {
      // The survivor must stop granting before anything else: without its word, nothing is safe.
      throw new Error(`${f.toRegionId} did not confirm it stopped granting leases to ${f.regionId}: ${messageOf(e)}`);
    }
    const consoleLast = ctx.failover.lastIssuedAt(f.regionId);
    const persisted = f.leaseDeadline?.getTime() ?? 0;
    const deadline = Math.max(persisted, leaseDeadline(Math.max(consoleLast, peerLast), policy));
    await ctx.db.failover.update({ where: { id: f.id }, data: { leaseDeadline: new Date(deadline) } });
    f.leaseDeadline = new Date(deadline);
    return `${peerNote}; the console's last grant ${new Date(consoleLast).toISOString()}; no lease of ${f.regionId} can outlive ${new Date(deadline).toISOString()} (+${policy.lengthMs} ms lease, +${policy.skewMarginMs} ms skew margin)`;
  },

  async fence(ctx, f) {
    // Not tried when the console's own probe says the region is unreachable: the attempt would only
    // time out; its lease, already waited out by then, is what stops its writes.
    const consoleSignal = ctx.failover.assessment(f.regionId)?.signals.find((x) => x.key === "console");
    if (consoleSignal?.lost)
      return `not reachable from the console (${consoleSignal.detail}): it fences itself when its lease runs out; it will be fenced before it is brought back`;
    try {
      return await ctx.federation.fenceRegion(f.regionId, true, `failover ${f.id}: its tenants are served by ${f.toRegionId}`);
    } catch (e) {
      return `not reachable (${messageOf(e)}): it fences itself when its lease runs out; it will be fenced before it is brought back`;
    }
  },

  async await_lease(ctx, f) {
    const deadline = f.leaseDeadline?.getTime() ?? (await ctx.db.failover.findUniqueOrThrow({ where: { id: f.id } })).leaseDeadline?.getTime();
    if (!deadline) throw new Error("no lease deadline recorded");
    const wait = deadline - Date.now();
    if (wait > 0) await sleep(wait);
    return wait > 0 ? `waited ${wait} ms, until ${new Date(deadline).toISOString()}` : `the deadline ${new Date(deadline).toISOString()} had passed`;
  },

  async hold_replication(ctx, f) {
    return ctx.federation.holdReplication(f.regionId, f.toRegionId, true);
  },

  async promote_postgres(ctx, f) {
    // A survivor's server slow to answer (a loaded machine, a restart) is asked again before the
    // failover stops for a person: three tries, half a second apart.
    for (let attempt = 1; ; attempt++) {
      try {
        const primary = await ctx.federation.postgresPrimary(f.regionId);
        if (primary && primary !== f.regionId) return `the corpus primary is in ${primary}: nothing to promote`;
        return await ctx.federation.promotePostgres(f.toRegionId);
      } catch (e) {
        if (attempt >= 3) throw e;
        await sleep(500);
      }
    }
  },

  async route(ctx, f) {
    let plan = await planOf(ctx, f.id);
    if (plan.length === 0) {
      const [tenants, regions] = await Promise.all([ctx.db.tenant.findMany(), ctx.db.region.findMany({ orderBy: { sortOrder: "asc" } })]);
      const names = new Map(regions.map((r) => [r.id, r.name]));
      const available: string[] = [];
      for (const r of regions) {
        if (r.id === f.regionId) continue;
        const a = ctx.failover.assessment(r.id);
        if (a && (a.state === "lost" || a.state === "failed_over")) continue;
        available.push(r.id);
      }
      const rpo = f.rpoMs;
      plan = planFailover({
        lostRegionId: f.regionId,
        tenants,
        available,
        regionName: (id) => names.get(id) ?? id,
        rpoInto: (id) => (id === f.toRegionId ? rpo : null),
      });
      // Persisted before it is carried out: a resumed step carries out the same plan.
      await ctx.db.failover.update({ where: { id: f.id }, data: { plan: plan as never } });
    }
    // Read-only tenants refuse writes in their new region before any request can reach it there.
    for (const e of plan.filter((p) => p.action === "read_only")) await ctx.federation.fenceTenant(e.slug, e.toRegionId!, true);
    const routed = await routeTenantsAtomically(
      ctx,
      plan.filter((p) => p.toRegionId !== null).map((p) => ({ tenantId: p.tenantId, toRegionId: p.toRegionId! })),
      `failover ${f.id} of ${await regionName(ctx, f.regionId)}`,
    );
    const count = (a: PlanEntry["action"]) => plan.filter((p) => p.action === a).length;
    return `${routed.length} tenant(s) re-routed in one commit: ${count("move")} served, ${count("read_only")} read-only, ${count("held")} held in place`;
  },

  async verify(ctx, f) {
    const plan = await planOf(ctx, f.id);
    const failures: string[] = [];
    for (const e of plan.filter((p) => p.action === "move")) {
      const v = await ctx.federation.verifyTenant(e.slug, e.toRegionId!);
      if (!v.ok) failures.push(`${e.slug}: ${v.error}`);
    }
    for (const e of plan.filter((p) => p.action === "read_only")) {
      const p = await ctx.federation.probeTenant(e.slug);
      if (p.servedBy !== e.toRegionId) failures.push(`${e.slug}: read answered by ${p.servedBy ?? "nobody"}, expected ${e.toRegionId}`);
    }
    if (failures.length) throw new Error(failures.join("; "));
    return `${plan.filter((p) => p.action !== "held").length} tenant(s) answered by their new region`;
  },
};

export function failoverOperation(): RegisteredOperation {
  const steps: StepDefinition<FailoverRow>[] = FAILOVER_STEPS.map(({ key, label }) => ({ key, label, run: (ctx, f) => RUN[key](ctx, f) }));
  const announce = (ctx: ServiceContext, f: FailoverRow) =>
    ctx.bus.emit("failover:changed", { regionId: f.regionId, what: "failover", failoverId: f.id, at: Date.now() });
  return defineOperation<FailoverRow>({
    kind: FAILOVER_KIND,
    steps,
    store: failoverStore,
    // The console grants no lease to a region failed over and not yet brought back (after a restart too).
    async onLeader(ctx) {
      const open = await ctx.db.failover.findMany({ where: { closedAt: null, state: { in: ["queued", "running", "completed"] } } });
      for (const f of open) ctx.failover.block(f.regionId, true);
    },
    wakeOn: (ctx, wake) =>
      ctx.bus.on("failover:changed", (e) => {
        if (e.what === "failover") wake();
      }),
    onChange: (ctx, f) => announce(ctx, f),
    async onCompleted(ctx, f, steps) {
      const plan = await planOf(ctx, f.id);
      await recordAuditAlone(ctx.db, {
        actor: SYSTEM_ACTOR,
        action: "region.failover",
        outcome: "succeeded",
        targetType: "region",
        targetId: f.regionId,
        after: {
          failoverId: f.id,
          toRegionId: f.toRegionId,
          tenants: plan.length,
          held: plan.filter((p) => p.action === "held").map((p) => p.slug),
          rpoMs: f.rpoMs,
          tookMs: (steps.at(-1)?.endedAt ?? Date.now()) - f.createdAt.getTime(),
        },
        reason: `failover ${f.id} (${f.trigger}) completed`,
      });
      announce(ctx, f);
    },
    async onFailed(ctx, f, _steps, why) {
      await recordAuditAlone(ctx.db, {
        actor: SYSTEM_ACTOR,
        action: "region.failover",
        outcome: "failed",
        targetType: "region",
        targetId: f.regionId,
        after: { failoverId: f.id },
        reason: why,
      });
      // Nothing was routed (a failed confirm or grant stop): the console may grant the region leases again.
      const plan = await planOf(ctx, f.id);
      if (plan.length === 0) ctx.failover.block(f.regionId, false);
      announce(ctx, f);
    },
  });
}
