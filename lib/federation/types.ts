// The one interface every federation mode implements: `sim` (in-process simulation, default),
// `lab` (real servers on this machine, lab/). A mode for a real federation described by a file is
// not built yet.
// The console never talks to a region's systems except through this interface.

import type { FigureKey } from "./figures";
import { branded } from "@/lib/brand";
import type { LeasePolicy, LeaseView } from "@/lib/failover/lease";

export type RegionStatus = "healthy" | "degraded" | "down" | "unknown";
export type ComponentStatus = "up" | "degraded" | "down" | "unknown";
export type ComponentKind = "router" | "galera" | "postgres" | "object_store" | "inference";

export const COMPONENT_KINDS: readonly ComponentKind[] = ["router", "galera", "postgres", "object_store", "inference"];

export const COMPONENT_LABELS: Record<ComponentKind, string> = {
  router: "HAProxy router",
  galera: "Galera cluster",
  postgres: "PostgreSQL",
  object_store: "Object store",
  inference: "Inference / GPUs",
};

/** One measured figure. `value` is null when it could not be measured (the reason says why). */
export interface Figure {
  key: FigureKey;
  label: string;
  value: number | null;
  unit: string;
}

export interface ComponentHealth {
  kind: ComponentKind;
  name: string;
  status: ComponentStatus;
  /** Why the component is not `up`; null when up. A person must understand it. */
  reason: string | null;
  figures: Figure[];
  /** Epoch ms when this component was measured (not when it was sent). */
  measuredAt: number;
}

/** The figures the overview shows per region; null = not measurable now. */
export interface RegionFigures {
  /** Cross-region MariaDB lag into this region, by heartbeat, in ms. */
  replicationLagMs: number | null;
  /** The worst lag of any heartbeat applied since the previous sample, in ms (charts, SLO p95). */
  replicationLagPeakMs: number | null;
  /** Mean GPU utilisation across the region's GPUs, 0–100. */
  gpuUtilPct: number | null;
  /** Requests per second through the region's router backend. */
  requestsPerSec: number | null;
  /** Tenants whose traffic the router sends to this region now. */
  tenantsServed: number;
  /** Tenants whose last probe was answered by this region (observed, not configured); absent before any probe. */
  tenantsObserved?: number;
  /** Tenants routed to this region whose last probe another region answered (the router's backup). */
  tenantsElsewhere?: string[];
  /** Residency-locked tenants whose last probe this region answered although it is outside their lock. */
  residencyBreaches?: string[];
}

export interface RegionHealth {
  regionId: string;
  name: string;
  status: RegionStatus;
  /** Why the region is not healthy (empty when healthy). */
  reasons: string[];
  components: ComponentHealth[];
  figures: RegionFigures;
  /** Marked down by an admin (sim: simulated outage; lab: router backend in maintenance). */
  markedDown: boolean;
  measuredAt: number;
}

/** tenant slug → region id the router sends that tenant's requests to. */
export type RouteTable = Record<string, string>;

export interface RegionRef {
  id: string;
  name: string;
}

/** One component of one region, measured on its own schedule by the pollers. */
export interface ComponentProbe {
  regionId: string;
  kind: ComponentKind;
  /** Never throws and never hangs: a dead or slow system comes back down/unknown with a reason. */
  run(): Promise<ComponentHealth>;
}

/** M4: one synthetic read and one write for a tenant through the router. */
export interface TenantProbe {
  tenant: string;
  /** The read answered and the write was acknowledged (or refused by a move's fence, which is not a failure). */
  ok: boolean;
  /** Region whose app answered the read (the router may have used the backup). */
  servedBy: string | null;
  /** Region whose app acknowledged the write; null when it was not acknowledged. */
  writeBy: string | null;
  /** Why the write was not taken although nothing failed (a move's fence); null otherwise. */
  writeNote: string | null;
  latencyMs: number | null;
  error: string | null;
  measuredAt: number;
}

/** T3: what a staged move of one tenant needs from the federation. */
export interface MovePrimitives {
  /**
   * Stop (fenced = true) or resume accepting the tenant's writes in a region. Resolves only once
   * every write of that tenant already in flight there has finished (committed or failed), so
   * after it nothing more can be acknowledged. Idempotent.
   */
  fenceTenant(tenant: string, regionId: string, fenced: boolean): Promise<void>;
  /** Tenants fenced now, anywhere (the orchestrator unfences those no move owns). */
  fencedTenants(): Promise<Array<{ tenant: string; regionId: string }>>;
  /** The replication position of everything written in the region so far (opaque text). */
  writePosition(regionId: string): Promise<string>;
  /**
   * Waits until the target region has applied the source region's writes up to `position`.
   * Throws FederationError code "timeout" when it has not within timeoutMs.
   */
  waitForPosition(sourceRegionId: string, targetRegionId: string, position: string, timeoutMs: number): Promise<{ waitedMs: number }>;
  /** A real read and a real write for the tenant through the router, and who answered each. */
  verifyTenant(tenant: string, expectRegionId: string): Promise<{ ok: boolean; readBy: string | null; writeBy: string | null; error: string | null }>;
}

/**
 * F1: what each independent side says of one region, each with its time. The console declares a
 * region lost only when these agree (lib/failover/detector.ts).
 */
export interface RegionSignals {
  regionId: string;
  /** The console reaches the region's app over its own link (the app's lease endpoint answered). `at`: when read; for a probe that got no answer, when it was sent. */
  console: { reachable: boolean; detail: string; at: number };
  /**
   * The other region's view, read from the other region (never through this one): whether its
   * replication from this region still receives (IO thread) and how old the newest heartbeat from
   * this region is there. `reachable` false: the console could not ask the other region either.
   */
  peer: { regionId: string; reachable: boolean; ioRunning: boolean | null; heartbeatAgeMs: number | null; detail: string; at: number };
  /** HAProxy's health checks of the region's app server in its backend (null: router unreadable). */
  router: { up: boolean | null; detail: string; at: number };
  /** The region's write lease as its app reported it (null: not reachable). */
  lease: LeaseView | null;
}

/**
 * F2 §5: what a region that was failed over wrote that the survivor never applied. Transactions of
 * its replication domain are counted (heartbeats included); tenant records are listed per tenant.
 */
export interface ErrantReport {
  /** The lost region's own-domain position (GTID) and what the survivor applied of that domain. */
  lostPosition: string;
  survivorApplied: string;
  transactions: number;
  tenants: { tenant: string; ids: string[] }[];
}

/** F2 §6: how far one replication link is behind, by transaction count. */
export interface ReplicationProgress {
  /** The source region's own-domain position, and what the target applied of it. */
  sourcePosition: string;
  applied: string;
  /** Sequence numbers of those two positions (rates are their differences over time). */
  sourceSeq: number;
  appliedSeq: number;
  /** Transactions of the source's domain the target has not applied. */
  backlog: number;
  at: number;
}

/** F2: what a region failover needs from the federation. Every method is idempotent. */
export interface FailoverPrimitives {
  /** Lease length, skew margin and renewal interval the regions' apps enforce. */
  leasePolicy(): LeasePolicy;
  /** Renews the region's write lease from the console (issued at `issuedAt`, the console's clock). Throws when not taken. */
  grantLease(regionId: string, issuedAt: number): Promise<void>;
  /** Every side's view of the region now (never throws: an unreachable side is a signal). */
  regionSignals(regionId: string): Promise<RegionSignals>;
  /**
   * Tells `regionId`'s app to stop (or resume) granting leases to the other region; answers with
   * the issue time of its last grant attempt (0: none), after which it grants no more.
   */
  setPeerGrants(regionId: string, enabled: boolean, reason: string): Promise<{ lastIssuedAt: number }>;
  /**
   * Fences (or unfences) a whole region: its app refuses every write whatever lease comes (reads go
   * on) and its MariaDB nodes turn read_only. Throws FederationError when the region cannot be reached.
   */
  fenceRegion(regionId: string, fenced: boolean, reason: string): Promise<string>;
  /**
   * Stops (hold) or restarts applying `fromRegionId`'s replication in `toRegionId`: after a failover
   * what the lost region acknowledged but never sent waits for a person, never flows in on its own.
   */
  holdReplication(fromRegionId: string, toRegionId: string, hold: boolean): Promise<string>;
  /** The region whose PostgreSQL is the corpus primary now (null: none answers as primary); `excludeRegionId` is not asked (it is lost). */
  postgresPrimary(excludeRegionId?: string): Promise<string | null>;
  /** Promotes the region's PostgreSQL replica to primary (no-op when it already is); says what it did. */
  promotePostgres(regionId: string): Promise<string>;
  /** What the returned region wrote that the survivor lacks: its domain's transactions, and records since `sinceMs`. */
  errantTransactions(lostRegionId: string, survivorId: string, sinceMs: number): Promise<ErrantReport>;
  /**
   * A person's decision on the errant records: "reapply" copies them to the survivor, "discard"
   * deletes them in the returned region (neither is replicated); then the survivor skips the
   * returned region's domain up to `report.lostPosition`, so replication never replays them.
   */
  resolveErrant(lostRegionId: string, survivorId: string, decision: "reapply" | "discard", report: ErrantReport): Promise<string>;
  /** How far `toRegionId` is behind `fromRegionId`'s writes. */
  replicationProgress(fromRegionId: string, toRegionId: string): Promise<ReplicationProgress>;
  /** Rewinds the region's PostgreSQL (a former primary) onto `primaryRegionId`'s timeline and starts it as its replica. */
  rejoinPostgres(regionId: string, primaryRegionId: string): Promise<string>;
}

export interface Federation extends MovePrimitives, FailoverPrimitives {
  readonly mode: "sim" | "lab";
  readonly regions: readonly RegionRef[];
  /** One probe per component per region; the pollers run each on its own, never overlapping itself. */
  probes(): ComponentProbe[];
  /** Every probe once, rolled up per region (start-up, tests, one-off reads). */
  readHealth(): Promise<RegionHealth[]>;
  /** A synthetic request for the tenant through the router, timed. Never throws. */
  probeTenant(tenant: string): Promise<TenantProbe>;
  /** What the router does now. */
  readRoutes(): Promise<RouteTable>;
  /** Send one tenant's requests to a region. Throws FederationError when the router refuses. */
  routeTenant(tenant: string, regionId: string): Promise<void>;
  /** Make the router's table equal to the console's (at start, after a restart of either). */
  syncRoutes(routes: RouteTable): Promise<void>;
  /** Mark a region down (outage / maintenance) or up again. */
  setRegionDown(regionId: string, down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A failure talking to a federation component: typed, with whether a retry may help. */
export class FederationError extends Error {
  constructor(
    message: string,
    readonly code: "timeout" | "unreachable" | "refused" | "protocol" | "unknown_region" | "unknown_tenant",
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "FederationError";
  }
}
branded(FederationError, "FederationError");
