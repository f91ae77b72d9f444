// A region's clinical app server (lab). Writes records for the tenant in X-Tenant to its region's
// MariaDB and answers only after the commit returned, so a 201 is an acknowledged write the
// console must never lose. Usage: node --import tsx lab/app/app.ts <regionId>
import http from "node:http";
import { randomUUID } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { loadLabConfig, regionOrThrow } from "../../lib/federation/lab/config";

const cfg = loadLabConfig();
const regionId = process.argv[2] ?? "";
const region = regionOrThrow(cfg, regionId);

// One small pool per database node; writes go to the first node that answers (Galera makes any
// node writable, so losing galera-1 moves writes to galera-2).
const pools = region.mariadb.nodes.map((n) => ({
  name: n.name,
  pool: mysql.createPool({
    host: cfg.host,
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
  host: cfg.host,
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
  endpoint: `http://${cfg.host}:${region.s3.port}`,
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
      if (!["ECONNREFUSED", "ETIMEDOUT", "PROTOCOL_CONNECTION_LOST", "ECONNRESET", "ER_UNKNOWN_COM_ERROR"].includes(err.code ?? "")
        && !/WSREP has not yet prepared node|not ready/i.test(err.message)) throw e;
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

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const tenant = String(req.headers["x-tenant"] ?? "").toLowerCase();

  if (req.method === "GET" && url.pathname === "/health") {
    const { node } = await onDb((p) => p.query({ sql: "SELECT 1", timeout: 500 }));
    return send(res, 200, { ok: true, region: regionId, node });
  }

  if (req.method === "POST" && url.pathname === "/records") {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(tenant)) return send(res, 400, { error: "X-Tenant header missing or invalid" });
    const body = await readBody(req);
    const id = randomUUID();
    const text = typeof body.body === "string" ? body.body : JSON.stringify(body.body ?? null);
    // autocommit INSERT: the promise resolves after COMMIT (and, in Galera, certification)
    const { node } = await onDb((p, n) =>
      p.execute({ sql: "INSERT INTO records (id, tenant, region, node, body, created_at) VALUES (?, ?, ?, ?, ?, SYSDATE(6))", ...withTimeout }, [id, tenant, regionId, n, text]),
    );
    let attachmentKey: string | null = null;
    if (typeof body.attachment === "string") {
      attachmentKey = `${tenant}/${id}.txt`;
      await s3.send(new PutObjectCommand({ Bucket: cfg.s3.buckets[0], Key: attachmentKey, Body: body.attachment }));
    }
    return send(res, 201, { id, tenant, region: regionId, node, attachmentKey });
  }

  const m = /^\/records\/([0-9a-f-]{36})$/.exec(url.pathname);
  if (req.method === "GET" && m) {
    const { value, node } = await onDb((p) => p.execute({ sql: "SELECT id, tenant, region, node, body, created_at FROM records WHERE id = ?", ...withTimeout }, [m[1]]));
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
server.listen(region.appPort, cfg.host, () => {
  console.log(`app ${regionId} listening on ${cfg.host}:${region.appPort}`);
});

function shutdown(): void {
  server.close();
  void Promise.allSettled([...pools.map((p) => p.pool.end()), pgPool.end()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
