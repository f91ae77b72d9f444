import "server-only";
import type { ServiceContext } from "@/lib/context";
import { checkResidency } from "@/lib/tenants/residency";
import { notFound, badRequest } from "@/lib/errors";
import { openDriftOf } from "@/lib/routes/guard";
import { describeRoute } from "@/lib/routes/diff";
import type { Preflight, PreflightCheck } from "./types";

// T3 pre-flight: what the admin sees before confirming, and what the orchestrator re-checks
// when the move starts.

export const CAPACITY_LIMIT_PCT = 90;

export type { Preflight, PreflightCheck } from "./types";

const FLIP_AND_VERIFY_MS = 150;

export async function preflight(ctx: Pick<ServiceContext, "db" | "live">, input: { tenantId: string; targetRegionId: string }): Promise<Preflight> {
  const { db, live } = ctx;
  const { tenantId, targetRegionId } = input;
  const tenant = await db.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw notFound(`No tenant with id "${tenantId}".`);
  const regions = await db.region.findMany();
  const target = regions.find((r) => r.id === targetRegionId);
  if (!target) throw badRequest(`Unknown region "${targetRegionId}". Known regions: ${regions.map((r) => r.id).join(", ")}.`);
  const name = (id: string) => regions.find((r) => r.id === id)?.name ?? id;
  const h = live.region(targetRegionId);
  const fig = (kind: string, key: string) => h?.components.find((c) => c.kind === kind)?.figures.find((f) => f.key === key)?.value ?? null;
  const gpu = h?.figures.gpuUtilPct ?? null;
  const kv = fig("inference", "kv_cache_pct");
  const lagMs = h?.figures.replicationLagMs ?? null;
  const residency = checkResidency(tenant, targetRegionId, name);
  // The console never moves a tenant whose route it and the router disagree about (lib/routes).
  const drift = await openDriftOf(db, tenant.slug);

  const checks: PreflightCheck[] = [
    {
      key: "already_there",
      ok: tenant.servingRegionId !== targetRegionId,
      label: "Not already there",
      detail:
        tenant.servingRegionId === targetRegionId ? `${tenant.name} is already served by ${target.name}` : `served by ${name(tenant.servingRegionId)} now`,
    },
    {
      key: "route_drift",
      ok: drift === null,
      label: "Router agrees with the console",
      detail: drift
        ? `route drift open since ${drift.detectedAt.toISOString().replace("T", " ").slice(0, 19)} UTC: the console says ${describeRoute(drift.consoleRegion, name)}, the router says ${describeRoute(drift.routerRegion, name)}; an admin resolves it on the overview first`
        : "the router routes the tenant as the console says",
    },
    { key: "residency", ok: residency.allowed, label: "Residency policy", detail: residency.allowed ? "allowed" : residency.reason },
    {
      key: "target_health",
      ok: h !== undefined && h.status !== "down" && h.status !== "unknown",
      label: "Target health",
      detail: h ? `${target.name} is ${h.status}${h.reasons[0] ? `: ${h.reasons[0]}` : ""}` : `no sample of ${target.name} yet`,
    },
    {
      key: "gpu_capacity",
      ok: gpu === null || gpu < CAPACITY_LIMIT_PCT,
      label: "GPU headroom",
      detail: gpu === null ? "GPU utilisation not measured" : `${gpu.toFixed(1)} % used (limit ${CAPACITY_LIMIT_PCT} %)`,
    },
    {
      key: "kv_capacity",
      ok: kv === null || kv < CAPACITY_LIMIT_PCT,
      label: "KV-cache headroom",
      detail: kv === null ? "KV-cache use not measured" : `${kv.toFixed(1)} % used (limit ${CAPACITY_LIMIT_PCT} %)`,
    },
    {
      key: "replication_lag",
      ok: lagMs !== null && lagMs < 5000,
      label: "Replication of the tenant's data",
      detail: lagMs === null ? `lag into ${target.name} not measurable` : `${target.name} is ${Math.round(lagMs)} ms behind ${name(tenant.servingRegionId)}`,
    },
  ];
  return {
    ok: checks.every((c) => c.ok),
    tenantId,
    fromRegionId: tenant.servingRegionId,
    toRegionId: targetRegionId,
    checks,
    lagMs,
    expectedWritePauseMs: lagMs === null ? null : Math.round(lagMs + FLIP_AND_VERIFY_MS),
    measuredAt: h?.measuredAt ?? null,
  };
}
