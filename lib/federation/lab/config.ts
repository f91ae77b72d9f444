// The lab's single configuration file (lab/lab.config.json), validated. The bash scripts read the
// same file with jq, so a port changed there changes everywhere. LAB_CONFIG overrides the path.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { checkPolicy, DEFAULT_LEASE_POLICY } from "../../failover/lease";

const port = z.number().int().min(0).max(65535);

const mariadbNode = z.object({
  name: z.string().min(1),
  port,
  wsrepPort: port,
  istPort: port,
  sstPort: port,
});

const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, "an IPv4 address");

/** A region's network namespace and addresses (private, inside the lab's own namespaces). */
const regionNet = z.object({
  netns: z.string().regex(/^[a-z0-9-]{1,15}$/, "a namespace name of at most 15 lower-case letters, digits or dashes"),
  /** The region's address on its uplink: where the console and HAProxy reach its servers. */
  address: ipv4,
  /** The host's end of the uplink. */
  hostAddress: ipv4,
  /** The region's address on the inter-region link: where the other region's replicas reach it. */
  interAddress: ipv4,
  prefix: z.number().int().min(8).max(30),
});

const region = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  backend: z.string().min(1),
  net: regionNet,
  appServer: z.string().min(1),
  appPort: port,
  mariadb: z.object({
    kind: z.enum(["galera", "single"]),
    name: z.string(),
    gtidDomainId: z.number().int().min(0),
    serverId: z.number().int().min(1),
    nodes: z.array(mariadbNode).min(1),
  }),
  postgres: z.object({ name: z.string(), port, role: z.enum(["primary", "replica"]) }),
  s3: z.object({ name: z.string(), port }),
  inference: z.object({
    name: z.string(),
    port,
    gpuMetricsPort: port,
    gpus: z.number().int().min(1).max(16),
    model: z.string(),
  }),
});

export const labConfigSchema = z.object({
  /** The host's own loopback address: HAProxy's frontend and stats page. */
  host: z.string(),
  network: z.object({
    /** The two regions joined by the inter-region link (a veth pair between their namespaces). */
    interLink: z.object({ a: z.string(), b: z.string(), prefix: z.number().int().min(8).max(30) }),
    /** Every address of the lab's links (PostgreSQL's pg_hba.conf). */
    cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "a CIDR block"),
    /** MariaDB user host pattern that matches the lab's addresses (host ends, regions, inter link). */
    userHostPattern: z.string().min(1),
  }),
  dataDir: z.string(),
  heartbeatIntervalMs: z.number().int().min(10).max(5000),
  /** the ring of heartbeats (heartbeat_log): rows per region, pre-filled by lab/up */
  heartbeatLogSlots: z.number().int().min(64).max(65_536),
  /** How often the console reads each replica's heartbeat log (per-heartbeat apply times). */
  lagPollMs: z.number().int().min(5).max(1000).default(20),
  canaryIntervalMs: z.number().int().min(100),
  /** How often the console reads each region's copy of the other regions' canaries. */
  canaryPollMs: z.number().int().min(50).max(5000).default(200),
  lagDegradedMs: z.number().int().min(1),
  probeTimeoutMs: z.number().int().min(50),
  router: z.object({
    frontendPort: port,
    statsPort: port,
    socket: z.string(),
    mapFile: z.string(),
    defaultBackend: z.string(),
    checkInterMs: z.number().int().min(100),
  }),
  mariadb: z.object({
    adminUser: z.string(),
    adminPassword: z.string(),
    appUser: z.string(),
    appPassword: z.string(),
    replUser: z.string(),
    replPassword: z.string(),
    heartbeatUser: z.string(),
    heartbeatPassword: z.string(),
    database: z.string(),
    semiSync: z.boolean(),
    /** innodb_flush_log_at_trx_commit=1 and sync_binlog=1 (false: 2 and 0) */
    durableCommits: z.boolean(),
  }),
  postgres: z.object({
    bin: z.string(),
    osUser: z.string(),
    user: z.string(),
    password: z.string(),
    database: z.string(),
  }),
  s3: z.object({
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
    buckets: z.array(z.string()).min(1),
    canaryBucket: z.string(),
    replicatorPort: port,
    /** The region whose namespace runs the replicator (it reaches the other regions over the inter-region link). */
    replicatorRegion: z.string(),
    replicatorIntervalMs: z.number().int().min(50),
  }),
  /** F2: write leases (lib/failover/lease.ts). Each region's app enforces them; the console waits them out before promoting. */
  leases: z
    .object({ lengthMs: z.number().int().min(100), skewMarginMs: z.number().int().min(0), renewEveryMs: z.number().int().min(50) })
    .default(DEFAULT_LEASE_POLICY),
  regions: z.array(region).min(1),
  crossRegion: z.object({
    links: z.array(z.object({ from: z.string(), fromNode: z.string(), to: z.string(), toNode: z.string(), connection: z.string() })),
  }),
  seedRoutes: z.record(z.string(), z.string()),
});

export type LabConfig = z.infer<typeof labConfigSchema>;
export type LabRegion = LabConfig["regions"][number];
export type LabMariadbNode = LabRegion["mariadb"]["nodes"][number];

/** Repo root: three levels above this file, unless set (the lab runs this file bundled elsewhere). */
export const REPO_ROOT = process.env.LAB_REPO_ROOT
  ? path.resolve(process.env.LAB_REPO_ROOT)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function labConfigPath(): string {
  return process.env.LAB_CONFIG ? path.resolve(process.env.LAB_CONFIG) : path.join(REPO_ROOT, "lab", "lab.config.json");
}

/** Relative paths in the config are relative to the repo root (as in the bash scripts). */
export function labPath(p: string): string {
  return path.isAbsolute(p) ? p : path.join(REPO_ROOT, p);
}

export function loadLabConfig(file = labConfigPath()): LabConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`lab config ${file} unreadable: ${(e as Error).message}`);
  }
  const parsed = labConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`lab config ${file} invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const cfg = parsed.data;
  const ids = new Set(cfg.regions.map((r) => r.id));
  for (const [t, r] of Object.entries(cfg.seedRoutes)) {
    if (!ids.has(r)) throw new Error(`lab config ${file}: seed route ${t} → unknown region ${r}`);
  }
  const { a, b } = cfg.network.interLink;
  if (cfg.regions.length !== 2 || !ids.has(a) || !ids.has(b) || a === b)
    throw new Error(`lab config ${file}: the inter-region link joins exactly the lab's two regions (${[...ids].join(", ")}), not ${a} and ${b}`);
  if (!ids.has(cfg.s3.replicatorRegion)) throw new Error(`lab config ${file}: s3.replicatorRegion ${cfg.s3.replicatorRegion} is not a region`);
  const addresses = cfg.regions.flatMap((r) => [r.net.address, r.net.hostAddress, r.net.interAddress]);
  if (new Set(addresses).size !== addresses.length) throw new Error(`lab config ${file}: the regions' addresses must all differ`);
  if (new Set(cfg.regions.map((r) => r.net.netns)).size !== cfg.regions.length) throw new Error(`lab config ${file}: each region needs its own namespace`);
  const leaseProblem = checkPolicy(cfg.leases);
  if (leaseProblem) throw new Error(`lab config ${file}: leases: ${leaseProblem}`);
  return cfg;
}

/** Where the console and HAProxy (on the host) reach a region's servers: its uplink address. */
export function regionAddress(cfg: LabConfig, regionId: string): string {
  return regionOrThrow(cfg, regionId).net.address;
}

/** The region whose namespace runs the S3 replicator, and the address of its metrics. */
export function replicatorAddress(cfg: LabConfig): string {
  return regionAddress(cfg, cfg.s3.replicatorRegion);
}

/** The region at the other end of the inter-region link. */
export function peerOf(cfg: LabConfig, regionId: string): LabRegion {
  const { a, b } = cfg.network.interLink;
  if (regionId !== a && regionId !== b) throw new Error(`region ${regionId} is not on the inter-region link`);
  return regionOrThrow(cfg, regionId === a ? b : a);
}

/** The region a MariaDB node belongs to. */
export function regionOfNode(cfg: LabConfig, nodeName: string): LabRegion {
  const r = cfg.regions.find((x) => x.mariadb.nodes.some((n) => n.name === nodeName) || x.postgres.name === nodeName);
  if (!r) throw new Error(`node ${nodeName} is not in the lab config`);
  return r;
}

export function regionOrThrow(cfg: LabConfig, id: string): LabRegion {
  const r = cfg.regions.find((x) => x.id === id);
  if (!r) throw new Error(`region ${id} is not in the lab config`);
  return r;
}
