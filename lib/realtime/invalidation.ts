import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { queryKeys as k } from "@/lib/query-keys";
import type { DomainEvent, DomainEvents } from "./events";

// What the socket's domain events do to the browser's query cache, in one place. Applied once,
// for every page, by components/realtime/live-queries.tsx; pages only join the rooms they need
// (useTopic). Health samples and telemetry points are not here: their hooks merge them.

/** Events whose payload is the new data of one query: written into the cache as it arrives. */
export const REPLACES: { [E in DomainEvent]?: QueryKey } = {
  "alerts:changed": k.alerts.open,
  "break-glass:changed": k.breakGlass.active,
};

/**
 * What each domain event makes stale (active queries refetch). Total on purpose: a new domain
 * event does not compile until it says what it refreshes ([] for nothing). The audit log lists
 * every change, so every event that follows a change refreshes it.
 */
export const INVALIDATES: { [E in DomainEvent]: (e: DomainEvents[E]) => readonly QueryKey[] } = {
  // The tenant table, the annotations a switch adds, the audit entry.
  "tenants:changed": () => [k.tenants.all, k.telemetry.all, k.audit.all],
  // The tenant table's observed column (where each tenant is served, as its probes found).
  "tenants:observed": () => [k.tenants.all],
  // The region list (marked down or up), its annotation, the audit entry.
  "regions:changed": () => [k.regions.all, k.telemetry.all, k.audit.all],
  // Moves and the approvals they wait for (requested, decided, expired), the audit entries.
  "moves:changed": () => [k.moves.all, k.approvals.all, k.audit.all],
  // The failover page and the overview's detection line; failovers and settings changes are audited.
  "failover:changed": () => [k.failover.all, k.audit.all],
  // The open alerts arrive whole (REPLACES); the telemetry page's history and annotations follow.
  "alerts:changed": () => [k.telemetry.all],
  // The drift banner; a resolution is audited (keeping the router's table also sends tenants:changed).
  "routes:drift": () => [k.routes.all, k.audit.all],
  // The active list arrives whole (REPLACES); starting or ending it is audited.
  "break-glass:changed": () => [k.audit.all],
  "audit:appended": () => [k.audit.all],
  // Shown by the shell from the socket (components/realtime/socket.tsx); nothing to refetch.
  "console:stalled": () => [],
};

/** The events the browser listens to for its cache. */
export const LIVE_EVENTS = Object.keys(INVALIDATES) as DomainEvent[];

/** Applies one event to the cache: replaces what it carries, invalidates what it names. */
export function applyDomainEvent<E extends DomainEvent>(qc: Pick<QueryClient, "setQueryData" | "invalidateQueries">, event: E, payload: DomainEvents[E]): void {
  const replaced: QueryKey | undefined = REPLACES[event];
  if (replaced) qc.setQueryData(replaced, payload);
  for (const queryKey of INVALIDATES[event](payload)) void qc.invalidateQueries({ queryKey });
}
