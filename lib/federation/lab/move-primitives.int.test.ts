// The move primitives against the running lab: per-tenant fences in the real region apps, GTID
// positions and MASTER_GTID_WAIT on the real replication link, and one zero-loss move of a tenant
// driven by them while a writer keeps writing through HAProxy.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { FederationError, type Federation, type RouteTable } from "../types";
import { labPath } from "./config";
import { createLabFederation } from "./index";
import { missingIn, startLedgerWriter } from "./ledger-writer";
import { parsePosition } from "./position";
import { cfg, labCtl, regionCfg, requireLab, sleep, viaRouter, waitFor } from "./testing";

const KL = "kl_dc_1";
const CY = "cyberjaya_1";
const regions = [
  { id: KL, name: "KL DC" },
  { id: CY, name: "Cyberjaya" },
];
const run = Date.now().toString(36);
const tenant = (name: string) => `it-${name}-${run}`;
const used: string[] = [];
const use = (name: string) => {
  const t = tenant(name);
  used.push(t);
  return t;
};

let fed: Federation;
let original: RouteTable;
const link = cfg.crossRegion.links.find((l) => l.from === KL && l.to === CY)!;
const node = (region: string, name: string) => {
  const n = regionCfg(region).mariadb.nodes.find((x) => x.name === name)!;
  return new MariadbNode(
    {
      name,
      host: regionCfg(region).net.address,
      port: n.port,
      user: cfg.mariadb.adminUser,
      password: cfg.mariadb.adminPassword,
      database: cfg.mariadb.database,
    },
    5000,
  );
};
const klNode = node(KL, regionCfg(KL).mariadb.nodes[0].name);
const cyLinkNode = node(CY, link.toNode);

async function tenantIds(n: MariadbNode, t: string): Promise<Set<string>> {
  const rows = await n.client.query<{ id: string }>("SET STATEMENT wsrep_sync_wait=1 FOR SELECT id FROM records WHERE tenant = ?", [t]);
  return new Set(rows.map((r) => r.id));
}

beforeAll(async () => {
  await requireLab();
  fed = await createLabFederation({ regions });
  original = await fed.readRoutes();
});

afterAll(async () => {
  await cyLinkNode.startReplica(link.connection).catch(() => {});
  for (const f of await fed.fencedTenants().catch(() => [])) {
    if (used.includes(f.tenant)) await fed.fenceTenant(f.tenant, f.regionId, false).catch(() => {});
  }
  await fed.syncRoutes(original).catch(() => {});
  await Promise.allSettled([fed.close(), klNode.close(), cyLinkNode.close()]);
});

describe("per-tenant write fences", () => {
  it("a fenced tenant's writes through HAProxy answer 503 and do not commit; reads and other tenants go on", async () => {
    const a = use("fence-a");
    const b = use("fence-b");
    await fed.routeTenant(a, KL);
    await fed.routeTenant(b, KL);
    expect((await viaRouter(a)).status).toBe(201);
    const before = (await tenantIds(klNode, a)).size;

    await fed.fenceTenant(a, KL, true);
    await fed.fenceTenant(a, KL, true); // idempotent
    for (let i = 0; i < 5; i++) {
      const r = await viaRouter(a);
      expect(r.status).toBe(503);
      expect(r.region).toBe(KL);
      expect(r.json.error).toBe(`tenant ${a} is fenced in region ${KL}: a move is in progress`);
    }
    const other = await viaRouter(b);
    expect(other).toMatchObject({ status: 201, region: KL });
    expect(await viaRouter(a, "GET", "/guidelines")).toMatchObject({ status: 200, region: KL });
    expect(await viaRouter(a, "GET", `/records/${String(other.json.id)}`)).toMatchObject({ status: 200, region: KL });
    expect((await tenantIds(klNode, a)).size).toBe(before); // refused writes never reached the database

    expect(await fed.fencedTenants()).toContainEqual({ tenant: a, regionId: KL });
    expect(await fed.fencedTenants()).not.toContainEqual({ tenant: a, regionId: CY });
    await fed.fenceTenant(a, KL, false);
    await fed.fenceTenant(a, KL, false);
    expect(await fed.fencedTenants()).not.toContainEqual({ tenant: a, regionId: KL });
    expect((await viaRouter(a)).status).toBe(201);
  });

  it("the admin API is not reachable through HAProxy's frontend, however the path is spelt", async () => {
    for (const p of ["/admin/fences", "/ADMIN/fences", "/%61dmin/fences", "//admin/fences", "/x/../admin/fences"]) {
      const r = await fetch(`http://${cfg.host}:${cfg.router.frontendPort}${p}`, {
        headers: { "x-tenant": "klinik-kl-central" },
        signal: AbortSignal.timeout(3000),
      });
      await r.text();
      expect(r.status, p).toBe(403);
      expect(r.headers.get("x-served-by-region"), p).toBeNull(); // HAProxy's deny: no region app saw it
    }
    const direct = await fetch(`http://${regionCfg(KL).net.address}:${regionCfg(KL).appPort}/admin/fences`, { headers: { "x-lab-via-router": "1" } });
    expect(direct.status).toBe(403);
    expect(await direct.json()).toMatchObject({ error: "admin API: not reachable through the router" });
    // what a client gets through the router for the exact path: HAProxy's deny, not the app
    const r = await fetch(`http://${cfg.host}:${cfg.router.frontendPort}/admin/fence`, {
      method: "POST",
      body: JSON.stringify({ tenant: "klinik-kl-central", fenced: true }),
    });
    expect(r.status).toBe(403);
    expect(r.headers.get("x-served-by-region")).toBeNull();
    expect(await fed.fencedTenants()).not.toContainEqual({ tenant: "klinik-kl-central", regionId: KL });
  });

  it("fenceTenant returns only after the tenant's in-flight writes finished; nothing commits or is acknowledged after it", async () => {
    const c = use("fence-inflight");
    await fed.routeTenant(c, KL);
    const writer = startLedgerWriter({ tenant: c, concurrency: 6, cfg });
    await waitFor("the writer to get acknowledgements", async () => writer.ackedCount() > 10, 10_000, 20);
    // a write held open 1.5 s inside its transaction (the app's lab test hook), admitted before the fence
    const slow = viaRouter(c, "POST", "/records", { body: "slow write", delayMs: 1500 }).then((r) => ({ ...r, at: Date.now() }));
    await sleep(300);
    const t0 = Date.now();
    await fed.fenceTenant(c, KL, true);
    const fencedAt = Date.now();
    const committedAtFence = await tenantIds(klNode, c);
    const slowRes = await slow;
    const slowAckedAt = slowRes.at;
    await sleep(500);
    const ledger = await writer.stop();
    try {
      expect(fencedAt - t0).toBeGreaterThanOrEqual(1000); // it waited for the slow write
      expect(slowRes.status).toBe(201);
      expect(committedAtFence.has(String(slowRes.json.id))).toBe(true);
      const acked = ledger.acked.map((w) => w.id);
      expect(acked.length).toBeGreaterThan(10);
      // every acknowledged write had committed when the fence resolved …
      expect(acked.filter((id) => !committedAtFence.has(id))).toEqual([]);
      // … and nothing committed afterwards
      expect((await tenantIds(klNode, c)).size).toBe(committedAtFence.size);
      // every attempt sent after the fence resolved was refused as fenced
      const after = ledger.failures.filter((f) => f.sentAt > fencedAt);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((f) => f.status === 503 && /is fenced in region kl_dc_1/.test(f.error))).toBe(true);
      expect(ledger.acked.filter((w) => w.sentAt > fencedAt)).toEqual([]);
      console.log(
        `fence waited ${fencedAt - t0} ms for the in-flight slow write (its 201, sent by the app before it released the fence, reached this busy test process ${slowAckedAt - fencedAt} ms relative to the fence resolving); ${acked.length} ledger writes acknowledged, ${ledger.failures.length} refused`,
      );
    } finally {
      await fed.fenceTenant(c, KL, false);
    }
    expect((await viaRouter(c)).status).toBe(201);
  });

  it("fences survive a restart of the region app and stay in their region", async () => {
    const d = use("fence-restart");
    const ok = use("fence-restart-other");
    await fed.routeTenant(d, KL);
    await fed.routeTenant(ok, KL);
    await fed.fenceTenant(d, KL, true);
    const file = JSON.parse(await readFile(labPath(`${cfg.dataDir}/fences/${KL}.json`), "utf8")) as { region: string; fences: Record<string, unknown> };
    expect(file.region).toBe(KL);
    expect(Object.keys(file.fences)).toContain(d);
    const cyFile = await readFile(labPath(`${cfg.dataDir}/fences/${CY}.json`), "utf8").catch(() => "{}");
    expect(cyFile).not.toContain(d);

    await labCtl(`app-${KL}`, "restart");
    // back in HAProxy
    await waitFor("KL app serving through HAProxy again", async () => (await viaRouter(ok)).region === KL, 20_000, 200);
    expect(await fed.fencedTenants()).toContainEqual({ tenant: d, regionId: KL });
    const r = await viaRouter(d);
    expect(r).toMatchObject({ status: 503, region: KL });
    expect(r.json.error).toMatch(/is fenced in region kl_dc_1/);

    await fed.fenceTenant(d, KL, false);
    expect((await viaRouter(d)).status).toBe(201);
  });

  it("rejects a bad tenant and an unknown region with typed errors", async () => {
    await expect(fed.fenceTenant("Not A Slug!", KL, true)).rejects.toMatchObject({ code: "unknown_tenant" });
    await expect(fed.fenceTenant("klinik-x", "mars_1", true)).rejects.toMatchObject({ code: "unknown_region" });
    await expect(fed.writePosition("mars_1")).rejects.toBeInstanceOf(FederationError);
  });
});

describe("write positions", () => {
  it("waitForPosition returns once the target applied the source's writes, and times out while its SQL thread is stopped", async () => {
    const e = use("position");
    await fed.routeTenant(e, KL);
    const w1 = await viaRouter(e);
    const p1 = await fed.writePosition(KL);
    expect(p1).toMatch(/^mariadb:kl_dc_1\/1:1-\d+-\d+$/);
    const { waitedMs } = await fed.waitForPosition(KL, CY, p1, 5000);
    expect(waitedMs).toBeLessThan(5000);
    expect(await missingIn(CY, [String(w1.json.id)], { cfg })).toEqual([]);

    await cyLinkNode.stopReplica(link.connection, true);
    try {
      const w2 = await viaRouter(e);
      expect(w2.status).toBe(201);
      const p2 = await fed.writePosition(KL);
      expect(BigInt(parsePosition(p2).gtid.split("-")[2])).toBeGreaterThan(BigInt(parsePosition(p1).gtid.split("-")[2]));
      const t0 = Date.now();
      const err = await fed.waitForPosition(KL, CY, p2, 1000).catch((x: unknown) => x);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(err).toBeInstanceOf(FederationError);
      expect(err).toMatchObject({ code: "timeout", retryable: true });
      expect((err as Error).message).toMatch(/cyberjaya_1 has not applied kl_dc_1's writes up to 1-\d+-\d+ within 1000 ms/);
      expect(await missingIn(CY, [String(w2.json.id)], { cfg })).toEqual([String(w2.json.id)]);

      const waiting = fed.waitForPosition(KL, CY, p2, 15_000);
      await sleep(600);
      await cyLinkNode.startReplica(link.connection);
      const done = await waiting;
      expect(done.waitedMs).toBeGreaterThanOrEqual(500);
      expect(done.waitedMs).toBeLessThan(15_000);
      expect(await missingIn(CY, [String(w2.json.id)], { cfg })).toEqual([]);
    } finally {
      await cyLinkNode.startReplica(link.connection).catch(() => {});
    }
  });

  it("the reverse direction works too, and foreign or malformed positions are refused", async () => {
    const p = await fed.writePosition(CY);
    expect(p).toMatch(/^mariadb:cyberjaya_1\/2:(2-\d+-\d+)?$/);
    expect((await fed.waitForPosition(CY, KL, p, 5000)).waitedMs).toBeLessThan(5000);
    await expect(fed.waitForPosition(KL, CY, p, 100)).rejects.toMatchObject({ code: "refused" });
    await expect(fed.waitForPosition(KL, CY, "1-1-5", 100)).rejects.toMatchObject({ code: "protocol" });
  });
});

describe("a manual zero-loss move driven by the primitives", () => {
  it("moves a tenant from kl_dc_1 to cyberjaya_1 under load without losing an acknowledged write", async () => {
    const m = use("move");
    await fed.routeTenant(m, KL);
    const writer = startLedgerWriter({ tenant: m, concurrency: 4, cfg });
    await sleep(1500);

    const steps: Record<string, number> = {};
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const v = await fn();
      steps[name] = Math.round((performance.now() - t) * 10) / 10;
      return v;
    };
    await step("fence source", () => fed.fenceTenant(m, KL, true));
    const pos = await step("write position", () => fed.writePosition(KL));
    await step("wait for target", () => fed.waitForPosition(KL, CY, pos, 10_000));
    // test only: with the source fenced, everything acknowledged so far must already be in the target
    const ackedBeforeRoute = writer.ackedIds();
    expect(await step("check target (test only)", () => missingIn(CY, ackedBeforeRoute, { cfg }))).toEqual([]);
    await step("route", () => fed.routeTenant(m, CY));
    const v = await step("verify", () => fed.verifyTenant(m, CY));
    await step("unfence source", () => fed.fenceTenant(m, KL, false));
    expect(v).toEqual({ ok: true, readBy: CY, writeBy: CY, error: null });

    await sleep(1500);
    const ledger = await writer.stop();
    const ids = ledger.acked.map((w) => w.id);
    expect(ledger.acked.some((w) => w.region === KL)).toBe(true);
    expect(ledger.acked.some((w) => w.region === CY)).toBe(true);
    expect(await missingIn(CY, ids, { cfg })).toEqual([]);
    // after the move the tenant's writes are served by the target only
    const routedAt = ledger.acked.filter((w) => w.region === CY).reduce((a, w) => Math.min(a, w.sentAt), Infinity);
    expect(ledger.acked.filter((w) => w.sentAt > routedAt + 50 && w.region !== CY)).toEqual([]);
    expect(ledger.unavailableWindows.length).toBeGreaterThanOrEqual(1);
    expect(ledger.unavailableWindows.every((w) => !w.open)).toBe(true);
    expect(ledger.failures.every((f) => f.status === 503)).toBe(true);
    const worst = Math.max(...ledger.unavailableWindows.map((w) => w.ms));
    console.log(
      `move of ${m}: ${ids.length} acknowledged writes (${ledger.acked.filter((w) => w.region === KL).length} in ${KL}, ${ledger.acked.filter((w) => w.region === CY).length} in ${CY}), ` +
        `${ledger.failures.length} refused; unavailable windows ${JSON.stringify(ledger.unavailableWindows.map((w) => w.ms))} ms (worst ${worst} ms); steps ${JSON.stringify(steps)}`,
    );
    expect(worst).toBeLessThan(5000);
  });
});
