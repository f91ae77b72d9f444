// A region's clinical app server (lab). Writes records for the tenant in X-Tenant to its region's
// MariaDB and answers only after the commit returned, so a 201 is an acknowledged write the
// console must never lose. Usage: node --import tsx lab/app/app.ts <regionId>
import http from "node:http";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import path from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { labPath, loadLabConfig, peerOf, regionOrThrow } from "../../lib/federation/lab/config";
import { WriteLease, type LeaseView } from "../../lib/failover/lease";
import { DrainTimeoutError, TenantWriteGate, fenceFilePath, isTenantSlug, parseFences, serializeFences } from "../../lib/federation/lab/write-gate";

const cfg = loadLabConfig();
const regionId = process.argv[2] ?? "";
const region = regionOrThrow(cfg, regionId);

// ---- per-tenant write fences (a move in progress) ---------------------------------------------
// Persisted in a file of this region only (see fenceFilePath): a fence must survive a restart of
// this app and must never travel to the other region. An unreadable file stops the start: running
// without a fence that was set could acknowledge writes a move is no longer waiting for.
const fenceFile = fenceFilePath(labPath(cfg.dataDir), regionId);
mkdirSync(path.dirname(fenceFile), { recursive: true });
const gate = new TenantWriteGate(loadFences());

function loadFences() {
  let text: string;
  try {
    text = readFileSync(fenceFile, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return [];
    throw e;
  }
  try {
    return parseFences(text, regionId);
  } catch (e) {
    console.error(`app ${regionId}: refusing to start, fence file ${fenceFile} unusable: ${(e as Error).message}`);
    process.exit(1);
  }
}

/** Writes to `file` serialised, each one the whole current state: tmp file, fsync, rename. */
function durableWriter(file: string, text: () => string): () => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return () => {
    const run = async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(text());
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    };
    const p = chain.then(run, run);
    chain = p.catch(() => {});
    return p;
  };
}
const persistFences = durableWriter(fenceFile, () => serializeFences(regionId, gate.list()));

// ---- write lease (F2) -----------------------------------------------------------------------------
// Writes are acknowledged only while this region holds a lease, renewed by the console
// (POST /admin/lease) or by the other region's app (POST /peer/lease over the inter-region link).
// The console's region fence and whether this app grants leases to the other region survive a
// restart (a file of this region only), so a region the console failed over never comes back
// writable on its own, and a survivor never resumes granting to a region it was told to give up.
const peer = peerOf(cfg, regionId);
const leaseFile = path.join(path.dirname(fenceFile), `lease-${regionId}.json`);
interface LeaseState {
  fence: LeaseView["fenced"];
  peerGrants: { enabled: boolean; reason: string | null; since: number };
}
const leaseState: LeaseState = loadLeaseState();
const lease = new WriteLease(cfg.leases, leaseState.fence);
const persistLease = durableWriter(leaseFile, () => JSON.stringify({ region: regionId, ...leaseState, fence: lease.fenced }, null, 2));
/** What this app has done granting leases to the other region (the console reads it before promoting). */
const peerGrant = { lastIssuedAt: 0, lastOkAt: 0, lastError: null as string | null };

function loadLeaseState(): LeaseState {
  const fresh: LeaseState = { fence: null, peerGrants: { enabled: true, reason: null, since: Date.now() } };
  let text: string;
  try {
    text = readFileSync(leaseFile, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return fresh;
    throw e;
  }
  try {
    const j = JSON.parse(text) as Partial<LeaseState> & { region?: string };
    if (j.region !== regionId) throw new Error(`written for region ${j.region}`);
    return { fence: j.fence ?? null, peerGrants: j.peerGrants ?? fresh.peerGrants };
  } catch (e) {
    console.error(`app ${regionId}: refusing to start, lease file ${leaseFile} unusable: ${(e as Error).message}`);
    process.exit(1);
  }
}

/**
 * Grants the other region's app a lease while it answers over the inter-region link. After a grant
 * that failed, no grant is sent until a plain ping is answered again: the last grant that may have
 * arrived is then the failed one, so the other region's lease ends at most one lease after it (the
 * console counts on that before it promotes anyone).
 */
let peerSilent = false;
async function grantPeer(): Promise<void> {
  if (!leaseState.peerGrants.enabled) return;
  const peerUrl = `http://${peer.net.interAddress}:${peer.appPort}`;
  if (peerSilent) {
    try {
      const res = await fetch(`${peerUrl}/peer/ping`, { method: "POST", signal: AbortSignal.timeout(cfg.leases.renewEveryMs) });
      await res.arrayBuffer();
      if (!res.ok) return;
      peerSilent = false;
    } catch {
      return;
    }
  }
  // recorded before it is sent: a grant that timed out may still have arrived
  const issuedAt = Date.now();
  peerGrant.lastIssuedAt = issuedAt;
  peerSilent = true; // until it is answered
  try {
    const res = await fetch(`http://${peer.net.interAddress}:${peer.appPort}/peer/lease`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: regionId, issuedAt, validMs: cfg.leases.lengthMs }),
      signal: AbortSignal.timeout(cfg.leases.renewEveryMs),
    });
    const j = (await res.json()) as { error?: string };
    if (res.ok) {
      peerGrant.lastOkAt = Date.now();
      peerGrant.lastError = null;
      peerSilent = false;
    } else peerGrant.lastError = `HTTP ${res.status}: ${j.error ?? ""}`;
  } catch (e) {
    peerGrant.lastError = (e as Error).name === "TimeoutError" ? `no answer within ${cfg.leases.renewEveryMs} ms` : (e as Error).message;
  }
}
setInterval(() => void grantPeer(), cfg.leases.renewEveryMs).unref();

// The console runs on the host: it reaches this app over the region's uplink, from the host's end of
// it. Loopback inside the region's namespace is allowed too (the region's own tools).
const ADMIN_CALLERS = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1", region.net.hostAddress, `::ffff:${region.net.hostAddress}`]);
/** The admin API answers only the host (the console) and callers that did not come through HAProxy's frontend (it stamps every request). */
function adminAllowed(req: http.IncomingMessage): string | null {
  if (!ADMIN_CALLERS.has(req.socket.remoteAddress ?? "")) return "admin API: the console's host only";
  if (req.headers["x-lab-via-router"] !== undefined) return "admin API: not reachable through the router";
  return null;
}

// One small pool per database node; writes go to the first node that answers (Galera makes any
// node writable, so losing galera-1 moves writes to galera-2).
const pools = region.mariadb.nodes.map((n) => ({
  name: n.name,
  pool: mysql.createPool({
    host: region.net.address,
    port: n.port,
    user: cfg.mariadb.appUser,
    password: cfg.mariadb.appPassword,
    database: cfg.mariadb.database,
    connectionLimit: 8,
    connectTimeout: 1000,
    dateStrings: true,
  }),
}));

const pgPool = new pg.Pool({
  host: region.net.address,
  port: region.postgres.port,
  user: cfg.postgres.user,
  password: cfg.postgres.password,
  database: cfg.postgres.database,
  max: 4,
  connectionTimeoutMillis: 1000,
  statement_timeout: 2000,
});
pgPool.on("error", () => {}); // idle client lost (server restarted): the pool reconnects

const s3 = new S3Client({
  endpoint: `http://${region.net.address}:${region.s3.port}`,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: cfg.s3.accessKeyId, secretAccessKey: cfg.s3.secretAccessKey },
  maxAttempts: 1,
});

async function onDb<T>(fn: (conn: mysql.Pool, node: string) => Promise<T>): Promise<{ value: T; node: string }> {
  const errors: string[] = [];
  for (const p of pools) {
    try {
      return { value: await fn(p.pool, p.name), node: p.name };
    } catch (e) {
      const err = e as { code?: string; message: string };
      // Only connection failures move on to the next node; a failed statement is an answer.
      if (
        !["ECONNREFUSED", "ETIMEDOUT", "PROTOCOL_CONNECTION_LOST", "ECONNRESET", "ER_UNKNOWN_COM_ERROR"].includes(err.code ?? "") &&
        !/WSREP has not yet prepared node|not ready/i.test(err.message)
      )
        throw e;
      errors.push(`${p.name}: ${err.code ?? err.message}`);
    }
  }
  throw Object.assign(new Error(`no database node reachable (${errors.join("; ")})`), { status: 503 });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-served-by-region": regionId,
  });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return {};
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
}

const withTimeout = { timeout: 3000 };

const FENCE_DRAIN_DEFAULT_MS = 5000;
const FENCE_DRAIN_MAX_MS = 60_000;
const MAX_WRITE_DELAY_MS = 5000;

async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> {
  const refused = adminAllowed(req);
  if (refused) return send(res, 403, { error: refused });
  if (req.method === "GET" && rawPath === "/admin/lease") {
    return send(res, 200, { region: regionId, lease: lease.view(), peerGrants: { ...leaseState.peerGrants, peer: peer.id, ...peerGrant } });
  }
  if (req.method === "POST" && rawPath === "/admin/lease") {
    const body = await readBody(req);
    const answer = lease.accept({ from: "console", issuedAt: Number(body.issuedAt), validMs: Number(body.validMs) });
    if (!answer.ok) return send(res, 409, { error: answer.reason, region: regionId, lease: lease.view() });
    return send(res, 200, { region: regionId, lease: lease.view() });
  }
  if (req.method === "POST" && rawPath === "/admin/region-fence") {
    const body = await readBody(req);
    if (typeof body.fenced !== "boolean") return send(res, 400, { error: "fenced must be true or false" });
    if (body.fenced) {
      const reason = typeof body.reason === "string" && body.reason.trim() ? body.reason.trim().slice(0, 500) : "";
      if (!reason) return send(res, 400, { error: "a region fence needs a reason" });
      lease.setFence(reason);
    } else lease.unfence();
    await persistLease();
    console.log(`app ${regionId}: region ${body.fenced ? "fenced" : "unfenced"} by the console`);
    // No drain needed: a write in flight is acknowledged only if the lease holds when its commit
    // returns, and a fenced region holds none; the answer comes at once.
    return send(res, 200, { region: regionId, lease: lease.view() });
  }
  if (req.method === "POST" && rawPath === "/admin/peer-grants") {
    const body = await readBody(req);
    if (typeof body.enabled !== "boolean") return send(res, 400, { error: "enabled must be true or false" });
    leaseState.peerGrants = { enabled: body.enabled, reason: typeof body.reason === "string" ? body.reason.slice(0, 500) : null, since: Date.now() };
    await persistLease();
    console.log(`app ${regionId}: lease grants to ${peer.id} ${body.enabled ? "resumed" : "stopped"}`);
    return send(res, 200, { region: regionId, peerGrants: { ...leaseState.peerGrants, peer: peer.id, ...peerGrant } });
  }
  if (req.method === "GET" && rawPath === "/admin/fences") {
    return send(res, 200, { region: regionId, fences: gate.list(), inFlight: gate.inFlightCounts() });
  }
  if (req.method === "POST" && rawPath === "/admin/fence") {
    const body = await readBody(req);
    const tenant = typeof body.tenant === "string" ? body.tenant.toLowerCase() : "";
    if (!isTenantSlug(tenant)) return send(res, 400, { error: "tenant missing or invalid" });
    if (typeof body.fenced !== "boolean") return send(res, 400, { error: "fenced must be true or false" });
    const drainMs = Math.min(FENCE_DRAIN_MAX_MS, Math.max(1, Number(body.timeoutMs ?? FENCE_DRAIN_DEFAULT_MS) || FENCE_DRAIN_DEFAULT_MS));
    const fenced = body.fenced;
    // in memory first: from this instant new writes of the tenant are refused
    const changed = gate.set(tenant, fenced);
    try {
      await persistFences();
    } catch (e) {
      return send(res, 500, {
        error: `fence ${fenced ? "set" : "lifted"} in memory but not persisted to ${fenceFile}: ${(e as Error).message}`,
        tenant,
        region: regionId,
      });
    }
    if (changed) console.log(`app ${regionId}: tenant ${tenant} ${fenced ? "fenced" : "unfenced"}`);
    if (!fenced) return send(res, 200, { tenant, region: regionId, fenced: false, changed, waitedMs: 0 });
    try {
      const { waitedMs } = await gate.drain(tenant, drainMs);
      return send(res, 200, { tenant, region: regionId, fenced: true, changed, waitedMs });
    } catch (e) {
      if (e instanceof DrainTimeoutError) return send(res, 504, { error: e.message, tenant, region: regionId, fenced: true, inFlight: e.inFlight });
      throw e;
    }
  }
  return send(res, 404, { error: "no such admin route" });
}

/** One write: autocommit INSERT, or (lab test hook `delayMs`) a transaction held open that long before COMMIT. */
async function insertRecord(id: string, tenant: string, text: string, delayMs: number): Promise<string> {
  const sql = "INSERT INTO records (id, tenant, region, node, body, created_at) VALUES (?, ?, ?, ?, ?, SYSDATE(6))";
  if (delayMs <= 0) {
    // autocommit INSERT: the promise resolves after COMMIT (and, in Galera, certification)
    return (await onDb((p, n) => p.execute({ sql, ...withTimeout }, [id, tenant, regionId, n, text]))).node;
  }
  const { node } = await onDb(async (p, n) => {
    const conn = await p.getConnection();
    try {
      await conn.beginTransaction();
      await conn.execute({ sql, ...withTimeout }, [id, tenant, regionId, n, text]);
      await conn.query({ sql: "DO SLEEP(?)", timeout: delayMs + 3000 }, [delayMs / 1000]);
      await conn.commit();
    } catch (e) {
      conn.destroy(); // never hand back a connection in an unknown transaction state
      throw e;
    }
    conn.release();
  });
  return node;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const rawPath = (req.url ?? "/").split("?")[0];
  if (rawPath.toLowerCase().includes("/admin")) return handleAdmin(req, res, rawPath);
  const url = new URL(req.url ?? "/", "http://x");
  const tenant = String(req.headers["x-tenant"] ?? "").toLowerCase();

  if (req.method === "GET" && url.pathname === "/health") {
    const { node } = await onDb((p) => p.query({ sql: "SELECT 1", timeout: 500 }));
    return send(res, 200, { ok: true, region: regionId, node });
  }

  if (req.method === "POST" && url.pathname === "/records") {
    if (!isTenantSlug(tenant)) return send(res, 400, { error: "X-Tenant header missing or invalid" });
    // Admission is checked and counted before the first await (see TenantWriteGate).
    const release = gate.enter(tenant);
    if (!release) {
      return send(res, 503, { error: `tenant ${tenant} is fenced in region ${regionId}: a move is in progress`, fenced: true, tenant, region: regionId });
    }
    const noLease = lease.refusal(regionId);
    if (noLease) {
      release();
      return send(res, 503, { error: noLease, lease: false, tenant, region: regionId });
    }
    // In flight until both the database work has settled and the answer has left (or the client
    // went away): a fence that resolved can then no longer be followed by a commit or a 201.
    let pending = 2;
    const done = () => {
      if (--pending === 0) release();
    };
    res.once("close", done);
    try {
      const body = await readBody(req);
      const id = randomUUID();
      const text = typeof body.body === "string" ? body.body : JSON.stringify(body.body ?? null);
      const delayMs = Math.min(MAX_WRITE_DELAY_MS, Math.max(0, Number(body.delayMs ?? 0) || 0));
      const node = await insertRecord(id, tenant, text, delayMs);
      let attachmentKey: string | null = null;
      if (typeof body.attachment === "string") {
        attachmentKey = `${tenant}/${id}.txt`;
        await s3.send(new PutObjectCommand({ Bucket: cfg.s3.buckets[0], Key: attachmentKey, Body: body.attachment }));
      }
      // Acknowledged only if the lease still held when the commit returned: after it ran out another
      // region may have been promoted, and this write may never reach it (an errant transaction).
      if (!lease.holds())
        return send(res, 503, {
          error: `${lease.refusal(regionId)}; this write committed locally as the lease ended and is NOT acknowledged`,
          lease: false,
          acknowledged: false,
          id,
          tenant,
          region: regionId,
        });
      return send(res, 201, { id, tenant, region: regionId, node, attachmentKey });
    } finally {
      done();
    }
  }

  const m = /^\/records\/([0-9a-f-]{36})$/.exec(url.pathname);
  if (req.method === "GET" && m) {
    const { value, node } = await onDb((p) =>
      p.execute({ sql: "SELECT id, tenant, region, node, body, created_at FROM records WHERE id = ?", ...withTimeout }, [m[1]]),
    );
    const rows = value[0] as Record<string, unknown>[];
    if (rows.length === 0) return send(res, 404, { error: "not found", id: m[1], readFrom: node });
    return send(res, 200, { ...rows[0], readFrom: node, servedBy: regionId });
  }

  if (req.method === "GET" && url.pathname === "/guidelines") {
    const limit = Math.min(50, Math.max(1, Number(url.searchParams.get("limit") ?? 5) || 5));
    const r = await pgPool.query("SELECT id, source, title, body FROM guideline_chunks ORDER BY id LIMIT $1", [limit]);
    const rec = await pgPool.query("SELECT pg_is_in_recovery() AS replica");
    return send(res, 200, { region: regionId, fromReplica: rec.rows[0].replica, chunks: r.rows });
  }

  return send(res, 404, { error: "no such route" });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e: unknown) => {
    const err = e as { status?: number; code?: string; message: string };
    // read_only (fenced region) and unreachable databases are "try elsewhere", not bugs
    const status = err.status ?? (err.code === "ER_OPTION_PREVENTS_STATEMENT" ? 503 : 500);
    if (!res.headersSent) send(res, status, { error: err.message, code: err.code ?? null, region: regionId });
  });
});
server.keepAliveTimeout = 5000;
server.listen(region.appPort, region.net.address, () => {
  console.log(`app ${regionId} listening on ${region.net.address}:${region.appPort}`);
});

// The other region's app reaches this one over the inter-region link: lease grants only.
const peerServer = http.createServer((req, res) => {
  void (async () => {
    const from = req.socket.remoteAddress ?? "";
    if (from !== peer.net.interAddress && from !== `::ffff:${peer.net.interAddress}`) return send(res, 403, { error: "peer API: the other region's app only" });
    if (req.method === "POST" && req.url === "/peer/ping") return send(res, 200, { region: regionId });
    if (req.method !== "POST" || req.url !== "/peer/lease") return send(res, 404, { error: "no such peer route" });
    const body = await readBody(req);
    const answer = lease.accept({ from: peer.id, issuedAt: Number(body.issuedAt), validMs: Number(body.validMs) });
    return answer.ok ? send(res, 200, { region: regionId, until: answer.until }) : send(res, 409, { error: answer.reason, region: regionId });
  })().catch((e: unknown) => {
    if (!res.headersSent) send(res, 400, { error: (e as Error).message });
  });
});
peerServer.keepAliveTimeout = 5000;
peerServer.listen(region.appPort, region.net.interAddress);

function shutdown(): void {
  server.close();
  peerServer.close();
  void Promise.allSettled([...pools.map((p) => p.pool.end()), pgPool.end()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
