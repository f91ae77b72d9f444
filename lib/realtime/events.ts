// The typed event map shared by the socket server and the browser. Realtime invalidates,
// queries fetch: events carry either a small health sample or the names of what changed.
import type { RegionHealth } from "@/lib/federation/types";
import type { Panel, Point } from "@/lib/telemetry/series";
import type { AlertView } from "@/lib/telemetry/alerts";

/** overview and tenants: every role; audit: admin and compliance. */
export type Topic = "overview" | "tenants" | "audit";
export const TOPICS: readonly Topic[] = ["overview", "tenants", "audit"];

export interface TelemetrySubscription {
  panel: Panel;
  /** A region id, or "all" for the tenants panel. */
  regionId: string;
  /** Last measurement time the client holds: the server sends what came after it. */
  since?: number;
}

export interface TelemetryPoints {
  panel: Panel;
  regionId: string;
  points: Point[];
  serverTime: number;
}

export interface TelemetrySnapshot extends TelemetryPoints {
  /** true: the client's data is too old for the window; replace it instead of appending. */
  reset: boolean;
}

/** One point of a region's live series (sparklines). t = measurement time, epoch ms. */
export interface SeriesPoint {
  t: number;
  lagMs: number | null;
  gpuPct: number | null;
  rps: number | null;
}

export interface HealthSnapshot {
  regions: RegionHealth[];
  series: Record<string, SeriesPoint[]>;
  /** Server time at send, so the client can correct for clock skew when showing ages. */
  serverTime: number;
}

export interface TenantsChanged {
  tenantIds: string[];
  by: string;
  at: number;
}

export interface RegionsChanged {
  regionId: string;
  markedDown: boolean;
  by: string;
  at: number;
}

export type SubscribeAck = { ok: true } | { ok: false; code: "forbidden" | "bad_request"; message: string };

export interface ServerToClientEvents {
  "health:snapshot": (s: HealthSnapshot) => void;
  "health:sample": (s: { regions: RegionHealth[]; serverTime: number }) => void;
  "tenants:changed": (e: TenantsChanged) => void;
  "regions:changed": (e: RegionsChanged) => void;
  "alerts:changed": (alerts: AlertView[]) => void;
  "moves:changed": (e: { moveId: string; tenantId: string; state: string }) => void;
  "break-glass:changed": (active: import("@/lib/approvals/service").BreakGlassView[]) => void;
  "telemetry:snapshot": (s: TelemetrySnapshot) => void;
  "telemetry:points": (p: TelemetryPoints) => void;
  "app:error": (e: { code: string; message: string }) => void;
}

export interface ClientToServerEvents {
  subscribe: (p: { topic: Topic }, ack: (r: SubscribeAck) => void) => void;
  "telemetry:subscribe": (p: TelemetrySubscription, ack: (r: SubscribeAck) => void) => void;
  "telemetry:unsubscribe": (p: { panel: Panel; regionId: string }) => void;
}
