import "server-only";
import { randomBytes } from "node:crypto";
import type { ServiceContext } from "@/lib/context";
import type { PrismaClient } from "@/lib/db/types";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { recordAuditAlone } from "@/lib/audit/service";
import { badRequest, conflict, notFound } from "@/lib/errors";
import { defineOperation, type RegisteredOperation, type StepDefinition } from "@/lib/engine/operation";
import { pendingSteps, type OperationStep } from "@/lib/engine/types";
import type { ErrantReport, ReplicationProgress } from "@/lib/federation/types";
import { catchUpSample } from "./catch-up";
import { RETURN_STEPS, type ReturnStepKey } from "./steps";
import { phaseStore } from "./store";
import type { CatchUpSample, ErrantView, RegionReturnView } from "./types";

// F2 §5/§6: bringing a failed-over region back, an operation of the engine. Nothing flows from the
// returned region before a person has decided on what it wrote that the survivor never applied
// (errant writes: re-applied or discarded, both audited); it stays fenced until it has applied
// every write made during the failover (positions compared, apply vs incoming rate and ETA shown);
// a PostgreSQL that was the primary is rewound onto the new one. Its tenants then return by the
// re-pin after recovery (T6): ordinary moves, each catch-up-gated again.

export const RETURN_KIND = "region_return";
export const newReturnId = () => `rt_${randomBytes(8).toString("hex")}`;

/** Errant writes are looked for from this long before the failover (the replication lag it can have had). */
const ERRANT_LOOKBACK_MS = 120_000;
const CATCH_UP_TIMEOUT_MS = 10 * 60_000;
const CATCH_UP_SAMPLE_MS = 1000;

type ReturnRow = Awaited<ReturnType<PrismaClient["regionReturn"]["findUniqueOrThrow"]>>;

export function toReturnView(r: ReturnRow): RegionReturnView {
  return {
    id: r.id,
    failoverId: r.failoverId,
    regionId: r.regionId,
    survivorId: r.survivorId,
    state: r.state as RegionReturnView["state"],
    step: r.step,
    steps: r.steps as unknown as OperationStep[],
    errant: (r.errant as unknown as ErrantView | null) ?? null,
    decision: (r.decision as RegionReturnView["decision"]) ?? null,
    catchUp: r.catchUp as unknown as CatchUpSample[],
    requestedBy: r.requestedBy,
    reason: r.reason,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export const returnStore = phaseStore<ReturnRow>(RETURN_KIND, (ctx) => ctx.db.regionReturn);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const recordCount = (e: ErrantReport) => e.tenants.reduce((n, t) => n + t.ids.length, 0);

async function failoverOf(ctx: ServiceContext, r: ReturnRow) {
  return ctx.db.failover.findUniqueOrThrow({ where: { id: r.failoverId } });
}

function announce(ctx: ServiceContext, r: ReturnRow) {
  ctx.bus.emit("failover:changed", { regionId: r.regionId, what: "failover", failoverId: r.failoverId, at: Date.now() });
}

type Run = (ctx: ServiceContext, r: ReturnRow) => Promise<string>;

const RUN: Record<ReturnStepKey, Run> = {
  async reach(ctx, r) {
    const s = await ctx.federation.regionSignals(r.regionId);
    if (!s.console.reachable) throw new Error(`still unreachable: ${s.console.detail}`);
    return s.console.detail;
  },
  async fence(ctx, r) {
    return ctx.federation.fenceRegion(r.regionId, true, `returning after failover ${r.failoverId}: fenced until it has caught up`);
  },
  async errant(ctx, r) {
    const f = await failoverOf(ctx, r);
    const report = await ctx.federation.errantTransactions(r.regionId, r.survivorId, f.createdAt.getTime() - ERRANT_LOOKBACK_MS);
    await ctx.db.regionReturn.update({ where: { id: r.id }, data: { errant: report as never } });
    r.errant = report as never;
    const n = recordCount(report);
    if (n > 0 && !r.decision)
      throw new Error(
        `${n} record(s) written in ${r.regionId} never reached ${r.survivorId} (${report.tenants.map((t) => `${t.tenant}: ${t.ids.length}`).join(", ")}): an admin decides — re-apply or discard — and brings the region back again`,
      );
    return `${report.transactions} transaction(s) of ${r.regionId}'s domain not applied in ${r.survivorId} (${report.survivorApplied || "nothing"} → ${report.lostPosition || "nothing"}); ${n} tenant record(s)${n ? `: ${report.tenants.map((t) => `${t.tenant} ${t.ids.length}`).join(", ")}` : ""}`;
  },
  async resolve(ctx, r) {
    const report = (r.errant ?? (await ctx.db.regionReturn.findUniqueOrThrow({ where: { id: r.id } })).errant) as unknown as ErrantReport;
    const decision = (r.decision as "reapply" | "discard" | null) ?? "discard";
    const did = await ctx.federation.resolveErrant(r.regionId, r.survivorId, decision, report);
    const n = recordCount(report);
    const by = await ctx.db.user.findUnique({ where: { email: r.requestedBy } });
    if (n > 0)
      await recordAuditAlone(ctx.db, {
        actor: by ? { id: by.id, email: by.email, name: by.name, role: by.role } : SYSTEM_ACTOR,
        action: decision === "reapply" ? "region.errant.reapply" : "region.errant.discard",
        outcome: "succeeded",
        targetType: "region",
        targetId: r.regionId,
        after: {
          returnId: r.id,
          failoverId: r.failoverId,
          records: report.tenants.map((t) => ({ tenant: t.tenant, count: t.ids.length, ids: t.ids.slice(0, 50) })),
        },
        reason: r.reason,
      });
    return did;
  },
  async resume(ctx, r) {
    const out = await ctx.federation.holdReplication(r.regionId, r.survivorId, false);
    // The returned region's own replication from the survivor may still be waiting out a TCP
    // connect to a link that was cut (minutes of SYN retries): restarted, it reconnects at once.
    await ctx.federation.holdReplication(r.survivorId, r.regionId, true);
    const back = await ctx.federation.holdReplication(r.survivorId, r.regionId, false);
    return `${out}; ${back} (reconnected at once)`;
  },
  async catch_up(ctx, r) {
    const t0 = Date.now();
    let prev: ReplicationProgress | null = null;
    const samples: CatchUpSample[] = [];
    for (;;) {
      const now = await ctx.federation.replicationProgress(r.survivorId, r.regionId);
      const s = catchUpSample(prev, now);
      prev = now;
      samples.push(s);
      await ctx.db.regionReturn.update({ where: { id: r.id }, data: { catchUp: samples.slice(-120) as never } });
      announce(ctx, r);
      if (now.backlog === 0)
        return `caught up after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r.regionId} has applied ${r.survivorId}'s writes up to ${now.sourcePosition}`;
      if (Date.now() - t0 > CATCH_UP_TIMEOUT_MS) throw new Error(`still ${now.backlog} transaction(s) behind after ${CATCH_UP_TIMEOUT_MS / 1000} s`);
      await sleep(CATCH_UP_SAMPLE_MS);
    }
  },
  async postgres(ctx, r) {
    const f = await failoverOf(ctx, r);
    const promoted = (f.steps as unknown as OperationStep[]).find((s) => s.key === "promote_postgres")?.detail ?? "";
    if (!/promoted/.test(promoted)) return "the corpus primary was not moved: nothing to rejoin";
    return ctx.federation.rejoinPostgres(r.regionId, r.survivorId);
  },
  async unfence(ctx, r) {
    await ctx.federation.setPeerGrants(r.survivorId, true, `return ${r.id}: ${r.regionId} is back`);
    ctx.failover.block(r.regionId, false);
    return ctx.federation.fenceRegion(r.regionId, false, `return ${r.id}`);
  },
};

export function returnOperation(): RegisteredOperation {
  const steps: StepDefinition<ReturnRow>[] = RETURN_STEPS.map(({ key, label }) => ({ key, label, run: (ctx, r) => RUN[key](ctx, r) }));
  return defineOperation<ReturnRow>({
    kind: RETURN_KIND,
    steps,
    store: returnStore,
    wakeOn: (ctx, wake) =>
      ctx.bus.on("failover:changed", (e) => {
        if (e.what === "failover") wake();
      }),
    onChange: (ctx, r) => announce(ctx, r),
    // The failover is closed: its tenants return by the re-pin after recovery (T6).
    async complete(ctx, r) {
      await ctx.db.failover.update({ where: { id: r.failoverId }, data: { closedAt: new Date() } });
    },
    async onCompleted(ctx, r, steps) {
      await recordAuditAlone(ctx.db, {
        actor: SYSTEM_ACTOR,
        action: "region.return",
        outcome: "succeeded",
        targetType: "region",
        targetId: r.regionId,
        after: { returnId: r.id, failoverId: r.failoverId, catchUp: steps.find((s) => s.key === "catch_up")?.detail ?? null },
        reason: `return ${r.id} completed: ${r.regionId} caught up and unfenced; its tenants come back by re-pin after recovery`,
      });
      announce(ctx, r);
    },
    async onFailed(ctx, r, _steps, why) {
      await recordAuditAlone(ctx.db, {
        actor: SYSTEM_ACTOR,
        action: "region.return",
        outcome: "failed",
        targetType: "region",
        targetId: r.regionId,
        after: { returnId: r.id, failoverId: r.failoverId },
        reason: why,
      });
      announce(ctx, r);
    },
  });
}

// ---- requests -------------------------------------------------------------------------------

/** What bringing the failover's region back would find now (an admin looks before deciding). */
export async function previewReturn(ctx: ServiceContext, failoverId: string): Promise<ErrantView> {
  const f = await ctx.db.failover.findUnique({ where: { id: failoverId } });
  if (!f) throw notFound(`No failover with id "${failoverId}".`);
  if (f.closedAt) throw conflict("conflict", `${f.regionId} was already brought back (${f.closedAt.toISOString()}).`);
  const s = await ctx.federation.regionSignals(f.regionId);
  if (!s.console.reachable) throw conflict("region_unavailable", `${f.regionId} is still unreachable: ${s.console.detail}`);
  return ctx.federation.errantTransactions(f.regionId, f.toRegionId, f.createdAt.getTime() - ERRANT_LOOKBACK_MS);
}

export async function requestReturn(
  ctx: ServiceContext,
  input: { failoverId: string; reason: string; decision?: "reapply" | "discard" },
): Promise<RegionReturnView> {
  const f = await ctx.db.failover.findUnique({ where: { id: input.failoverId } });
  if (!f) throw badRequest(`No failover with id "${input.failoverId}".`);
  if (f.state !== "completed") throw conflict("conflict", `Failover ${f.id} is ${f.state}: only a completed failover's region can be brought back.`);
  if (f.closedAt) throw conflict("conflict", `${f.regionId} was already brought back (${f.closedAt.toISOString()}).`);
  const active = await ctx.db.regionReturn.findFirst({ where: { failoverId: f.id, state: { in: ["queued", "running"] } } });
  if (active) throw conflict("conflict", `Return ${active.id} of ${f.regionId} is still running.`);
  const id = newReturnId();
  await ctx.db.regionReturn.create({
    data: {
      id,
      failoverId: f.id,
      regionId: f.regionId,
      survivorId: f.toRegionId,
      state: "queued",
      steps: pendingSteps(RETURN_STEPS) as never,
      decision: input.decision ?? null,
      requestedBy: ctx.actor.email,
      reason: input.reason,
    },
  });
  ctx.bus.emit("failover:changed", { regionId: f.regionId, what: "failover", failoverId: f.id, at: Date.now() });
  return toReturnView(await ctx.db.regionReturn.findUniqueOrThrow({ where: { id } }));
}
