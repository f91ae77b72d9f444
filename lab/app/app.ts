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
import { labPath, loadLabConfig, regionOrThrow } from "../../lib/federation/lab/config";
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

// Writes are serialised, each one the whole current set: tmp file, fsync, rename.
let persistChain: Promise<void> = Promise.resolve();
function persistFences(): Promise<void> {
  const run = async () => {
    const tmp = `${fenceFile}.${process.pid}.tmp`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(serializeFences(regionId, gate.list()));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, fenceFile);
  };
  const p = persistChain.then(run, run);
  persistChain = p.catch(() => {});
  return p;
}

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

function shutdown(): void {
  server.close();
  void Promise.allSettled([...pools.map((p) => p.pool.end()), pgPool.end()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
