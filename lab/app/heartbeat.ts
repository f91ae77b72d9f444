// One region's heartbeat writer (pt-heartbeat style), running inside the region's network
// namespace: a region stamps its own heartbeat, so when the region is cut off the others stop
// hearing it, and when it dies its heartbeat stops. Every heartbeatIntervalMs it stamps:
//  - MariaDB: the region's clinical.heartbeat row, on its first reachable node, with SYSDATE(6)
//    (the source's wall clock at execution; NOW(6) would be statement start time and, inside a
//    replica trigger, the source's time);
//  - PostgreSQL: a heartbeat row named after the region's node while it is a primary, clock_timestamp();
// and every canaryIntervalMs the region's S3 canary object (lab-canary/<region>).
// Usage: node heartbeat.mjs <regionId>
// Each MariaDB and PostgreSQL beat is also written, in the same transaction, to a ring of
// LOG_SLOTS rows (heartbeat_log), so a reader on the receiving side sees every beat applied and
// when, not only the newest: after a stall the backlog applies in one burst.
// Lag readers compute now − ts on the receiving side, so lag is visible even when a replica is
// broken (Seconds_Behind_Master is NULL or 0 then).
import mysql from "mysql2/promise";
import pg from "pg";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { loadLabConfig, regionOrThrow } from "../../lib/federation/lab/config";

const cfg = loadLabConfig();
const home = regionOrThrow(cfg, process.argv[2] ?? "");
let stopping = false;

type MyConn = { conn: mysql.Connection | null; node: string | null };
const myConns = new Map<string, MyConn>([[home.id, { conn: null, node: null }]]);
let seq = Date.now();
/** 4,096: ~100 s of beats at 25 ms; a reader polling every 20 ms never laps it. */
const LOG_SLOTS = cfg.heartbeatLogSlots;
const slots = new Map<string, number>();
const nextSlot = (key: string) => {
  const n = ((slots.get(key) ?? -1) + 1) % LOG_SLOTS;
  slots.set(key, n);
  return n;
};

async function mariadbBeat(regionId: string): Promise<void> {
  const region = cfg.regions.find((r) => r.id === regionId)!;
  const state = myConns.get(regionId)!;
  if (!state.conn) {
    for (const n of region.mariadb.nodes) {
      try {
        state.conn = await mysql.createConnection({
          host: region.net.address,
          port: n.port,
          user: cfg.mariadb.heartbeatUser,
          password: cfg.mariadb.heartbeatPassword,
          database: cfg.mariadb.database,
          connectTimeout: 500,
          multipleStatements: true,
        });
        state.conn.on("error", () => {
          state.conn = null;
        });
        state.node = n.name;
        break;
      } catch {
        /* next node */
      }
    }
    if (!state.conn) return;
  }
  try {
    const n = ++seq;
    await state.conn.query(
      {
        sql: [
          "START TRANSACTION",
          "SET @hb_ts = SYSDATE(6)",
          "INSERT INTO heartbeat (region, ts, seq, node) VALUES (?, @hb_ts, ?, ?) ON DUPLICATE KEY UPDATE ts = VALUES(ts), seq = VALUES(seq), node = VALUES(node)",
          "INSERT INTO heartbeat_log (region, slot, seq, ts) VALUES (?, ?, ?, @hb_ts) ON DUPLICATE KEY UPDATE seq = VALUES(seq), ts = VALUES(ts)",
          "COMMIT",
        ].join(";\n"),
        timeout: 1000,
      },
      [regionId, n, state.node, regionId, nextSlot(`mariadb:${regionId}`), n],
    );
  } catch {
    state.conn.destroy();
    state.conn = null;
  }
}

type PgState = { client: pg.Client | null; primary: boolean; checkedAt: number };
const pgStates = new Map<string, PgState>([[home.postgres.name, { client: null, primary: false, checkedAt: 0 }]]);

async function pgBeat(name: string, port: number): Promise<void> {
  const st = pgStates.get(name)!;
  if (!st.client) {
    const c = new pg.Client({
      host: home.net.address,
      port,
      user: cfg.postgres.user,
      password: cfg.postgres.password,
      database: cfg.postgres.database,
      connectionTimeoutMillis: 500,
      statement_timeout: 1000,
    });
    c.on("error", () => {
      st.client = null;
    });
    try {
      await c.connect();
    } catch {
      return;
    }
    st.client = c;
    st.checkedAt = 0;
  }
  try {
    // A node's role changes on promotion / rejoin; re-check it once a second.
    if (Date.now() - st.checkedAt > 1000) {
      const r = await st.client.query("SELECT pg_is_in_recovery() AS rec");
      st.primary = !r.rows[0].rec;
      st.checkedAt = Date.now();
    }
    if (st.primary) {
      await st.client.query(
        `WITH t AS (SELECT clock_timestamp() AS ts),
              beat AS (INSERT INTO heartbeat (node, ts, seq) SELECT $1, ts, $2 FROM t ON CONFLICT (node) DO UPDATE SET ts = EXCLUDED.ts, seq = EXCLUDED.seq)
         INSERT INTO heartbeat_log (node, slot, seq, ts) SELECT $1, $3, $2, ts FROM t ON CONFLICT (node, slot) DO UPDATE SET seq = EXCLUDED.seq, ts = EXCLUDED.ts`,
        [name, ++seq, nextSlot(`pg:${name}`)],
      );
    }
  } catch {
    const c = st.client;
    st.client = null;
    void c?.end().catch(() => {});
  }
}

const s3Clients = new Map(
  [home].map((r) => [
    r.id,
    new S3Client({
      endpoint: `http://${r.net.address}:${r.s3.port}`,
      region: "us-east-1",
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: cfg.s3.accessKeyId, secretAccessKey: cfg.s3.secretAccessKey },
    }),
  ]),
);

async function canaryBeat(): Promise<void> {
  await Promise.allSettled(
    [home].map((r) => {
      const ts = Date.now();
      return s3Clients.get(r.id)!.send(
        new PutObjectCommand({
          Bucket: cfg.s3.canaryBucket,
          Key: `lab-canary/${r.id}`,
          ContentType: "application/json",
          Body: JSON.stringify({ region: r.id, ts, seq: ++seq }),
        }),
        { abortSignal: AbortSignal.timeout(1000) },
      );
    }),
  );
}

// Each loop waits for its own previous beat so a hung server never piles up writes.
function loop(intervalMs: number, beat: () => Promise<void>): void {
  const tick = async (): Promise<void> => {
    const started = Date.now();
    await beat().catch(() => {});
    if (!stopping) setTimeout(() => void tick(), Math.max(0, intervalMs - (Date.now() - started)));
  };
  void tick();
}

loop(cfg.heartbeatIntervalMs, () => mariadbBeat(home.id));
loop(cfg.heartbeatIntervalMs, () => pgBeat(home.postgres.name, home.postgres.port));
loop(cfg.canaryIntervalMs, canaryBeat);
console.log(`heartbeat of ${home.id} every ${cfg.heartbeatIntervalMs} ms, canary every ${cfg.canaryIntervalMs} ms`);

process.on("SIGTERM", () => {
  stopping = true;
  setTimeout(() => process.exit(0), 300);
});
process.on("SIGINT", () => {
  stopping = true;
  setTimeout(() => process.exit(0), 300);
});
