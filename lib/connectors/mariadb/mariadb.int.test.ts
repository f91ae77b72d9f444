// Against the running lab: Galera wsrep state, cross-region GTID replicas, heartbeat lag that
// follows an injected stall, fencing, promotion and demotion (topology restored at the end).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { regionOfNode } from "@/lib/federation/lab/config";
import { cfg, labCtl, requireLab, sleep, viaRouter, waitFor } from "@/lib/federation/lab/testing";
import { MariadbClient } from "./client";
import { MariadbNode, clusterHealth } from "./adapter";
import { crossRegionLagMs } from "./parse";

const kl = cfg.regions.find((r) => r.id === "kl_dc_1")!;
const cy = cfg.regions.find((r) => r.id === "cyberjaya_1")!;
const node = (n: { name: string; port: number }, user = cfg.mariadb.adminUser, password = cfg.mariadb.adminPassword) =>
  new MariadbNode({ name: n.name, host: regionOfNode(cfg, n.name).net.address, port: n.port, user, password, database: cfg.mariadb.database }, 800);
const galera = kl.mariadb.nodes.map((n) => node(n));
const cyNode = node(cy.mariadb.nodes[0]);
const HB = `${cfg.mariadb.database}.heartbeat`;
const linkIntoCy = cfg.crossRegion.links.find((l) => l.to === "cyberjaya_1")!;
const linkIntoKl = cfg.crossRegion.links.find((l) => l.to === "kl_dc_1")!;
const klProbe = () =>
  clusterHealth({
    name: "Galera cluster",
    regionId: "kl_dc_1",
    galera: true,
    nodes: galera,
    heartbeatTable: HB,
    inboundLinks: [{ node: linkIntoKl.toNode, connection: linkIntoKl.connection }],
    lagDegradedMs: cfg.lagDegradedMs,
  });
const cyProbe = () =>
  clusterHealth({
    name: "MariaDB",
    regionId: "cyberjaya_1",
    galera: false,
    nodes: [cyNode],
    heartbeatTable: HB,
    inboundLinks: [{ node: linkIntoCy.toNode, connection: linkIntoCy.connection }],
    lagDegradedMs: cfg.lagDegradedMs,
  });

beforeAll(requireLab);
afterAll(async () => {
  await Promise.all([...galera, cyNode].map((n) => n.close()));
});

describe("MariaDB connector (live)", () => {
  it("reads a synced 3-node Galera cluster and both replication links", async () => {
    for (const n of galera) {
      const w = await n.wsrep();
      expect(w).toMatchObject({ enabled: true, clusterSize: 3, clusterStatus: "Primary", localState: "Synced" });
    }
    expect((await cyNode.wsrep()).enabled).toBe(false);
    const [intoCy] = (await cyNode.replicas()).filter((r) => r.connectionName === linkIntoCy.connection);
    expect(intoCy).toMatchObject({ ioRunning: "Yes", sqlRunning: "Yes", usingGtid: "Slave_Pos" });
    const g1 = galera.find((n) => n.name === linkIntoKl.toNode)!;
    expect((await g1.replicas()).find((r) => r.connectionName === linkIntoKl.connection)).toMatchObject({ ioRunning: "Yes", sqlRunning: "Yes" });
    const kh = await klProbe();
    expect(kh.health.status).toBe("up");
    expect(kh.lagMs).not.toBeNull();
    expect(kh.lagMs!).toBeLessThan(500);
    expect((await cyProbe()).health.status).toBe("up");
  });

  it("an acknowledged write through HAProxy reaches the other region", async () => {
    const r = await viaRouter("klinik-kl-central", "POST", "/records", { body: "replicate me" });
    expect(r.status).toBe(201);
    const id = String(r.json.id);
    const row = await waitFor(
      "the record on the Cyberjaya server",
      async () => (await cyNode.client.query("SELECT id, region FROM clinical.records WHERE id = ?", [id]))[0],
      5000,
      20,
    );
    expect(row).toMatchObject({ id, region: "kl_dc_1" });
  });

  it("heartbeat lag follows a 2 s replica stall (within 100 ms)", async () => {
    const lagNow = async () => crossRegionLagMs(await cyNode.heartbeats(HB), "cyberjaya_1")!.lagMs;
    await cyNode.stopReplica(linkIntoCy.connection, true);
    let first: { lag: number; at: number };
    let last: { lag: number; at: number };
    try {
      // nothing is applied from here: the measured lag must grow 1:1 with wall time
      first = { lag: await lagNow(), at: Date.now() };
      await sleep(2000);
      last = { lag: await lagNow(), at: Date.now() };
      const h = await cyProbe();
      expect(h.health.status).toBe("degraded");
      expect(h.health.reason).toMatch(/replica from_kl_dc_1 SQL thread stopped/);
    } finally {
      await cyNode.startReplica(linkIntoCy.connection);
    }
    const injected = last.at - first.at;
    expect(Math.abs(last.lag - first.lag - injected)).toBeLessThanOrEqual(100);
    // absolute: the stall plus at most the age of the last applied heartbeat (one period + jitter)
    expect(last.lag).toBeGreaterThanOrEqual(injected - 25);
    expect(last.lag).toBeLessThanOrEqual(injected + 2 * cfg.heartbeatIntervalMs + 100);
    const after = await waitFor(
      "lag back under 300 ms",
      async () => {
        const l = await lagNow();
        return l < 300 ? l : null;
      },
      5000,
      50,
    );
    expect(after).toBeLessThan(300);
  });

  it("reports a killed Galera node and sees it rejoin", async () => {
    const victim = kl.mariadb.nodes[2];
    await labCtl(victim.name, "kill");
    try {
      const h = await waitFor(
        "cluster size 2",
        async () => {
          const x = await klProbe();
          const size = x.health.figures.find((f) => f.key === "cluster_size")?.value;
          return size === 2 ? x : null;
        },
        20_000,
        200,
      );
      expect(h.health.status).toBe("degraded");
      expect(h.health.reason).toContain(`node ${victim.name} unreachable: connect ECONNREFUSED ${kl.net.address}:${victim.port}`);
      // the region still writes (quorum 2 of 3)
      expect((await viaRouter("klinik-kl-central")).status).toBe(201);
    } finally {
      await labCtl(victim.name, "start");
    }
    await waitFor("cluster back to 3 and up", async () => (await klProbe()).health.status === "up", 30_000, 250);
  });

  it("fences a region, promotes the other side, then restores the topology", async () => {
    // fence KL: the app user can no longer write there
    for (const n of galera) await n.setReadOnly(true);
    try {
      const fenced = await viaRouter("klinik-kl-central");
      expect(fenced.status).toBe(503);
      expect(String(fenced.json.error)).toMatch(/read-only|read_only/i);
      expect((await klProbe()).health.reason).toMatch(/fenced/);

      // promote Cyberjaya: apply what it received from KL, cut the link, writable
      const p = await cyNode.promote([linkIntoCy.connection], 3000);
      expect(p.caughtUp).toBe(true);
      expect(p.tookMs).toBeLessThan(1000);
      const rep = (await cyNode.replicas()).find((r) => r.connectionName === linkIntoCy.connection)!;
      expect(rep.sqlRunning).toBe("No");
      expect((await cyNode.role()).readOnly).toBe(false);
      // a KL tenant moved to Cyberjaya writes there (app user, not admin)
      const app = new MariadbClient({
        name: "app-cy",
        host: cy.net.address,
        port: cy.mariadb.nodes[0].port,
        user: cfg.mariadb.appUser,
        password: cfg.mariadb.appPassword,
        database: cfg.mariadb.database,
      });
      await app.query(
        "INSERT INTO records (id, tenant, region, node, body, created_at) VALUES (UUID(), 'klinik-kl-central', 'cyberjaya_1', 'mariadb-cy', 'after promotion', SYSDATE(6))",
      );
      await app.close();

      // demote exercises the other direction: read_only on, replication from KL restarted
      await cyNode.demote({
        connection: linkIntoCy.connection,
        sourceHost: kl.net.interAddress,
        sourcePort: kl.mariadb.nodes[0].port,
        user: cfg.mariadb.replUser,
        password: cfg.mariadb.replPassword,
      });
      expect((await cyNode.role()).readOnly).toBe(true);
      await waitFor(
        "link from KL running again",
        async () => (await cyNode.replicas()).find((r) => r.connectionName === linkIntoCy.connection)?.sqlRunning === "Yes",
        5000,
      );
    } finally {
      // the lab's topology: both regions writable, both links running
      await cyNode.setReadOnly(false);
      for (const n of galera) await n.setReadOnly(false);
      await cyNode.startReplica(linkIntoCy.connection).catch(() => {});
    }
    expect((await viaRouter("klinik-kl-central")).status).toBe(201);
    await waitFor("both regions healthy", async () => (await klProbe()).health.status === "up" && (await cyProbe()).health.status === "up", 10_000, 200);
  });

  it("a dead or wrong endpoint is a typed error within its timeout", async () => {
    const dead = new MariadbClient({ name: "nobody", host: kl.net.address, port: 17399, user: "x", password: "y" }, 500);
    const t0 = Date.now();
    await expect(dead.query("SELECT 1")).rejects.toMatchObject({ name: "ConnectorError", code: "refused", retryable: true });
    expect(Date.now() - t0).toBeLessThan(600);
    const wrong = new MariadbClient({ name: "galera-1", host: kl.net.address, port: kl.mariadb.nodes[0].port, user: "admin", password: "wrong" }, 800);
    await expect(wrong.query("SELECT 1")).rejects.toMatchObject({ code: "auth", retryable: false });
    const bad = new MariadbClient(
      { name: "galera-1", host: kl.net.address, port: kl.mariadb.nodes[0].port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword },
      800,
    );
    await expect(bad.query("SELEC nonsense")).rejects.toMatchObject({ code: "rejected", retryable: false });
    await bad.close();
  });
});
