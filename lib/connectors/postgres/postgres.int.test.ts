// Against the running lab: streaming state, heartbeat lag that follows an injected replay pause,
// promotion of the replica and rejoin of the old primary with pg_rewind — twice, so the lab ends
// in its original topology (pg-kl primary, pg-cy replica). Order matters inside this file.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labPath } from "@/lib/federation/lab/config";
import { cfg, requireLab, sleep, waitFor } from "@/lib/federation/lab/testing";
import { PostgresClient } from "./client";
import { PostgresNode, postgresHealth } from "./adapter";
import { rejoinAsReplica } from "./rewind";

const kl = cfg.regions.find((r) => r.id === "kl_dc_1")!;
const cy = cfg.regions.find((r) => r.id === "cyberjaya_1")!;
const ep = (r: typeof kl) => ({
  name: r.postgres.name,
  host: r.net.address,
  port: r.postgres.port,
  user: cfg.postgres.user,
  password: cfg.postgres.password,
  database: cfg.postgres.database,
});
const pgKl = new PostgresNode(ep(kl));
const pgCy = new PostgresNode(ep(cy));
// pg_rewind runs in the target's region and reaches the new primary over the inter-region link
const conninfo = (r: typeof kl) =>
  `host=${r.net.interAddress} port=${r.postgres.port} user=${cfg.postgres.user} password=${cfg.postgres.password} dbname=${cfg.postgres.database}`;
const rejoin = (target: typeof kl, source: typeof kl) =>
  rejoinAsReplica({
    pgBin: cfg.postgres.bin,
    dataDir: path.join(labPath(cfg.dataDir), "pg", target.postgres.name),
    osUser: cfg.postgres.osUser,
    sourceConninfo: conninfo(source),
    logFile: path.join(labPath(cfg.dataDir), "log", `${target.postgres.name}.log`),
    preserveFiles: ["lab-node.conf"], // per-node port: must not be replaced by the source's copy
    netns: target.net.netns, // restarted where it listened: in its region's namespace
  });

beforeAll(requireLab);
afterAll(async () => {
  await pgKl.close();
  await pgCy.close();
});

async function streamingFrom(primary: PostgresNode, replicaName: string): Promise<boolean> {
  const rows = await primary.replication();
  return rows.some((r) => r.applicationName === replicaName && r.state === "streaming");
}

describe("PostgreSQL connector (live)", () => {
  it("reads the primary, the streaming replica and their lag", async () => {
    const p = await pgKl.status();
    expect(p.inRecovery).toBe(false);
    const s = await pgCy.status();
    expect(s).toMatchObject({ inRecovery: true, walReceiverStatus: "streaming", replayPaused: false });
    expect(await streamingFrom(pgKl, cy.postgres.name)).toBe(true);
    const h = await postgresHealth({ name: "PostgreSQL", node: pgCy, expectedRole: "replica", lagDegradedMs: cfg.lagDegradedMs });
    expect(h.health.status).toBe("up");
    expect(h.lagMs).toBeLessThan(500);
    expect(h.lagBytes).not.toBeNull();
  });

  it("heartbeat lag follows a 2 s WAL replay pause (within 100 ms); LSN lag grows in bytes", async () => {
    await pgCy.pauseReplay();
    let first: { lag: number; at: number };
    let last: { lag: number; at: number };
    let bytes: number | null;
    try {
      // replay is frozen from here: the measured lag must now grow 1:1 with wall time
      first = { lag: (await pgCy.heartbeat())!.lagMs, at: Date.now() };
      await sleep(2000);
      last = { lag: (await pgCy.heartbeat())!.lagMs, at: Date.now() };
      bytes = (await pgKl.replication()).find((r) => r.applicationName === cy.postgres.name)?.replayLagBytes ?? null;
      const h = await postgresHealth({ name: "PostgreSQL", node: pgCy, expectedRole: "replica", lagDegradedMs: cfg.lagDegradedMs });
      expect(h.health.status).toBe("degraded");
      expect(h.health.reason).toMatch(/WAL replay paused/);
    } finally {
      await pgCy.resumeReplay();
    }
    const injected = last.at - first.at;
    expect(Math.abs(last.lag - first.lag - injected)).toBeLessThanOrEqual(100);
    // absolute: the pause plus at most the age of the last replayed heartbeat (one period + jitter)
    expect(last.lag).toBeGreaterThanOrEqual(injected - 25);
    expect(last.lag).toBeLessThanOrEqual(injected + 2 * cfg.heartbeatIntervalMs + 100);
    expect(bytes).toBeGreaterThan(0);
    await waitFor("replay caught up", async () => ((await pgCy.heartbeat())?.lagMs ?? 1e9) < 300, 5000, 50);
  });

  it("promotes the replica, rejoins the old primary with pg_rewind, and switches back", async () => {
    const marker = `it-${Date.now()}`;
    // 1. Cyberjaya becomes primary
    const pr = await pgCy.promote(10);
    expect(pr.promoted).toBe(true);
    expect(pr.tookMs).toBeLessThan(3000);
    expect((await pgCy.status()).inRecovery).toBe(false);
    await pgCy.client.query(
      "INSERT INTO guideline_chunks (source, title, body, embedding) VALUES ('test', $1, 'written on the promoted replica', '{0,0,0,0,0,0,0,0}')",
      [marker],
    );
    // 2. the old primary (which also diverged: the heartbeat kept writing there) rejoins as replica
    await pgKl.close();
    const rj = await rejoin(kl, cy);
    expect(rj.rewound).toBe(true);
    await waitFor("pg-kl streaming from pg-cy", () => streamingFrom(pgCy, kl.postgres.name), 20_000, 200);
    expect((await pgKl.status()).inRecovery).toBe(true);
    const seen = await waitFor(
      "marker on pg-kl",
      async () => (await pgKl.client.query("SELECT 1 FROM guideline_chunks WHERE title = $1", [marker])).length === 1,
      5000,
    );
    expect(seen).toBe(true);

    // 3. switch back: KL primary again, Cyberjaya rewound onto it
    expect((await pgKl.promote(10)).promoted).toBe(true);
    await pgCy.close();
    await rejoin(cy, kl);
    await waitFor("pg-cy streaming from pg-kl", () => streamingFrom(pgKl, cy.postgres.name), 20_000, 200);
    expect((await pgCy.status()).inRecovery).toBe(true);
    await pgKl.client.query("DELETE FROM guideline_chunks WHERE title = $1", [marker]);
    const h = await waitFor(
      "replica healthy",
      async () => {
        const x = await postgresHealth({ name: "PostgreSQL", node: pgCy, expectedRole: "replica", lagDegradedMs: cfg.lagDegradedMs });
        return x.health.status === "up" ? x : null;
      },
      10_000,
      200,
    );
    expect(h.health.status).toBe("up");
  }, 90_000);

  it("a dead endpoint and a wrong password are typed errors within the timeout", async () => {
    const dead = new PostgresClient({ ...ep(kl), port: 17499 }, 500);
    const t0 = Date.now();
    await expect(dead.query("SELECT 1")).rejects.toMatchObject({ name: "ConnectorError", code: "refused", retryable: true });
    expect(Date.now() - t0).toBeLessThan(600);
    const wrong = new PostgresClient({ ...ep(kl), password: "wrong" }, 800);
    await expect(wrong.query("SELECT 1")).rejects.toMatchObject({ code: "auth", retryable: false });
    await expect(pgKl.client.query("SELEC 1")).rejects.toMatchObject({ code: "rejected", retryable: false });
  });
});
