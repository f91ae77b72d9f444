import type { TenantFilter } from "@/lib/tenants/schemas";

/**
 * Every React Query key of the console, in one place. A key's first element names what it
 * holds, so `…all` invalidates every query under it. What a socket event invalidates is
 * lib/realtime/invalidation.ts.
 */
export const queryKeys = {
  overview: {
    /** The live health snapshot: first paint from /api/overview, then the socket's samples. */
    snapshot: ["overview", "snapshot"] as const,
  },
  regions: {
    all: ["regions"] as const,
  },
  tenants: {
    all: ["tenants"] as const,
    list: (f: TenantFilter) => ["tenants", "list", f] as const,
  },
  moves: {
    all: ["moves"] as const,
    list: (q: object) => ["moves", "list", q] as const,
    one: (id: string) => ["moves", "one", id] as const,
    preflight: (tenantId: string, target: string) => ["moves", "preflight", tenantId, target] as const,
  },
  failover: {
    all: ["failover"] as const,
    overview: ["failover", "overview"] as const,
  },
  routes: {
    all: ["routes"] as const,
    /** The open route drift (router's table ≠ the console's). */
    drift: ["routes", "drift"] as const,
  },
  approvals: {
    all: ["approvals"] as const,
    pending: ["approvals", "pending"] as const,
  },
  breakGlass: {
    /** Break-glass windows active now (the socket sends the new list). */
    active: ["break-glass"] as const,
  },
  alerts: {
    /** Open alerts for the banner (the socket sends the new list). */
    open: ["alerts", "open"] as const,
  },
  audit: {
    all: ["audit"] as const,
    list: (q: object) => ["audit", "list", q] as const,
  },
  telemetry: {
    all: ["telemetry"] as const,
    history: (panel: string, range: string) => ["telemetry", "history", panel, range] as const,
    annotations: (range: string) => ["telemetry", "annotations", range] as const,
    /** Open and recent alerts, for the telemetry page's table. */
    alerts: ["telemetry", "alerts"] as const,
    tenantLatency: ["telemetry", "tenants-latency"] as const,
  },
};
