import "server-only";
import { randomBytes } from "node:crypto";
import type { ServiceContext } from "@/lib/context";
import type { PrismaClient } from "@/lib/db/types";
import { badRequest, conflict, notFound, withAuditContext } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { pendingSteps } from "@/lib/engine/types";
import { FAILOVER_STEPS } from "./steps";
import { toReturnView } from "./return";
import type { FailoverModeInput, FreezeInput, RequestFailoverInput, UnfreezeInput } from "./schemas";
import type { AgreementView, DecisionView, FailoverMode, FailoverOverview, FailoverSettingsView, FailoverView, PlanEntry, SignalView } from "./types";

// F2/F7: the failover settings (auto · advisory · off, the freeze), requesting a failover (an
// admin, the engine's advice acted on, or the region watch on its own), and the persisted
// decisions. The failover itself is an operation of the engine (./operation.ts).

export const newFailoverId = () => `fo_${randomBytes(8).toString("hex")}`;
export const newDecisionId = () => `dc_${randomBytes(8).toString("hex")}`;

const MAX_FREEZE_MS = 7 * 24 * 3600_000;
export const ACTIVE_FAILOVER_STATES = ["queued", "running"] as const;

type FailoverRow = Awaited<ReturnType<PrismaClient["failover"]["findUniqueOrThrow"]>>;
type DecisionRow = Awaited<ReturnType<PrismaClient["decision"]["findUniqueOrThrow"]>>;

export function toFailoverView(f: FailoverRow): FailoverView {
  return {
    id: f.id,
    regionId: f.regionId,
    toRegionId: f.toRegionId,
    trigger: f.trigger as FailoverView["trigger"],
    state: f.state as FailoverView["state"],
    step: f.step,
    steps: f.steps as unknown as FailoverView["steps"],
    plan: f.plan as unknown as PlanEntry[],
    signals: f.signals as unknown as SignalView[],
    leaseDeadline: f.leaseDeadline?.toISOString() ?? null,
    rpoMs: f.rpoMs,
    requestedBy: f.requestedBy,
    reason: f.reason,
    error: f.error,
    decisionId: f.decisionId,
    createdAt: f.createdAt.toISOString(),
    finishedAt: f.finishedAt?.toISOString() ?? null,
    closedAt: f.closedAt?.toISOString() ?? null,
  };
}

export function toDecisionView(d: DecisionRow): DecisionView {
  return {
    id: d.id,
    at: d.at.toISOString(),
    regionId: d.regionId,
    kind: d.kind as DecisionView["kind"],
    outcome: d.outcome as DecisionView["outcome"],
    mode: d.mode as DecisionView["mode"],
    rule: d.rule,
    summary: d.summary,
    signals: d.signals as unknown as SignalView[],
    alternatives: d.alternatives as unknown as DecisionView["alternatives"],
    failoverId: d.failoverId,
    agreed: d.agreed,
  };
}

// ---- settings ---------------------------------------------------------------------------------

export interface Settings {
  mode: FailoverMode;
  freeze: { reason: string; by: string; at: Date; until: Date } | null;
  updatedBy: string | null;
  updatedAt: Date;
}

/** The settings now; a freeze past its expiry is no longer in force (and shown as ended). */
export async function readSettings(db: PrismaClient, now = Date.now()): Promise<Settings> {
  const s = await db.failoverSettings.findUniqueOrThrow({ where: { id: 1 } });
  const freeze =
    s.freezeUntil && s.freezeUntil.getTime() > now && s.freezeReason && s.freezeBy && s.freezeAt
      ? { reason: s.freezeReason, by: s.freezeBy, at: s.freezeAt, until: s.freezeUntil }
      : null;
  return { mode: s.mode as FailoverMode, freeze, updatedBy: s.updatedBy, updatedAt: s.updatedAt };
}

export function settingsView(ctx: Pick<ServiceContext, "federation" | "failover">, s: Settings): FailoverSettingsView {
  return {
    mode: s.mode,
    freeze: s.freeze ? { reason: s.freeze.reason, by: s.freeze.by, at: s.freeze.at.toISOString(), until: s.freeze.until.toISOString() } : null,
    updatedBy: s.updatedBy,
    updatedAt: s.updatedAt.toISOString(),
    lease: ctx.federation.leasePolicy(),
    confirmMs: ctx.failover.config.confirmMs,
    heartbeatStaleMs: ctx.failover.config.heartbeatStaleMs,
    holdDownMs: ctx.failover.config.holdDownMs,
  };
}

function changed(ctx: ServiceContext, what: "settings" | "failover" | "decision", regionId: string | null, failoverId: string | null = null) {
  ctx.bus.emit("failover:changed", { regionId, what, failoverId, at: Date.now() });
}

export async function setMode(ctx: ServiceContext, input: FailoverModeInput): Promise<FailoverSettingsView> {
  const before = await readSettings(ctx.db);
  const mode = input.mode as FailoverMode;
  if (before.mode === mode) throw withAuditContext(conflict("conflict", `Automatic action is already "${mode}".`), { before: { mode } });
  await ctx.db.$transaction(async (tx) => {
    await tx.failoverSettings.update({ where: { id: 1 }, data: { mode, updatedBy: ctx.actor.email, updatedAt: new Date() } });
    await recordAudit(tx, {
      actor: ctx.actor,
      action: "failover.mode",
      outcome: "succeeded",
      targetType: "failover_settings",
      targetId: "1",
      before: { mode: before.mode },
      after: { mode },
      reason: input.reason,
      requestId: ctx.requestId,
    });
  });
  changed(ctx, "settings", null);
  return settingsView(ctx, await readSettings(ctx.db));
}

export async function freeze(ctx: ServiceContext, input: FreezeInput, now = Date.now()): Promise<FailoverSettingsView> {
  const until = new Date(input.until);
  if (until.getTime() <= now) throw badRequest(`The freeze's expiry ${input.until} is in the past: give a time after now.`);
  if (until.getTime() - now > MAX_FREEZE_MS) throw badRequest("A freeze lasts at most 7 days: give an earlier expiry.");
  const before = await readSettings(ctx.db, now);
  await ctx.db.$transaction(async (tx) => {
    await tx.failoverSettings.update({
      where: { id: 1 },
      data: {
        freezeReason: input.reason,
        freezeBy: ctx.actor.email,
        freezeAt: new Date(now),
        freezeUntil: until,
        updatedBy: ctx.actor.email,
        updatedAt: new Date(now),
      },
    });
    await recordAudit(tx, {
      actor: ctx.actor,
      action: "failover.freeze",
      outcome: "succeeded",
      targetType: "failover_settings",
      targetId: "1",
      before: { freeze: before.freeze ? { by: before.freeze.by, until: before.freeze.until.toISOString() } : null },
      after: { freeze: { by: ctx.actor.email, until: until.toISOString() } },
      reason: input.reason,
      requestId: ctx.requestId,
    });
  });
  changed(ctx, "settings", null);
  return settingsView(ctx, await readSettings(ctx.db, now));
}

export async function unfreeze(ctx: ServiceContext, input: UnfreezeInput): Promise<FailoverSettingsView> {
  const before = await readSettings(ctx.db);
  if (!before.freeze) throw conflict("conflict", "Automatic action is not frozen.");
  await ctx.db.$transaction(async (tx) => {
    await tx.failoverSettings.update({
      where: { id: 1 },
      data: { freezeReason: null, freezeBy: null, freezeAt: null, freezeUntil: null, updatedBy: ctx.actor.email, updatedAt: new Date() },
    });
    await recordAudit(tx, {
      actor: ctx.actor,
      action: "failover.unfreeze",
      outcome: "succeeded",
      targetType: "failover_settings",
      targetId: "1",
      before: { freeze: { by: before.freeze!.by, until: before.freeze!.until.toISOString() } },
      after: { freeze: null },
      reason: input.reason,
      requestId: ctx.requestId,
    });
  });
  changed(ctx, "settings", null);
  return settingsView(ctx, await readSettings(ctx.db));
}

// ---- decisions --------------------------------------------------------------------------------

export interface DecisionInput {
  regionId: string | null;
  kind: DecisionView["kind"];
  outcome: DecisionView["outcome"];
  mode: DecisionView["mode"];
  rule: string;
  summary: string;
  signals: SignalView[];
  alternatives: DecisionView["alternatives"];
  failoverId?: string | null;
}

/** F7: a decision, persisted, and its audit entry (target "decision": the audit log links to it). */
export async function recordDecision(ctx: ServiceContext, d: DecisionInput): Promise<string> {
  const id = newDecisionId();
  await ctx.db.$transaction(async (tx) => {
    await tx.decision.create({
      data: {
        id,
        regionId: d.regionId,
        kind: d.kind,
        outcome: d.outcome,
        mode: d.mode,
        rule: d.rule,
        summary: d.summary,
        signals: d.signals as never,
        alternatives: d.alternatives as never,
        failoverId: d.failoverId ?? null,
      },
    });
    await recordAudit(tx, {
      actor: ctx.actor,
      action: `decision.${d.kind}`,
      outcome: "succeeded",
      targetType: "decision",
      targetId: id,
      after: { regionId: d.regionId, outcome: d.outcome, mode: d.mode, failoverId: d.failoverId ?? null },
      reason: d.summary,
      requestId: ctx.requestId,
    });
  });
  changed(ctx, "decision", d.regionId, d.failoverId ?? null);
  return id;
}

// ---- failovers --------------------------------------------------------------------------------

export async function openFailoverOf(db: PrismaClient, regionId: string) {
  return db.failover.findFirst({ where: { regionId, closedAt: null, state: { in: ["queued", "running", "completed"] } }, orderBy: { createdAt: "desc" } });
}

/** Anti-flap: until when no automatic action may touch the region (its last failover + the hold-down). */
export async function holdDownUntil(ctx: Pick<ServiceContext, "db" | "failover">, regionId: string): Promise<number | null> {
  const last = await ctx.db.failover.findFirst({ where: { regionId }, orderBy: { createdAt: "desc" } });
  if (!last) return null;
  const until = last.createdAt.getTime() + ctx.failover.config.holdDownMs;
  return until > Date.now() ? until : null;
}

export interface FailoverRequest {
  regionId: string;
  reason: string;
  trigger: "auto" | "manual" | "advisory";
  decisionId?: string | null;
}

/**
 * Queues a failover of a region. Refused (and audited by the operation wrapper) for an unknown
 * region, when no other region is healthy enough to take its tenants, while automatic action is
 * frozen, or while another failover runs. The target is the first other region the watch does
 * not consider lost or failed over; each tenant's own target is chosen by the plan.
 */
export async function requestFailover(ctx: ServiceContext, input: FailoverRequest): Promise<FailoverView> {
  const regions = await ctx.db.region.findMany({ orderBy: { sortOrder: "asc" } });
  const region = regions.find((r) => r.id === input.regionId);
  if (!region) throw badRequest(`Unknown region "${input.regionId}". Known regions: ${regions.map((r) => r.id).join(", ")}.`);
  const settings = await readSettings(ctx.db);
  if (settings.freeze)
    throw conflict(
      "conflict",
      `Failover is frozen by ${settings.freeze.by} until ${settings.freeze.until.toISOString()} (${settings.freeze.reason}). Lift the freeze first.`,
    );
  const active = await ctx.db.failover.findFirst({ where: { state: { in: [...ACTIVE_FAILOVER_STATES] } } });
  if (active) throw conflict("conflict", `Failover ${active.id} of ${active.regionId} is still running: one failover at a time.`);
  const open = await openFailoverOf(ctx.db, region.id);
  if (open) throw conflict("conflict", `${region.name} was already failed over (${open.id}) and has not been brought back.`);
  const usable = [];
  for (const r of regions) {
    if (r.id === region.id) continue;
    const a = ctx.failover.assessment(r.id);
    const health = ctx.live.region(r.id);
    const why = (await openFailoverOf(ctx.db, r.id))
      ? "it was failed over itself"
      : a && (a.state === "lost" || a.state === "failed_over")
        ? `it is ${a.state.replace("_", " ")}`
        : health?.status === "down"
          ? `it is down (${health.reasons[0] ?? "no reason given"})`
          : null;
    usable.push({ region: r, why });
  }
  const target = usable.find((u) => u.why === null);
  if (!target) {
    const others = usable.map((u) => `${u.region.name}: ${u.why}`).join("; ");
    throw conflict(
      "region_unavailable",
      usable.length === 0
        ? `${region.name} is the only region: there is nowhere to fail over to.`
        : `No region can take ${region.name}'s tenants (${others}). ${region.name} may be the only healthy region left.`,
    );
  }
  const id = newFailoverId();
  const a = ctx.failover.assessment(region.id);
  await ctx.db.failover.create({
    data: {
      id,
      regionId: region.id,
      toRegionId: target.region.id,
      trigger: input.trigger,
      state: "queued",
      steps: pendingSteps(FAILOVER_STEPS) as never,
      signals: (a?.signals ?? []) as never,
      requestedBy: ctx.actor.email,
      reason: input.reason,
      decisionId: input.decisionId ?? null,
      rpoMs: ctx.failover.lastLagMs(region.id),
    },
  });
  if (input.decisionId) await ctx.db.decision.updateMany({ where: { id: input.decisionId, regionId: region.id }, data: { agreed: true, failoverId: id } });
  changed(ctx, "failover", region.id, id);
  return toFailoverView(await ctx.db.failover.findUniqueOrThrow({ where: { id } }));
}

/** POST /api/failovers: an admin's failover (acting on the engine's advice when it names the decision). */
export async function requestFailoverByAdmin(ctx: ServiceContext, input: RequestFailoverInput): Promise<FailoverView> {
  if (input.decisionId) {
    const d = await ctx.db.decision.findUnique({ where: { id: input.decisionId } });
    if (!d || d.regionId !== input.regionId || d.outcome !== "advised")
      throw badRequest(`Decision ${input.decisionId} is not advice to fail over ${input.regionId}.`);
  }
  return requestFailover(ctx, {
    regionId: input.regionId,
    reason: input.reason,
    trigger: input.decisionId ? "advisory" : "manual",
    decisionId: input.decisionId,
  });
}

export async function getFailover(ctx: ServiceContext, id: string): Promise<FailoverView> {
  const f = await ctx.db.failover.findUnique({ where: { id } });
  if (!f) throw notFound(`No failover with id "${id}".`);
  return toFailoverView(f);
}

/** How the engine's advice compared with what people did. */
export async function agreement(db: PrismaClient): Promise<AgreementView> {
  const [advice, failovers] = await Promise.all([
    db.decision.findMany({ where: { outcome: "advised" }, select: { agreed: true } }),
    db.failover.findMany({ where: { trigger: "manual" }, select: { id: true } }),
  ]);
  return {
    advised: advice.length,
    actedOn: advice.filter((a) => a.agreed === true).length,
    notActedOn: advice.filter((a) => a.agreed === false).length,
    pending: advice.filter((a) => a.agreed === null).length,
    unadvised: failovers.length,
  };
}

export async function failoverOverview(ctx: ServiceContext): Promise<FailoverOverview> {
  const [settings, regions, failovers, decisions, agree, returns] = await Promise.all([
    readSettings(ctx.db),
    ctx.db.region.findMany({ orderBy: { sortOrder: "asc" } }),
    ctx.db.failover.findMany({ orderBy: { createdAt: "desc" }, take: 20 }),
    ctx.db.decision.findMany({ orderBy: { at: "desc" }, take: 50 }),
    agreement(ctx.db),
    ctx.db.regionReturn.findMany({ orderBy: { createdAt: "desc" }, take: 40 }),
  ]);
  const regionViews = [];
  for (const r of regions) {
    const a = ctx.failover.assessment(r.id);
    const open = await openFailoverOf(ctx.db, r.id);
    const hold = await holdDownUntil(ctx, r.id);
    regionViews.push({
      ...(a ?? {
        regionId: r.id,
        state: "healthy" as const,
        since: null,
        summary: `${r.name}: not assessed yet`,
        signals: [],
        confirmMs: ctx.failover.config.confirmMs,
        at: 0,
      }),
      ...(open
        ? { state: "failed_over" as const, summary: `${r.name} was failed over (${open.id}); its tenants are served elsewhere until it is brought back` }
        : {}),
      name: r.name,
      holdDownUntil: hold ? new Date(hold).toISOString() : null,
      openFailoverId: open?.id ?? null,
    });
  }
  return {
    settings: settingsView(ctx, settings),
    regions: regionViews,
    failovers: failovers.map((f) => {
      const r = returns.find((x) => x.failoverId === f.id);
      return { ...toFailoverView(f), return: r ? toReturnView(r) : null };
    }),
    decisions: decisions.map(toDecisionView),
    agreement: agree,
    serverTime: Date.now(),
  };
}
