// View types of telemetry and alerts: what the API and the socket send and the browser renders.
// No server code here, so client modules may import them (service.ts, alerts.ts and history.ts
// are server code).
import type { TenantProbe } from "@/lib/federation/types";
import type { RangeKey } from "./ranges";

/** served_elsewhere: tenants routed to the region are answered by another one (the router used its backup). */
export type AlertKind = "region_down" | "lag_slo" | "served_elsewhere" | "residency_breach";

export interface AlertView {
  id: string;
  kind: AlertKind;
  regionId: string | null;
  startedAt: string;
  endedAt: string | null;
  message: string;
  peak: number | null;
}

export interface AnnotationView {
  t: number;
  kind: string;
  regionId: string | null;
  tenantId: string | null;
  text: string;
  actor: string | null;
}

export interface HistoryPoint {
  t: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  /** p95 of the samples in the bucket (rollup ranges: the highest minute p95, an upper bound). */
  p95: number | null;
  n: number;
}

export type HistoryResult = Record<string, HistoryPoint[]>;

export interface PanelHistory {
  range: RangeKey;
  bucketMs: number;
  from: number;
  to: number;
  series: HistoryResult;
  annotations: AnnotationView[];
}

export interface TenantLatencyView {
  tenant: string;
  latest: TenantProbe | null;
  p50: number | null;
  p95: number | null;
  samples: number;
  windowMs: number;
}
