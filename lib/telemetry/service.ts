import "server-only";
import type { PrismaClient } from "@/lib/db/types";
import { badRequest } from "@/lib/errors";
import type { HistoryStore } from "./history";
import { RANGES, type RangeKey } from "./ranges";
import { panelSeries } from "./panels";
import { tenantSeries } from "./series";
import type { HistoryQuery } from "./schemas";
import type { AnnotationView, PanelHistory, TenantLatencyView } from "./types";

export type { AnnotationView, PanelHistory, TenantLatencyView } from "./types";

export async function listAnnotations(db: PrismaClient, range: RangeKey, now = Date.now()): Promise<AnnotationView[]> {
  const rows = await db.annotation.findMany({ where: { t: { gte: new Date(now - RANGES[range].spanMs) } }, orderBy: { t: "asc" }, take: 500 });
  return rows.map((a) => ({ t: a.t.getTime(), kind: a.kind, regionId: a.regionId, tenantId: a.tenantId, text: a.text, actor: a.actor }));
}

/** M5: a panel's series for one range, with the annotations that fall in it. */
export async function panelHistory(db: PrismaClient, history: HistoryStore, q: HistoryQuery, now = Date.now()): Promise<PanelHistory> {
  const regions = (await db.region.findMany({ orderBy: { sortOrder: "asc" }, select: { id: true } })).map((r) => r.id);
  if (q.region && !regions.includes(q.region)) throw badRequest(`Unknown region "${q.region}". Known regions: ${regions.join(", ")}.`);
  const spec = RANGES[q.range];
  const [series, annotations] = await Promise.all([
    history.query(panelSeries(q.panel, q.region ? [q.region] : regions), q.range, now),
    listAnnotations(db, q.range, now),
  ]);
  return { range: q.range, bucketMs: spec.bucketMs, from: now - spec.spanMs, to: now, series, annotations };
}

/** M4: per tenant, the latest synthetic request and p50/p95 latency over the window. */
export async function tenantLatency(
  history: HistoryStore,
  latest: ReadonlyMap<string, import("@/lib/federation/types").TenantProbe>,
  tenants: string[],
  windowMs = 15 * 60_000,
): Promise<TenantLatencyView[]> {
  const names = tenants.map((t) => tenantSeries(t, "latency_ms"));
  const pct = await history.percentiles(names, windowMs);
  return tenants.map((t) => {
    const p = pct[tenantSeries(t, "latency_ms")];
    return { tenant: t, latest: latest.get(t) ?? null, p50: p?.p50 ?? null, p95: p?.p95 ?? null, samples: p?.n ?? 0, windowMs };
  });
}
