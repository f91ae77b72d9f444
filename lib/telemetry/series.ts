import type { ComponentKind, RegionHealth } from "@/lib/federation/types";

// A series is one figure of one component of one region over time, named
// "<region>:<component>:<figure>", or one figure of one tenant, "tenant:<slug>:<figure>".

export interface Point {
  series: string;
  t: number;
  v: number | null;
}

export type Panel = "health" | "replication" | "inference" | "tenants";
export const PANELS: readonly Panel[] = ["health", "replication", "inference", "tenants"];

/** Which component's figures feed which panel. */
export const PANEL_COMPONENTS: Record<Exclude<Panel, "tenants">, ComponentKind[]> = {
  health: ["router"],
  replication: ["galera", "postgres", "object_store"],
  inference: ["inference"],
};

export function seriesName(regionId: string, kind: ComponentKind | "region", key: string): string {
  return `${regionId}:${kind}:${key}`;
}

export function tenantSeries(slug: string, key: string): string {
  return `tenant:${slug}:${key}`;
}

export function parseSeries(name: string): { scope: string; kind: string; key: string } | null {
  const m = /^([a-z0-9_-]+):([a-z_]+):([a-z0-9_]+)$/.exec(name);
  return m ? { scope: m[1] === "tenant" ? "tenant" : m[1], kind: m[2], key: m[3] } : null;
}

/** Every numeric figure of every component, plus the region's status as a number (for history). */
export function pointsFromHealth(regions: RegionHealth[]): Point[] {
  const out: Point[] = [];
  for (const r of regions) {
    out.push({ series: seriesName(r.regionId, "region", "status"), t: r.measuredAt, v: STATUS_VALUE[r.status] });
    for (const c of r.components) {
      for (const f of c.figures) out.push({ series: seriesName(r.regionId, c.kind, f.key), t: c.measuredAt, v: f.value });
    }
  }
  return out;
}

/** healthy 0 · degraded 1 · unknown 2 · down 3: a step chart of region status. */
export const STATUS_VALUE = { healthy: 0, degraded: 1, unknown: 2, down: 3 } as const;

export function panelOf(series: string): Panel | null {
  const p = parseSeries(series);
  if (!p) return null;
  if (p.scope === "tenant") return "tenants";
  if (p.kind === "region" || p.kind === "router") return "health";
  for (const [panel, kinds] of Object.entries(PANEL_COMPONENTS)) if ((kinds as string[]).includes(p.kind)) return panel as Panel;
  return null;
}
