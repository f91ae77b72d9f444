// The `lab` federation: the real servers started by lab/up on this machine, reached through the
// connectors in lib/connectors (the same code would talk to a real federation).
import { ConnectorError } from "@/lib/connectors/errors";
import { HaproxyRouter, routerComponent, type RouterRegionView } from "@/lib/connectors/haproxy/adapter";
import type { ServerState, StatRow } from "@/lib/connectors/haproxy/types";
import { MariadbNode, clusterHealth } from "@/lib/connectors/mariadb/adapter";
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
import { labPath, loadLabConfig, type LabConfig, type LabRegion } from "./config";

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
      fn().catch((e: unknown): ComponentHealth => ({ kind, name, status: "unknown", reason: `probe failed: ${(e as Error).message}`, figures: [], measuredAt: Date.now() })),
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
    const mapFile = labPath(cfg.router.mapFile);
    this.router = new HaproxyRouter({ runtime: { socketPath: labPath(cfg.router.socket) }, mapName: mapFile, mapFile, timeoutMs: t });
    const s3Of = new Map(cfg.regions.map((r) => [r.id, new ObjectStoreClient({
      name: r.s3.name, url: `http://${cfg.host}:${r.s3.port}`, accessKeyId: cfg.s3.accessKeyId, secretAccessKey: cfg.s3.secretAccessKey,
    }, t)]));
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
          serverRefs: cfg.regions.map((r) => ({ backend: r.backend, server: lab.appServer })),
        },
        mariadb: lab.mariadb.nodes.map((n) => new MariadbNode({
          name: n.name, host: cfg.host, port: n.port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword,
        }, t)),
        postgres: new PostgresNode({
          name: lab.postgres.name, host: cfg.host, port: lab.postgres.port, user: cfg.postgres.user, password: cfg.postgres.password, database: cfg.postgres.database,
        }, t),
        s3: s3Of.get(lab.id)!,
        inference: new InferenceProbe(
          lab.inference.name,
          new VllmClient(`http://${cfg.host}:${lab.inference.port}`, t),
          new GpuClient({ dcgmUrl: `http://${cfg.host}:${lab.inference.gpuMetricsPort}/metrics` }, t),
        ),
      });
    }
    this.s3All = s3Of;
  }
  private readonly s3All: Map<string, ObjectStoreClient>;

  probes(): ComponentProbe[] {
    const t = this.cfg.probeTimeoutMs;
    const out: ComponentProbe[] = [];
    for (const p of this.regionProbes) {
      const inbound = this.cfg.crossRegion.links.filter((l) => l.to === p.lab.id).map((l) => ({ node: l.toNode, connection: l.connection }));
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
            return { kind: "router", name: "HAProxy", status: "down", reason: `HAProxy runtime API unreachable: ${(failed.reason as Error).message}`, figures: [], measuredAt: Date.now() };
          const r = routerComponent(
            "HAProxy",
            p.view,
            (stats as PromiseFulfilledResult<StatRow[]>).value,
            (states as PromiseFulfilledResult<ServerState[]>).value,
            (routes as PromiseFulfilledResult<Record<string, string>>).value,
            Date.now(),
          );
          return { ...r.health, figures: [...r.health.figures, { key: "marked_down", label: "Marked down: servers in maintenance (1 = yes)", value: r.markedDown ? 1 : 0, unit: "" }] };
        }),
        probe("galera", p.lab.mariadb.name, 2 * t + 200, async () => {
          const r = await clusterHealth({
            name: p.lab.mariadb.name, regionId: p.lab.id, galera: p.lab.mariadb.kind === "galera", nodes: p.mariadb,
            heartbeatTable: `${this.cfg.mariadb.database}.heartbeat`, inboundLinks: inbound, lagDegradedMs: this.cfg.lagDegradedMs,
          });
          return r.health;
        }),
        probe("postgres", "PostgreSQL", 2 * t + 200, async () =>
          (await postgresHealth({ name: "PostgreSQL", node: p.postgres, expectedRole: p.lab.postgres.role, lagDegradedMs: this.cfg.lagDegradedMs })).health),
        probe("object_store", "Object store (s3rver stand-in for MinIO)", 2 * t + 200, () => objectStoreHealth({
          name: "Object store (s3rver stand-in for MinIO)", regionId: p.lab.id, local: p.s3, peers, canaryBucket: this.cfg.s3.canaryBucket,
          canaryPrefix: "lab-canary/", canaryIntervalMs: this.cfg.canaryIntervalMs,
          replicationMetricsUrl: `http://${this.cfg.host}:${this.cfg.s3.replicatorPort}/metrics`, lagDegradedMs: Math.max(this.cfg.lagDegradedMs, 2 * this.cfg.canaryIntervalMs), timeoutMs: t,
        })),
        probe("inference", "Inference (vLLM stand-in)", t + 200, async () => {
          const h = (await p.inference.health()).health;
          return { ...h, name: `Inference (vLLM stand-in ${h.name})` };
        }),
      );
    }
    return out;
  }

  async readHealth(): Promise<RegionHealth[]> {
    const regions = await sampleOnce(this.regionProbes.map((p) => p.ref), this.probes());
    for (const ref of this.unconfigured) {
      regions.push({
        regionId: ref.id, name: ref.name, status: "unknown", reasons: [`region ${ref.id} is not in the lab config`], components: [],
        figures: { replicationLagMs: null, gpuUtilPct: null, requestsPerSec: null, tenantsServed: 0 }, markedDown: false, measuredAt: Date.now(),
      });
    }
    return regions;
  }

  /** M4: a real request for the tenant through HAProxy's frontend (a read of the region's guideline corpus). */
  async probeTenant(tenant: string): Promise<TenantProbe> {
    const url = `http://${this.cfg.host}:${this.cfg.router.frontendPort}/guidelines`;
    const started = performance.now();
    try {
      const res = await fetch(url, { headers: { "x-tenant": tenant }, signal: AbortSignal.timeout(this.cfg.probeTimeoutMs) });
      await res.arrayBuffer();
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const servedBy = res.headers.get("x-served-by-region");
      return { tenant, ok: res.ok, servedBy, latencyMs, error: res.ok ? null : `HTTP ${res.status} from ${servedBy ?? "the router"}`, measuredAt: Date.now() };
    } catch (e) {
      const err = e as Error;
      const error = err.name === "TimeoutError" ? `no answer within ${this.cfg.probeTimeoutMs} ms` : `request failed: ${err.message}`;
      return { tenant, ok: false, servedBy: null, latencyMs: null, error, measuredAt: Date.now() };
    }
  }

  private regionOrThrow(regionId: string): LabRegion {
    const r = this.regionProbes.find((p) => p.lab.id === regionId);
    if (!r) throw new FederationError(`unknown region "${regionId}" (lab regions: ${this.regionProbes.map((p) => p.lab.id).join(", ")})`, "unknown_region", false);
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

  /** Maintenance on the region's app server in every backend (its own and where it is backup). */
  async setRegionDown(regionId: string, down: boolean): Promise<void> {
    const region = this.regionOrThrow(regionId);
    try {
      for (const r of this.cfg.regions) await this.router.setServerState(r.backend, region.appServer, down ? "maint" : "ready");
    } catch (e) {
      throw toFederationError(e);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.regionProbes.flatMap((p) => [...p.mariadb.map((m) => m.close()), p.postgres.close()]));
    for (const c of this.s3All.values()) c.close();
  }
}

export async function createLabFederation(opts: { regions: RegionRef[] }): Promise<Federation> {
  return new LabFederation(loadLabConfig(), opts.regions);
}
