import { sampleOnce } from "../assemble";
import type { FigureKey } from "../figures";
import { LAG_SLO_MS } from "@/lib/slo";
import {
  COMPONENT_KINDS,
  COMPONENT_LABELS,
  FederationError,
  type ComponentHealth,
  type ComponentProbe,
  type Federation,
  type Figure,
  type RegionHealth,
  type RegionRef,
  type RouteTable,
  type TenantProbe,
} from "../types";
import { gaussian, seededRandom } from "./random";
import { DEFAULT_LEASE_POLICY, WriteLease, type LeasePolicy } from "@/lib/failover/lease";
import type { ErrantReport, RegionSignals, ReplicationProgress } from "../types";

// The simulated federation: a believable two-or-more-region world in process. Figures move
// with noise, cross-region lag spikes now and then and decays, a region marked down takes its
// components with it (and the heartbeat lag into the other region grows while its source is
// gone), and GPU load and request rates follow the tenants each region serves.

const GPUS_PER_REGION = 4;

interface SimRegion {
  ref: RegionRef;
  down: boolean;
  downSince: number | null;
  /** Lag of cross-region replication INTO this region: slow random walk + decaying spike. */
  baseLagMs: number;
  spikeMs: number;
  /** The largest spike since the last sample (a per-heartbeat reader sees it before it decays). */
  peakSpikeMs: number;
  gpuNoise: number[];
  lsnBacklogBytes: number;
  objectBacklog: number;
  /** F2: the region's write lease, renewed by the console (grantLease) and by the other regions while both are up. */
  lease: WriteLease;
  /** Grants to the other regions stopped by the console (after a failover). */
  peerGrantsStopped: boolean;
  /** The replication from this region into the others is held by the console (errant transactions wait). */
  heldInto: Set<string>;
  /** Replication lag out of this region when it went down: its writes of that last stretch never crossed. */
  lagAtLossMs: number;
  /** Errant records decided on (re-applied or discarded) since it came back. */
  errantResolved: boolean;
}

export interface SimOptions {
  regions: RegionRef[];
  seed?: number;
  now?: () => number;
  /** Probability per simulated second of a cross-region lag spike. */
  spikeRate?: number;
}

export class SimFederation implements Federation {
  readonly mode = "sim" as const;
  readonly regions: readonly RegionRef[];
  private readonly state = new Map<string, SimRegion>();
  private routes: RouteTable = {};
  private readonly rand: () => number;
  private readonly now: () => number;
  private readonly spikeRate: number;
  private lastStep: number;
  private readonly leases: LeasePolicy = DEFAULT_LEASE_POLICY;
  /** The region whose PostgreSQL is the corpus primary (the first region at start). */
  private pgPrimary: string;
  /** Per-tenant load weight, stable per tenant name. */
  private readonly weights = new Map<string, number>();

  constructor(opts: SimOptions) {
    if (opts.regions.length === 0) throw new Error("the simulation needs at least one region");
    this.rand = seededRandom(opts.seed ?? Date.now());
    this.now = opts.now ?? Date.now;
    this.spikeRate = opts.spikeRate ?? 1 / 240;
    this.lastStep = this.now();
    this.regions = opts.regions;
    this.pgPrimary = opts.regions[0].id;
    for (const ref of opts.regions) {
      this.state.set(ref.id, {
        ref,
        down: false,
        downSince: null,
        baseLagMs: 60 + this.rand() * 60,
        spikeMs: 0,
        peakSpikeMs: 0,
        gpuNoise: Array.from({ length: GPUS_PER_REGION }, () => 0),
        lsnBacklogBytes: 0,
        objectBacklog: 0,
        lease: new WriteLease(this.leases, null, this.now),
        peerGrantsStopped: false,
        heldInto: new Set(),
        lagAtLossMs: 0,
        errantResolved: false,
      });
    }
  }

  probes(): ComponentProbe[] {
    return this.regions.flatMap((ref) =>
      COMPONENT_KINDS.map((kind) => ({
        regionId: ref.id,
        kind,
        run: async () => {
          this.step();
          const r = this.state.get(ref.id)!;
          const at = this.now();
          return (r.down ? this.downComponents(r, at) : this.liveComponents(r, at)).find((c) => c.kind === kind)!;
        },
      })),
    );
  }

  async readHealth(): Promise<RegionHealth[]> {
    return sampleOnce(this.regions, this.probes(), this.now);
  }

  /**
   * A synthetic request through the simulated router: the serving region's app answers, or its
   * backup when that region is down; latency grows with the answering region's load.
   */
  async probeTenant(tenant: string): Promise<TenantProbe> {
    this.step();
    const at = this.now();
    const routed = this.routes[tenant];
    const none = { servedBy: null, writeBy: null, writeNote: null, latencyMs: null };
    if (!routed) return { tenant, ok: false, ...none, error: `no route for tenant ${tenant} (router answers 404)`, measuredAt: at };
    // The router has no backup servers: a tenant routed to a region that is down gets 503 until
    // the console fails it over (F2), so the console, not the router, decides.
    const answer = this.state.get(routed)!;
    if (answer.down) return { tenant, ok: false, ...none, error: `${answer.ref.name} does not answer (503 from the router)`, measuredAt: at };
    const load = this.tenantsServedBy(answer.ref.id).reduce((sum, t) => sum + this.weight(t), 0);
    const base = 8 + (this.weight(tenant) - 0.6) * 30; // distance: 8–38 ms
    const latency = base + 12 + load * 0.35 + (answer.ref.id !== routed ? 6 : 0) + Math.abs(gaussian(this.rand)) * 4;
    const fenced = this.fences.has(`${tenant}@${answer.ref.id}`);
    this.renewPeerLeases();
    const noLease = answer.lease.refusal(answer.ref.id);
    return {
      tenant,
      ok: noLease === null,
      servedBy: answer.ref.id,
      writeBy: fenced || noLease ? null : answer.ref.id,
      writeNote: fenced ? `write held: ${tenant} is fenced in ${answer.ref.id}: a move is in progress` : null,
      latencyMs: Math.round(latency * 10) / 10,
      error: noLease ? `write: ${noLease}` : null,
      measuredAt: at,
    };
  }

  async readRoutes(): Promise<RouteTable> {
    return { ...this.routes };
  }

  async routeTenant(tenant: string, regionId: string): Promise<void> {
    this.regionOrThrow(regionId);
    this.routes[tenant] = regionId;
  }

  async syncRoutes(routes: RouteTable): Promise<void> {
    for (const regionId of Object.values(routes)) this.regionOrThrow(regionId);
    this.routes = { ...routes };
  }

  async setRegionDown(regionId: string, down: boolean): Promise<void> {
    const r = this.regionOrThrow(regionId);
    if (r.down === down) return;
    r.down = down;
    r.downSince = down ? this.now() : null;
    if (down) {
      const peer = [...this.state.values()].find((x) => x !== r);
      r.lagAtLossMs = Math.round((peer?.baseLagMs ?? 0) + (peer?.spikeMs ?? 0));
      r.errantResolved = false;
    }
    if (!down) {
      // Coming back: replication catches up from a backlog, so lag starts high and decays.
      for (const other of this.state.values()) if (other !== r) other.spikeMs = Math.max(other.spikeMs, 1500);
      r.spikeMs = Math.max(r.spikeMs, 2500);
      r.objectBacklog += 40;
      r.lsnBacklogBytes += 8 * 1024 * 1024;
    }
  }

  // ---- T3 move primitives -----------------------------------------------------------------
  private readonly fences = new Map<string, string>();

  async fenceTenant(tenant: string, regionId: string, fenced: boolean): Promise<void> {
    this.regionOrThrow(regionId);
    if (fenced) this.fences.set(`${tenant}@${regionId}`, regionId);
    else this.fences.delete(`${tenant}@${regionId}`);
  }

  async fencedTenants(): Promise<Array<{ tenant: string; regionId: string }>> {
    return [...this.fences.keys()].map((k) => {
      const [tenant, regionId] = k.split("@");
      return { tenant, regionId };
    });
  }

  /** "Everything written in the region until now": the simulated clock, in ms. */
  async writePosition(regionId: string): Promise<string> {
    const r = this.regionOrThrow(regionId);
    if (r.down) throw new FederationError(`${r.ref.name} is down: its replication position cannot be read`, "unreachable", true);
    return `${regionId}@${this.now()}`;
  }

  /** The target has the source's writes once the current lag into it has passed (real time). */
  async waitForPosition(sourceRegionId: string, targetRegionId: string, position: string, timeoutMs: number): Promise<{ waitedMs: number }> {
    const source = this.regionOrThrow(sourceRegionId);
    const target = this.regionOrThrow(targetRegionId);
    if (!position.startsWith(`${sourceRegionId}@`))
      throw new FederationError(`position "${position}" is not a position of ${sourceRegionId}`, "protocol", false);
    const started = Date.now();
    const blocked = source.down || target.down;
    const lagMs = blocked ? Infinity : Math.round(target.baseLagMs + target.spikeMs);
    if (lagMs > timeoutMs) {
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, 5000)));
      throw new FederationError(
        `${target.ref.name} did not apply ${source.ref.name}'s writes up to ${position} within ${timeoutMs} ms${blocked ? " (replication stopped: a region is down)" : ""}`,
        "timeout",
        true,
      );
    }
    await new Promise((r) => setTimeout(r, lagMs));
    return { waitedMs: Date.now() - started };
  }

  async verifyTenant(tenant: string, expectRegionId: string): Promise<{ ok: boolean; readBy: string | null; writeBy: string | null; error: string | null }> {
    const probe = await this.probeTenant(tenant);
    if (!probe.ok) return { ok: false, readBy: null, writeBy: null, error: probe.error };
    const writeBy = this.fences.has(`${tenant}@${probe.servedBy}`) ? null : probe.servedBy;
    const ok = probe.servedBy === expectRegionId && writeBy === expectRegionId;
    const error = ok
      ? null
      : writeBy === null
        ? `the write was refused: ${tenant} is fenced in ${probe.servedBy}`
        : `answered by ${probe.servedBy}, expected ${expectRegionId}`;
    return { ok, readBy: probe.servedBy, writeBy, error };
  }

  // ---- F1/F2 failover primitives --------------------------------------------------------------

  leasePolicy(): LeasePolicy {
    return this.leases;
  }

  /** The regions that are up grant each other leases (as the lab's apps do over their link). */
  private renewPeerLeases(): void {
    const at = this.now();
    // A federation of one region has nobody to fail over to: its lease is its own.
    if (this.state.size === 1) for (const r of this.state.values()) r.lease.accept({ from: r.ref.id, issuedAt: at, validMs: this.leases.lengthMs });
    for (const grantor of this.state.values()) {
      if (grantor.down || grantor.peerGrantsStopped) continue;
      for (const r of this.state.values()) if (r !== grantor && !r.down) r.lease.accept({ from: grantor.ref.id, issuedAt: at, validMs: this.leases.lengthMs });
    }
  }

  async grantLease(regionId: string, issuedAt: number): Promise<void> {
    const r = this.regionOrThrow(regionId);
    if (r.down) throw new FederationError(`${r.ref.name} does not answer: no lease granted`, "unreachable", true);
    this.renewPeerLeases();
    const a = r.lease.accept({ from: "console", issuedAt, validMs: this.leases.lengthMs });
    if (!a.ok) throw new FederationError(`grant ${regionId} a write lease: ${a.reason}`, "refused", false);
  }

  async regionSignals(regionId: string): Promise<RegionSignals> {
    const r = this.regionOrThrow(regionId);
    this.step();
    this.renewPeerLeases();
    const at = this.now();
    const peer = [...this.state.values()].find((x) => x !== r && !x.down) ?? [...this.state.values()].find((x) => x !== r);
    const lagMs = Math.round((peer?.baseLagMs ?? 0) + (peer?.spikeMs ?? 0));
    const heartbeatAgeMs = r.down ? Math.max(lagMs, at - (r.downSince ?? at) + lagMs) : lagMs;
    return {
      regionId,
      console: r.down
        ? { reachable: false, detail: `${r.ref.name}'s app does not answer the console (simulated outage)`, at }
        : { reachable: true, detail: `app answers; lease ${r.lease.holds() ? "held" : "not held"}`, at },
      peer: peer
        ? {
            regionId: peer.ref.id,
            reachable: !peer.down,
            ioRunning: peer.down ? null : !r.down,
            heartbeatAgeMs: peer.down ? null : heartbeatAgeMs,
            detail: peer.down
              ? `${peer.ref.name} is down too`
              : `${peer.ref.name}: replication from ${r.ref.name} ${r.down ? "IO thread Connecting" : "IO thread Yes"}; newest heartbeat ${heartbeatAgeMs} ms old`,
            at,
          }
        : { regionId: "", reachable: false, ioRunning: null, heartbeatAgeMs: null, detail: "no other region", at },
      router: { up: !r.down, detail: `router check of ${r.ref.name}'s app: ${r.down ? "DOWN (L4CON)" : "UP (L7OK)"}`, at },
      lease: r.down ? null : r.lease.view(),
    };
  }

  async setPeerGrants(regionId: string, enabled: boolean): Promise<{ lastIssuedAt: number }> {
    const r = this.regionOrThrow(regionId);
    if (r.down) throw new FederationError(`${r.ref.name} does not answer`, "unreachable", true);
    r.peerGrantsStopped = !enabled;
    // the peers' grants were renewed at every read; a down peer last got one when it went down
    const others = [...this.state.values()].filter((x) => x !== r);
    return { lastIssuedAt: Math.max(0, ...others.map((o) => o.lease.view().lastGrant?.issuedAt ?? 0)) };
  }

  async fenceRegion(regionId: string, fenced: boolean, reason: string): Promise<string> {
    const r = this.regionOrThrow(regionId);
    if (r.down) throw new FederationError(`${r.ref.name} does not answer: it cannot be fenced now`, "unreachable", true);
    if (fenced) r.lease.setFence(reason);
    else r.lease.unfence();
    return `${r.ref.name}'s app ${fenced ? "refuses" : "accepts"} writes (simulated)`;
  }

  async holdReplication(fromRegionId: string, toRegionId: string, hold: boolean): Promise<string> {
    const from = this.regionOrThrow(fromRegionId);
    this.regionOrThrow(toRegionId);
    if (hold) from.heldInto.add(toRegionId);
    else from.heldInto.delete(toRegionId);
    return `replication ${fromRegionId} → ${toRegionId} ${hold ? "held" : "started"} (simulated)`;
  }

  async postgresPrimary(excludeRegionId?: string): Promise<string | null> {
    const r = this.state.get(this.pgPrimary);
    return r && !r.down && this.pgPrimary !== excludeRegionId ? this.pgPrimary : null;
  }

  async promotePostgres(regionId: string): Promise<string> {
    const r = this.regionOrThrow(regionId);
    if (r.down) throw new FederationError(`${r.ref.name} does not answer`, "unreachable", true);
    if (this.pgPrimary === regionId) return `${r.ref.name}'s PostgreSQL is already the primary`;
    this.pgPrimary = regionId;
    return `${r.ref.name}'s PostgreSQL promoted to primary (simulated)`;
  }

  /**
   * The records the region acknowledged in the last `lagAtLossMs` before it went down never
   * crossed: about one write per tenant every 200 ms (weighted by the tenant's load), listed by id.
   */
  async errantTransactions(lostRegionId: string, survivorId: string): Promise<ErrantReport> {
    const r = this.regionOrThrow(lostRegionId);
    this.regionOrThrow(survivorId);
    if (r.down) throw new FederationError(`${r.ref.name} does not answer yet`, "unreachable", true);
    const tenants = r.errantResolved
      ? []
      : this.tenantsServedBy(lostRegionId)
          .map((t) => ({ tenant: t, ids: Array.from({ length: Math.floor((r.lagAtLossMs / 200) * this.weight(t)) }, (_, i) => `sim-${t}-${i + 1}`) }))
          .filter((t) => t.ids.length > 0);
    const n = tenants.reduce((sum, t) => sum + t.ids.length, 0);
    return {
      lostPosition: `${lostRegionId}@${r.downSince ?? 0}`,
      survivorApplied: `${lostRegionId}@${(r.downSince ?? 0) - r.lagAtLossMs}`,
      transactions: n,
      tenants,
    };
  }

  async resolveErrant(lostRegionId: string, survivorId: string, decision: "reapply" | "discard", report: ErrantReport): Promise<string> {
    const r = this.regionOrThrow(lostRegionId);
    this.regionOrThrow(survivorId);
    r.errantResolved = true;
    const n = report.tenants.reduce((sum, t) => sum + t.ids.length, 0);
    return `${n} record(s) ${decision === "reapply" ? `re-applied in ${survivorId}` : `discarded in ${lostRegionId}`} (simulated)`;
  }

  async replicationProgress(fromRegionId: string, toRegionId: string): Promise<ReplicationProgress> {
    const from = this.regionOrThrow(fromRegionId);
    const to = this.regionOrThrow(toRegionId);
    if (from.down || to.down) throw new FederationError(`${from.down ? from.ref.name : to.ref.name} does not answer`, "unreachable", true);
    this.step();
    const at = this.now();
    // one heartbeat every 25 ms behind: the lag into the target, in transactions
    const backlog = Math.round(to.spikeMs / 25);
    const sourceSeq = Math.floor(at / 25);
    return {
      sourcePosition: `${fromRegionId}@${at}`,
      applied: `${fromRegionId}@${at - Math.round(to.spikeMs)}`,
      sourceSeq,
      appliedSeq: sourceSeq - backlog,
      backlog,
      at,
    };
  }

  async rejoinPostgres(regionId: string, primaryRegionId: string): Promise<string> {
    const r = this.regionOrThrow(regionId);
    this.regionOrThrow(primaryRegionId);
    if (r.down) throw new FederationError(`${r.ref.name} does not answer`, "unreachable", true);
    return `${r.ref.name}'s PostgreSQL follows ${primaryRegionId} as a replica (simulated)`;
  }

  async close(): Promise<void> {}

  /** Advance the random processes to now, one simulated second at a time. */
  private step(): void {
    const now = this.now();
    const seconds = Math.min(600, Math.floor((now - this.lastStep) / 1000));
    if (seconds <= 0) return;
    this.lastStep += seconds * 1000;
    for (let i = 0; i < seconds; i++) {
      for (const r of this.state.values()) {
        r.baseLagMs = clamp(r.baseLagMs + gaussian(this.rand) * 6 + (80 - r.baseLagMs) * 0.05, 15, 400);
        r.spikeMs *= 0.72;
        if (r.spikeMs < 5) r.spikeMs = 0;
        if (this.rand() < this.spikeRate) r.spikeMs += 400 + this.rand() * 1400;
        // a spike decays between samples: the worst of it is what a per-heartbeat reader reports
        r.peakSpikeMs = Math.max(r.peakSpikeMs, r.spikeMs);
        r.gpuNoise = r.gpuNoise.map((n) => clamp(n * 0.8 + gaussian(this.rand) * 2.5, -12, 12));
        r.objectBacklog = Math.max(0, Math.round(r.objectBacklog * 0.8 + (this.rand() < 0.2 ? this.rand() * 4 : 0)));
        r.lsnBacklogBytes = Math.max(0, Math.round(r.lsnBacklogBytes * 0.6 + this.rand() * 48 * 1024));
      }
    }
  }

  private downComponents(r: SimRegion, at: number): ComponentHealth[] {
    const since = r.downSince ? Math.round((at - r.downSince) / 1000) : 0;
    return COMPONENT_KINDS.map(
      (kind): ComponentHealth => ({
        kind,
        name: COMPONENT_LABELS[kind],
        status: "down",
        reason: `region marked down by an admin ${since} s ago (simulated outage): no response`,
        // The router's own state still says why: the region's servers are in maintenance.
        figures:
          kind === "router"
            ? [
                { key: "marked_down", label: "Marked down (1 = yes)", value: 1, unit: "" },
                { key: "tenants_routed", label: "Tenants routed", value: this.tenantsServedBy(r.ref.id).length, unit: "" },
              ]
            : [],
        measuredAt: at,
      }),
    );
  }

  /** The region whose writes replicate into r (the first other region; two-region topology). */
  private sourceOf(r: SimRegion): SimRegion | undefined {
    return [...this.state.values()].find((o) => o !== r);
  }

  private liveComponents(r: SimRegion, at: number): ComponentHealth[] {
    const served = this.tenantsServedBy(r.ref.id);
    // Traffic of tenants routed to a region that is down falls to their backup: this one.
    const fallback = Object.entries(this.routes).filter(([, reg]) => reg !== r.ref.id && this.state.get(reg)?.down);
    const load = [...served, ...fallback.map(([t]) => t)].reduce((s, t) => s + this.weight(t), 0);
    const rps = load * 3.2 * (1 + gaussian(this.rand) * 0.05);

    const source = this.sourceOf(r);
    let lagMs: number | null = Math.round(r.baseLagMs + r.spikeMs + Math.abs(gaussian(this.rand)) * 8);
    const peakSpike = Math.max(r.peakSpikeMs, r.spikeMs);
    r.peakSpikeMs = 0;
    let peakLagMs: number | null = Math.max(lagMs, Math.round(r.baseLagMs + peakSpike));
    let galeraStatus: ComponentHealth["status"] = "up";
    let galeraReason: string | null = null;
    if (source?.down && source.downSince) {
      // No heartbeats arrive while the source is down: heartbeat lag grows with time.
      lagMs = Math.max(lagMs, at - source.downSince);
      peakLagMs = lagMs;
      galeraStatus = "degraded";
      galeraReason = `cross-region replication from ${source.ref.name} stopped: source region down`;
    } else if (lagMs > LAG_SLO_MS) {
      galeraStatus = "degraded";
      galeraReason = `cross-region lag ${(lagMs / 1000).toFixed(1)} s is above the 1 s SLO`;
    }
    if (!source) lagMs = peakLagMs = null;

    const gpuBase = clamp(6 + load * 2.1, 0, 97);
    const gpus = r.gpuNoise.map((n) => clamp(gpuBase + n, 0, 100));
    const gpuUtil = gpus.reduce((s, g) => s + g, 0) / gpus.length;
    const running = Math.max(0, Math.round(load * 0.9 + gaussian(this.rand)));
    const waiting = Math.max(0, Math.round((gpuUtil - 80) / 4 + gaussian(this.rand) * 0.6));
    const kv = clamp(gpuUtil * 0.85 + gaussian(this.rand) * 2, 0, 100);
    const isPrimaryPg = [...this.state.keys()][0] === r.ref.id;
    const pgLagMs = isPrimaryPg ? null : Math.round(r.baseLagMs * 0.4 + r.spikeMs * 0.5 + Math.abs(gaussian(this.rand)) * 4);
    const pgPeakMs = pgLagMs === null ? null : Math.max(pgLagMs, Math.round(r.baseLagMs * 0.4 + peakSpike * 0.5));
    const canaryLagMs = 800 + r.objectBacklog * 150 + Math.abs(gaussian(this.rand)) * 120;
    const pgPrimaryDown = !isPrimaryPg && [...this.state.values()][0].down;

    const fig = (key: FigureKey, label: string, value: number | null, unit: string): Figure => ({
      key,
      label,
      value: value === null ? null : round(value),
      unit,
    });
    return [
      {
        kind: "router",
        name: COMPONENT_LABELS.router,
        status: "up",
        reason: null,
        measuredAt: at,
        figures: [
          fig("requests_per_sec", "Requests", rps, "req/s"),
          fig("tenants_routed", "Tenants routed", served.length, ""),
          fig("marked_down", "Marked down (1 = yes)", 0, ""),
        ],
      },
      {
        kind: "galera",
        name: COMPONENT_LABELS.galera,
        status: galeraStatus,
        reason: galeraReason,
        measuredAt: at,
        figures: [
          fig("cluster_size", "Cluster size", 3, "nodes"),
          fig("cross_region_lag_ms", "Cross-region lag", lagMs, "ms"),
          fig("cross_region_lag_peak_ms", "Cross-region lag, worst since the last sample", peakLagMs, "ms"),
          fig("flow_control_paused_pct", "Flow control paused", clamp(r.spikeMs / 200 + Math.abs(gaussian(this.rand)) * 0.2, 0, 100), "%"),
          fig("recv_queue", "Receive queue", Math.round(r.spikeMs / 120), "writesets"),
        ],
      },
      {
        kind: "postgres",
        name: COMPONENT_LABELS.postgres,
        status: pgPrimaryDown ? "degraded" : "up",
        reason: pgPrimaryDown ? "streaming replica: primary unreachable, serving reads only" : null,
        measuredAt: at,
        figures: isPrimaryPg
          ? [
              fig("streaming_replicas", "Streaming replicas", [...this.state.values()].filter((o) => o !== r && !o.down).length, ""),
              fig("connections", "Connections", 24 + Math.round(load), "conns"),
            ]
          : [
              fig("replay_lag_ms", "Replay lag", pgPrimaryDown ? null : pgLagMs, "ms"),
              fig("replay_lag_peak_ms", "Replay lag, worst since the last sample", pgPrimaryDown ? null : pgPeakMs, "ms"),
              fig("replay_lag_bytes", "Replay lag", pgPrimaryDown ? null : r.lsnBacklogBytes, "bytes"),
            ],
      },
      {
        kind: "object_store",
        name: COMPONENT_LABELS.object_store,
        status: "up",
        reason: null,
        measuredAt: at,
        figures: [
          fig("canary_lag_ms", "Canary lag", canaryLagMs, "ms"),
          fig("canary_lag_peak_ms", "Canary lag, worst since the last sample", canaryLagMs, "ms"),
          fig("backlog", "Replication backlog", r.objectBacklog, "objects"),
        ],
      },
      {
        kind: "inference",
        name: COMPONENT_LABELS.inference,
        status: gpuUtil > 92 ? "degraded" : "up",
        reason: gpuUtil > 92 ? `GPUs saturated: ${Math.round(gpuUtil)} % utilisation, ${waiting} requests waiting` : null,
        measuredAt: at,
        figures: [
          fig("gpu_util_pct", "GPU utilisation", gpuUtil, "%"),
          ...gpus.map((g, i) => fig(`gpu${i}_util_pct`, `GPU ${i}`, g, "%")),
          // Model weights hold about half of each L40S's 48 GB; the KV cache takes the rest as load grows.
          ...gpus.map((g, i) => fig(`gpu${i}_mem_pct`, `GPU ${i} memory`, clamp(52 + kv * 0.4 + (g - gpuUtil) * 0.1, 0, 100), "%")),
          fig("running", "Running requests", running, "req"),
          fig("waiting", "Waiting requests", waiting, "req"),
          fig("kv_cache_pct", "KV-cache use", kv, "%"),
          fig("tokens_per_sec", "Generation", running * 38 * (1 + gaussian(this.rand) * 0.04), "tok/s"),
          fig("ttft_p95_ms", "Time to first token p95", 180 + gpuUtil * 3 + waiting * 40, "ms"),
        ],
      },
    ];
  }

  private tenantsServedBy(regionId: string): string[] {
    return Object.entries(this.routes)
      .filter(([, r]) => r === regionId)
      .map(([t]) => t);
  }

  private weight(tenant: string): number {
    let w = this.weights.get(tenant);
    if (w === undefined) {
      // Stable per tenant: a hash of its slug, 0.6–1.6.
      let h = 2166136261;
      for (const ch of tenant) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      w = 0.6 + ((h >>> 0) % 1000) / 1000;
      this.weights.set(tenant, w);
    }
    return w;
  }

  private regionOrThrow(regionId: string): SimRegion {
    const r = this.state.get(regionId);
    if (!r) throw new FederationError(`unknown region "${regionId}"`, "unknown_region", false);
    return r;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
