// The one typed event map: domain events are defined once here (DomainEvents) and both the
// in-process bus (BusEvents, lib/realtime/bus.ts) and the socket (ServerToClientEvents) derive
// from it. Realtime invalidates, queries fetch: events carry either a small health sample, the
// new state of a small list, or the names of what changed. Types only, from pure modules: the
// browser imports this file.
import type { RegionHealth } from "@/lib/federation/types";
import type { Panel, Point } from "@/lib/telemetry/series";
import type { AlertView } from "@/lib/telemetry/types";
import type { BreakGlassView } from "@/lib/approvals/types";
import type { ConsoleStall, ServerTick } from "@/lib/liveness";

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

export interface TenantObserved {
  tenant: string;
  /** the region that answered the last probe; null: none */
  regionId: string | null;
  ok: boolean;
  at: number;
}

export interface RegionsChanged {
  regionId: string;
  markedDown: boolean;
  by: string;
  at: number;
}

/** A move changed state or step (its row holds the details). */
export interface MoveChanged {
  moveId: string;
  tenantId: string;
  state: string;
}

/** The open route drift changed: found at start, re-checked, or resolved by an admin (lib/routes). */
export interface RouteDriftChanged {
  /** Tenants in drift now (0: none open). */
  count: number;
  /** How it was resolved; null when found or re-checked. */
  resolution: "keep_router" | "push_console" | null;
  by: string;
  at: number;
}

/** F1/F2/F7: a region's assessment changed, a failover moved on, a decision was recorded, or the settings changed. */
export interface FailoverChanged {
  regionId: string | null;
  /** what changed: assessment · failover · decision · settings */
  what: "assessment" | "failover" | "decision" | "settings";
  failoverId: string | null;
  at: number;
}

/** An operation wrote to the audit log (a change, a refusal or a failure). */
export interface AuditAppended {
  action: string;
  at: number;
}

/**
 * Domain events: emitted by services on the bus with one payload, and sent to browsers as they
 * are (lib/realtime/server.ts says to which rooms). What each one refreshes in the browser is
 * lib/realtime/invalidation.ts.
 */
export interface DomainEvents {
  "tenants:changed": TenantsChanged;
  /** A tenant's observed serving region, or whether its requests succeed, changed (tenant probes). */
  "tenants:observed": TenantObserved;
  "regions:changed": RegionsChanged;
  "moves:changed": MoveChanged;
  "failover:changed": FailoverChanged;
  /** The router's table and the console's differ (or agree again). */
  "routes:drift": RouteDriftChanged;
  /** The open alerts, after one opened or ended. */
  "alerts:changed": AlertView[];
  /** Break-glass windows active now (after one starts or ends). */
  "break-glass:changed": BreakGlassView[];
  /** Admin and compliance only (the audit room). */
  "audit:appended": AuditAppended;
  /** The console's own event loop stalled (every socket: the shell says so for a minute). */
  "console:stalled": ConsoleStall;
}
export type DomainEvent = keyof DomainEvents;

/** Bus-only events: the socket server reshapes them (health:sample, telemetry:points), never forwards them as they are. */
export interface InternalEvents {
  /** One sample of every region, and the series points it added to the live window. */
  health: [RegionHealth[], Point[]];
  /** Points measured outside the region sample (tenant probes). */
  points: [Point[]];
  /** A1: sessions ended (signed out, revoked, timed out): the socket server disconnects their sockets. */
  "sessions:revoked": [SessionsRevoked];
}

export interface SessionsRevoked {
  sessionIds: string[];
  /** signed_out · role_changed · idle_timeout · expired · … */
  reason: string;
}

type BusDomainEvents = { [E in DomainEvent]: [DomainEvents[E]] };
/** The in-process bus's map: every domain event (one argument) and the internal ones. */
export interface BusEvents extends BusDomainEvents, InternalEvents {}

type DomainListeners = { [E in DomainEvent]: (e: DomainEvents[E]) => void };

/** rate_limited: too many events from this socket (lib/realtime/limits.ts); limit_exceeded: too many telemetry rooms held. */
export type SubscribeAck = { ok: true } | { ok: false; code: "forbidden" | "bad_request" | "rate_limited" | "limit_exceeded"; message: string };

export interface ServerToClientEvents extends DomainListeners {
  "health:snapshot": (s: HealthSnapshot) => void;
  "health:sample": (s: { regions: RegionHealth[]; serverTime: number }) => void;
  "telemetry:snapshot": (s: TelemetrySnapshot) => void;
  "telemetry:points": (p: TelemetryPoints) => void;
  "app:error": (e: { code: string; message: string }) => void;
  /** The server's heartbeat, every second to every socket: a connected socket that hears nothing is a silent server. */
  tick: (t: ServerTick) => void;
}

export interface ClientToServerEvents {
  subscribe: (p: { topic: Topic }, ack: (r: SubscribeAck) => void) => void;
  "telemetry:subscribe": (p: TelemetrySubscription, ack: (r: SubscribeAck) => void) => void;
  "telemetry:unsubscribe": (p: { panel: Panel; regionId: string }) => void;
}
