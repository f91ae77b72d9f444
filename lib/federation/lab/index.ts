import "server-only";
// The `lab` federation: the real servers started by lab/up on this machine, reached through the
// connectors in lib/connectors (the same code would talk to a real federation).
import { ConnectorError } from "@/lib/connectors/errors";
import { HaproxyRouter, routerComponent, type RouterRegionView } from "@/lib/connectors/haproxy/adapter";
import type { ServerState, StatRow } from "@/lib/connectors/haproxy/types";
import { MariadbNode, clusterHealth, regionGtidPosition } from "@/lib/connectors/mariadb/adapter";
import { PostgresNode, postgresHealth } from "@/lib/connectors/postgres/adapter";
import { ObjectStoreClient } from "@/lib/connectors/s3/client";
import { objectStoreHealth } from "@/lib/connectors/s3/adapter";
import { VllmClient } from "@/lib/connectors/vllm/client";
import { InferenceProbe } from "@/lib/connectors/vllm/adapter";
import { GpuClient } from "@/lib/connectors/gpu/client";
import { sampleOnce } from "../assemble";
import {
  FederationError,
  type ComponentHealth,
  type ComponentKind,
  type ComponentProbe,
  type Federation,
  type RegionHealth,
  type RegionRef,
  type RouteTable,
  type TenantProbe,
} from "../types";
import { labPath, loadLabConfig, replicatorAddress, type LabConfig, type LabRegion } from "./config";
import { answerError, requestJson } from "./http";
import { formatPosition, parsePosition } from "./position";
import { isTenantSlug } from "./write-gate";
import { LabLagWatch, type LagLinkKind } from "./lag-watch";
import { PgRoles } from "./pg-roles";
import { LabFailover } from "./failover";
import type { LeasePolicy } from "@/lib/failover/lease";
import type { ErrantReport, RegionSignals, ReplicationProgress } from "../types";

/** How long a fence may wait for the tenant's in-flight writes (the app's statements time out at 3 s). */
const FENCE_DRAIN_MS = 10_000;
/** Reading a write position: a Galera node may first wait to apply what was certified before. */
const POSITION_TIMEOUT_MS = 3000;
/** verifyTenant: each request (a write commits on Galera, so more than a probe's budget). */
const VERIFY_REQUEST_MS = 4000;

interface RegionProbes {
  ref: RegionRef;
  lab: LabRegion;
  view: RouterRegionView;
  mariadb: MariadbNode[];
  postgres: PostgresNode;
  s3: ObjectStoreClient;
  inference: InferenceProbe;
}

/** Bounds a whole component probe (several calls) so one slow system never stalls readHealth. */
async function bounded(kind: ComponentKind, name: string, ms: number, fn: () => Promise<ComponentHealth>): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ComponentHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ kind, name, status: "unknown", reason: `probe gave no answer within ${ms} ms`, figures: [], measuredAt: Date.now() }),
      ms,
    );
  });
  try {
    return await Promise.race([
      fn().catch(
        (e: unknown): ComponentHealth => ({
          kind,
          name,
          status: "unknown",
          reason: `probe failed: ${(e as Error).message}`,
          figures: [],
          measuredAt: Date.now(),
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function toFederationError(e: unknown): FederationError {
  if (e instanceof FederationError) return e;
  if (e instanceof ConnectorError) return e.toFederationError();
  return new FederationError((e as Error).message ?? String(e), "protocol", false);
}

export class LabFederation implements Federation {
  readonly mode = "lab" as const;
  private readonly router: HaproxyRouter;
  private readonly regionProbes: RegionProbes[] = [];
  private readonly unconfigured: RegionRef[] = [];

  constructor(
    readonly cfg: LabConfig,
    readonly regions: readonly RegionRef[],
  ) {
    const t = cfg.probeTimeoutMs;
    this.pgRoles = new PgRoles(cfg);
    const mapFile = labPath(cfg.router.mapFile);
    this.router = new HaproxyRouter({ runtime: { socketPath: labPath(cfg.router.socket) }, mapName: mapFile, mapFile, timeoutMs: t });
    const s3Of = new Map(
      cfg.regions.map((r) => [
        r.id,
        new ObjectStoreClient(
          {
            name: r.s3.name,
            url: `http://${r.net.address}:${r.s3.port}`,
            accessKeyId: cfg.s3.accessKeyId,
            secretAccessKey: cfg.s3.secretAccessKey,
          },
          t,
        ),
      ]),
    );
    for (const ref of regions) {
      const lab = cfg.regions.find((r) => r.id === ref.id);
      if (!lab) {
        this.unconfigured.push(ref);
        continue;
      }
      this.regionProbes.push({
        ref,
        lab,
        view: {
          backend: lab.backend,
          server: lab.appServer,
          serverRefs: [{ backend: lab.backend, server: lab.appServer }],
        },
        mariadb: lab.mariadb.nodes.map(
          (n) =>
            new MariadbNode(
              {
                name: n.name,
                host: lab.net.address,
                port: n.port,
                user: cfg.mariadb.adminUser,
                password: cfg.mariadb.adminPassword,
              },
              t,
            ),
        ),
        postgres: new PostgresNode(
          {
            name: lab.postgres.name,
            host: lab.net.address,
            port: lab.postgres.port,
            user: cfg.postgres.user,
            password: cfg.postgres.password,
            database: cfg.postgres.database,
          },
          t,
        ),
        s3: s3Of.get(lab.id)!,
        inference: new InferenceProbe(
          lab.inference.name,
          new VllmClient(`http://${lab.net.address}:${lab.inference.port}`, t),
          new GpuClient({ dcgmUrl: `http://${lab.net.address}:${lab.inference.gpuMetricsPort}/metrics` }, t),
        ),
      });
    }
    this.s3All = s3Of;
    this.lagWatch = new LabLagWatch(cfg, s3Of, this.pgRoles);
    this.failover = new LabFailover(cfg, this.router, this.pgRoles);
  }
  readonly pgRoles: PgRoles;

  /** At start: which PostgreSQL server is the primary now, when the servers agree (see PgRoles). */
  async adoptPgRoles(): Promise<void> {
    const answers = await Promise.all(
      this.regionProbes.map(
        async (p) =>
          [
            p.lab.id,
            await p.postgres.status().then(
              (s) => s.inRecovery,
              () => null,
            ),
          ] as const,
      ),
    );
    const note = this.pgRoles.adopt(new Map(answers));
    if (note) console.log(`[lab] ${note}`);
  }
  private readonly failover: LabFailover;
  private readonly s3All: Map<string, ObjectStoreClient>;
  private readonly lagWatch: LabLagWatch;
  /** kind:region → the receiver's time of the previous reading (a sample's peak covers what came after it) */
  private readonly lagReadAt = new Map<string, number>();

  /** The watched lag into a region: current, and the worst since the previous sample of the same figure. */
  private measuredLag(kind: LagLinkKind, regionId: string): { currentMs: number | null; peakMs: number | null } | null {
    const key = `${kind}:${regionId}`;
    const since = this.lagReadAt.get(key) ?? Date.now() - 1000;
    const r = this.lagWatch.read(kind, regionId, since);
    if (!r || r.observedAt === null || r.currentMs === null) return null;
    this.lagReadAt.set(key, r.observedAt);
    return { currentMs: r.currentMs, peakMs: r.peakMs };
  }

  probes(): ComponentProbe[] {
    this.lagWatch.start();
    const t = this.cfg.probeTimeoutMs;
    const out: ComponentProbe[] = [];
    for (const p of this.regionProbes) {
      const inbound = this.cfg.crossRegion.links
        .filter((l) => l.to === p.lab.id)
        .map((l) => ({ node: l.toNode, connection: l.connection, held: this.failover.held.get(l.connection) ?? null }));
      const peers = this.cfg.regions.filter((r) => r.id !== p.lab.id).map((r) => ({ regionId: r.id, client: this.s3All.get(r.id)! }));
      const probe = (kind: ComponentKind, name: string, ms: number, fn: () => Promise<ComponentHealth>): ComponentProbe => ({
        regionId: p.ref.id,
        kind,
        run: () => bounded(kind, name, ms, fn),
      });
      out.push(
        probe("router", "HAProxy", t + 200, async () => {
          const [stats, states, routes] = await Promise.allSettled([this.router.stats(), this.router.serversState(), this.router.routes()]);
          const failed = [stats, states, routes].find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
          if (failed)
            return {
              kind: "router",
              name: "HAProxy",
              status: "down",
              reason: `HAProxy runtime API unreachable: ${(failed.reason as Error).message}`,
              figures: [],
              measuredAt: Date.now(),
            };
          const r = routerComponent(
            "HAProxy",
            p.view,
            (stats as PromiseFulfilledResult<StatRow[]>).value,
            (states as PromiseFulfilledResult<ServerState[]>).value,
            (routes as PromiseFulfilledResult<Record<string, string>>).value,
            Date.now(),
          );
          return {
            ...r.health,
            figures: [
              ...r.health.figures,
              { key: "marked_down", label: "Marked down: servers in maintenance (1 = yes)", value: r.markedDown ? 1 : 0, unit: "" },
            ],
          };
        }),
        probe("galera", p.lab.mariadb.name, 2 * t + 200, async () => {
          const r = await clusterHealth({
            name: p.lab.mariadb.name,
            regionId: p.lab.id,
            galera: p.lab.mariadb.kind === "galera",
            nodes: p.mariadb,
            heartbeatTable: `${this.cfg.mariadb.database}.heartbeat`,
            inboundLinks: inbound,
            lagDegradedMs: this.cfg.lagDegradedMs,
            measuredLag: this.measuredLag("mariadb", p.lab.id),
          });
          return r.health;
        }),
        probe(
          "postgres",
          "PostgreSQL",
          2 * t + 200,
          async () =>
            (
              await postgresHealth({
                name: "PostgreSQL",
                node: p.postgres,
                expectedRole: this.pgRoles.roleOf(p.lab.id),
                expectedReplicas: this.pgRoles.roleOf(p.lab.id) === "primary" ? this.pgRoles.replicas() : [],
                lagDegradedMs: this.cfg.lagDegradedMs,
                measuredLag: this.measuredLag("postgres", p.lab.id),
              })
            ).health,
        ),
        probe("object_store", "Object store (s3rver stand-in for MinIO)", 2 * t + 200, () =>
          objectStoreHealth({
            name: "Object store (s3rver stand-in for MinIO)",
            regionId: p.lab.id,
            local: p.s3,
            peers,
            canaryBucket: this.cfg.s3.canaryBucket,
            canaryPrefix: "lab-canary/",
            canaryIntervalMs: this.cfg.canaryIntervalMs,
            replicationMetricsUrl: `http://${replicatorAddress(this.cfg)}:${this.cfg.s3.replicatorPort}/metrics`,
            lagDegradedMs: Math.max(this.cfg.lagDegradedMs, 2 * this.cfg.canaryIntervalMs),
            timeoutMs: t,
            measuredLag: this.measuredLag("s3", p.lab.id),
          }),
        ),
        probe("inference", "Inference (vLLM stand-in)", t + 200, async () => {
          const h = (await p.inference.health()).health;
          return { ...h, name: `Inference (vLLM stand-in ${h.name})` };
        }),
      );
    }
    return out;
  }

  async readHealth(): Promise<RegionHealth[]> {
    const regions = await sampleOnce(
      this.regionProbes.map((p) => p.ref),
      this.probes(),
    );
    for (const ref of this.unconfigured) {
      regions.push({
        regionId: ref.id,
        name: ref.name,
        status: "unknown",
        reasons: [`region ${ref.id} is not in the lab config`],
        components: [],
        figures: { replicationLagMs: null, replicationLagPeakMs: null, gpuUtilPct: null, requestsPerSec: null, tenantsServed: 0 },
        markedDown: false,
        measuredAt: Date.now(),
      });
    }
    return regions;
  }

  /**
   * M4: real requests for the tenant through HAProxy's frontend, as a clinic makes them: a read of
   * the region's guideline corpus (timed) and a small write (POST /records), each saying which
   * region answered. A write refused by a move's fence is noted, not counted as a failure.
   */
  async probeTenant(tenant: string): Promise<TenantProbe> {
    const base = `http://${this.cfg.host}:${this.cfg.router.frontendPort}`;
    const failed = (e: unknown) => {
      const err = e as Error;
      return err.name === "TimeoutError" ? `no answer within ${this.cfg.probeTimeoutMs} ms` : `request failed: ${err.message}`;
    };
    const started = performance.now();
    let read: { ok: boolean; servedBy: string | null; latencyMs: number | null; error: string | null };
    try {
      const res = await fetch(`${base}/guidelines`, { headers: { "x-tenant": tenant }, signal: AbortSignal.timeout(this.cfg.probeTimeoutMs) });
      await res.arrayBuffer();
      const servedBy = res.headers.get("x-served-by-region");
      read = {
        ok: res.ok,
        servedBy,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        error: res.ok ? null : `read: HTTP ${res.status} from ${servedBy ?? "the router"}`,
      };
    } catch (e) {
      read = { ok: false, servedBy: null, latencyMs: null, error: `read: ${failed(e)}` };
    }
    let writeBy: string | null = null;
    let writeNote: string | null = null;
    let writeError: string | null = null;
    try {
      const w = await requestJson(`${base}/records`, {
        method: "POST",
        headers: { "x-tenant": tenant },
        body: { body: "console tenant probe" },
        timeoutMs: VERIFY_REQUEST_MS,
        what: `probe write for ${tenant}`,
      });
      if (w.status === 201) writeBy = w.servedBy;
      else if (w.status === 503 && /fenced/.test(answerError(w))) writeNote = `write held: ${answerError(w)}`;
      else writeError = `write: ${answerError(w)} from ${w.servedBy ?? "the router"}`;
    } catch (e) {
      writeError = `write: ${failed(e)}`;
    }
    const errors = [read.error, writeError].filter(Boolean);
    return {
      tenant,
      ok: errors.length === 0,
      servedBy: read.servedBy,
      writeBy,
      writeNote,
      latencyMs: read.latencyMs,
      error: errors.length ? errors.join("; ") : null,
      measuredAt: Date.now(),
    };
  }

  private regionOrThrow(regionId: string): LabRegion {
    const r = this.regionProbes.find((p) => p.lab.id === regionId);
    if (!r)
      throw new FederationError(`unknown region "${regionId}" (lab regions: ${this.regionProbes.map((p) => p.lab.id).join(", ")})`, "unknown_region", false);
    return r.lab;
  }

  async readRoutes(): Promise<RouteTable> {
    let routes: Record<string, string>;
    try {
      routes = await this.router.routes();
    } catch (e) {
      throw toFederationError(e);
    }
    const byBackend = new Map(this.cfg.regions.map((r) => [r.backend, r.id]));
    const out: RouteTable = {};
    for (const [tenant, backend] of Object.entries(routes)) {
      const region = byBackend.get(backend);
      if (region) out[tenant] = region;
    }
    return out;
  }

  async routeTenant(tenant: string, regionId: string): Promise<void> {
    const region = this.regionOrThrow(regionId);
    try {
      await this.router.setRoute(tenant.toLowerCase(), region.backend);
    } catch (e) {
      throw toFederationError(e);
    }
  }

  async syncRoutes(routes: RouteTable): Promise<void> {
    const mapped: Record<string, string> = {};
    for (const [tenant, regionId] of Object.entries(routes)) mapped[tenant.toLowerCase()] = this.regionOrThrow(regionId).backend;
    try {
      await this.router.replaceRoutes(mapped);
    } catch (e) {
      throw toFederationError(e);
    }
  }

  /** Maintenance on the region's app server in its backend (its tenants get 503 until they are moved or failed over). */
  async setRegionDown(regionId: string, down: boolean): Promise<void> {
    const region = this.regionOrThrow(regionId);
    try {
      await this.router.setServerState(region.backend, region.appServer, down ? "maint" : "ready");
    } catch (e) {
      throw toFederationError(e);
    }
  }

  // ---- move primitives (T3) -------------------------------------------------------------------

  private appUrl(region: LabRegion, pathname: string): string {
    return `http://${region.net.address}:${region.appPort}${pathname}`;
  }

  private tenantOrThrow(tenant: string): string {
    const t = tenant.toLowerCase();
    if (!isTenantSlug(t)) throw new FederationError(`"${tenant}" is not a tenant slug`, "unknown_tenant", false);
    return t;
  }

  /** The region app's admin API (loopback only, not through the router): POST /admin/fence. */
  async fenceTenant(tenant: string, regionId: string, fenced: boolean): Promise<void> {
    const region = this.regionOrThrow(regionId);
    const t = this.tenantOrThrow(tenant);
    const what = `${fenced ? "fence" : "unfence"} ${t} in ${regionId}`;
    const a = await requestJson(this.appUrl(region, "/admin/fence"), {
      method: "POST",
      body: { tenant: t, fenced, timeoutMs: FENCE_DRAIN_MS },
      timeoutMs: FENCE_DRAIN_MS + 2000,
      what,
    });
    if (a.status === 200 && a.json.fenced === fenced) return;
    // 504: the fence is set but writes are still in flight — retrying waits again
    if (a.status === 504) throw new FederationError(`${what}: ${answerError(a)}`, "timeout", true);
    throw new FederationError(`${what}: ${answerError(a)}`, a.status >= 500 ? "protocol" : "refused", a.status >= 500);
  }

  async fencedTenants(): Promise<Array<{ tenant: string; regionId: string }>> {
    const per = await Promise.all(
      this.regionProbes.map(async (p) => {
        const what = `read fences of ${p.lab.id}`;
        const a = await requestJson(this.appUrl(p.lab, "/admin/fences"), { timeoutMs: this.cfg.probeTimeoutMs, what });
        if (a.status !== 200 || !Array.isArray(a.json.fences)) throw new FederationError(`${what}: ${answerError(a)}`, "protocol", a.status >= 500);
        return (a.json.fences as Array<{ tenant: string }>).map((f) => ({ tenant: f.tenant, regionId: p.lab.id }));
      }),
    );
    return per.flat();
  }

  /** Nodes of their own for one operation: a MASTER_GTID_WAIT must not hold a connection the probes share. */
  private async withNodes<T>(region: LabRegion, names: string[] | null, timeoutMs: number, fn: (nodes: MariadbNode[]) => Promise<T>): Promise<T> {
    const nodes = region.mariadb.nodes
      .filter((n) => !names || names.includes(n.name))
      .map(
        (n) =>
          new MariadbNode(
            {
              name: n.name,
              host: region.net.address,
              port: n.port,
              user: this.cfg.mariadb.adminUser,
              password: this.cfg.mariadb.adminPassword,
            },
            timeoutMs,
          ),
      );
    try {
      return await fn(nodes);
    } catch (e) {
      throw toFederationError(e);
    } finally {
      await Promise.allSettled(nodes.map((n) => n.close()));
    }
  }

  /** "mariadb:<region>/<domain>:<gtid>": the region's last transaction in its own GTID domain. */
  async writePosition(regionId: string): Promise<string> {
    const region = this.regionOrThrow(regionId);
    const domain = region.mariadb.gtidDomainId;
    const { gtid } = await this.withNodes(region, null, POSITION_TIMEOUT_MS, (nodes) =>
      regionGtidPosition(nodes, domain, region.mariadb.kind === "galera", `${this.cfg.mariadb.database}.heartbeat`),
    );
    return formatPosition({ regionId, domain, gtid });
  }

  /** MASTER_GTID_WAIT on the node where the source → target replication link applies. */
  async waitForPosition(sourceRegionId: string, targetRegionId: string, position: string, timeoutMs: number): Promise<{ waitedMs: number }> {
    const source = this.regionOrThrow(sourceRegionId);
    const target = this.regionOrThrow(targetRegionId);
    let pos;
    try {
      pos = parsePosition(position);
    } catch (e) {
      throw new FederationError((e as Error).message, "protocol", false);
    }
    if (pos.regionId !== sourceRegionId || pos.domain !== source.mariadb.gtidDomainId)
      throw new FederationError(`position ${position} is not a position of ${sourceRegionId} (domain ${source.mariadb.gtidDomainId})`, "refused", false);
    if (sourceRegionId === targetRegionId || pos.gtid === "") return { waitedMs: 0 };
    const link = this.cfg.crossRegion.links.find((l) => l.from === sourceRegionId && l.to === targetRegionId);
    if (!link) throw new FederationError(`no replication link from ${sourceRegionId} to ${targetRegionId}`, "refused", false);
    return this.withNodes(target, [link.toNode], POSITION_TIMEOUT_MS, async ([node]) => {
      try {
        return await node.waitForGtid(pos.gtid, timeoutMs);
      } catch (e) {
        if (e instanceof ConnectorError && e.code === "timeout")
          throw new FederationError(
            `${targetRegionId} has not applied ${sourceRegionId}'s writes up to ${pos.gtid} within ${timeoutMs} ms (MASTER_GTID_WAIT on ${link.toNode}, replication ${link.connection})`,
            "timeout",
            true,
          );
        throw e;
      }
    });
  }

  /** A real write (POST /records) and a read of it back (GET /records/:id) through HAProxy's frontend. */
  async verifyTenant(tenant: string, expectRegionId: string): Promise<{ ok: boolean; readBy: string | null; writeBy: string | null; error: string | null }> {
    this.regionOrThrow(expectRegionId);
    const t = this.tenantOrThrow(tenant);
    const base = `http://${this.cfg.host}:${this.cfg.router.frontendPort}`;
    const headers = { "x-tenant": t };
    const errors: string[] = [];
    let writeBy: string | null = null;
    let readBy: string | null = null;
    let id: string | null = null;
    try {
      const w = await requestJson(`${base}/records`, {
        method: "POST",
        headers,
        body: { body: `verifyTenant ${t} expecting ${expectRegionId}` },
        timeoutMs: VERIFY_REQUEST_MS,
        what: `write for ${t}`,
      });
      writeBy = w.servedBy;
      if (w.status !== 201) errors.push(`write: ${answerError(w)} from ${w.servedBy ?? "the router"}`);
      else {
        id = typeof w.json.id === "string" ? w.json.id : null;
        if (writeBy !== expectRegionId) errors.push(`write answered by ${writeBy ?? "no region"}, expected ${expectRegionId}`);
      }
    } catch (e) {
      errors.push((e as Error).message);
    }
    try {
      // read back what was just written (read-your-writes in the region); without it, the guideline corpus
      const r = await requestJson(`${base}${id ? `/records/${id}` : "/guidelines"}`, { headers, timeoutMs: VERIFY_REQUEST_MS, what: `read for ${t}` });
      readBy = r.servedBy;
      if (r.status !== 200) errors.push(`read: ${answerError(r)} from ${r.servedBy ?? "the router"}`);
      else if (readBy !== expectRegionId) errors.push(`read answered by ${readBy ?? "no region"}, expected ${expectRegionId}`);
    } catch (e) {
      errors.push((e as Error).message);
    }
    return { ok: errors.length === 0, readBy, writeBy, error: errors.length ? errors.join("; ") : null };
  }

  // ---- failover primitives (F1/F2): ./failover.ts --------------------------------------------

  leasePolicy(): LeasePolicy {
    return this.failover.leasePolicy();
  }
  grantLease(regionId: string, issuedAt: number): Promise<void> {
    return this.failover.grantLease(regionId, issuedAt);
  }
  regionSignals(regionId: string): Promise<RegionSignals> {
    return this.failover.regionSignals(regionId);
  }
  setPeerGrants(regionId: string, enabled: boolean, reason: string): Promise<{ lastIssuedAt: number }> {
    return this.failover.setPeerGrants(regionId, enabled, reason);
  }
  fenceRegion(regionId: string, fenced: boolean, reason: string): Promise<string> {
    return this.failover.fenceRegion(regionId, fenced, reason);
  }
  holdReplication(fromRegionId: string, toRegionId: string, hold: boolean): Promise<string> {
    return this.failover.holdReplication(fromRegionId, toRegionId, hold);
  }
  postgresPrimary(excludeRegionId?: string): Promise<string | null> {
    return this.failover.postgresPrimary(excludeRegionId);
  }
  promotePostgres(regionId: string): Promise<string> {
    return this.failover.promotePostgres(regionId);
  }
  errantTransactions(lostRegionId: string, survivorId: string, sinceMs: number): Promise<ErrantReport> {
    return this.failover.errantTransactions(lostRegionId, survivorId, sinceMs);
  }
  resolveErrant(lostRegionId: string, survivorId: string, decision: "reapply" | "discard", report: ErrantReport): Promise<string> {
    return this.failover.resolveErrant(lostRegionId, survivorId, decision, report);
  }
  replicationProgress(fromRegionId: string, toRegionId: string): Promise<ReplicationProgress> {
    return this.failover.replicationProgress(fromRegionId, toRegionId);
  }
  rejoinPostgres(regionId: string, primaryRegionId: string): Promise<string> {
    return this.failover.rejoinPostgres(regionId, primaryRegionId);
  }

  async close(): Promise<void> {
    await this.failover.close();
    await this.lagWatch.close();
    await Promise.allSettled(this.regionProbes.flatMap((p) => [...p.mariadb.map((m) => m.close()), p.postgres.close()]));
    for (const c of this.s3All.values()) c.close();
  }
}

export async function createLabFederation(opts: { regions: RegionRef[] }): Promise<Federation> {
  const fed = new LabFederation(loadLabConfig(), opts.regions);
  await fed.adoptPgRoles();
  return fed;
}
