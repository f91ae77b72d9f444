import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLabHarness, type Harness } from "@/lib/testing/harness";
import { cfg, inRegion, lab, labNet, regionCfg, sleep, viaRouter, waitFor } from "@/lib/federation/lab/testing";
import { missingIn } from "@/lib/federation/lab/ledger-writer";
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { Orchestrator } from "@/workers/orchestrator";
import { previewReturnQuery, requestReturnOp } from "./operations";
import { RegionWatch } from "@/workers/region-watch";
import type { PlanEntry } from "./types";

// F1/F2 in the lab, against real partitions (network namespaces, nftables blackholes): the console
// (its region watch and engine, as server/runtime.ts starts them) must fail a region over only
// when every signal agrees, and never while the region can still acknowledge a write.

const KL = "kl_dc_1";
const CY = "cyberjaya_1";
const CY_TENANT = "klinik-seremban-2"; // served by Cyberjaya, not locked
const CY_LOCKED = "klinik-putrajaya-p9"; // locked to Cyberjaya

let h: Harness;
let watch: RegionWatch;
let engine: Orchestrator;

beforeAll(async () => {
  // a short hold-down: each test fails Cyberjaya over afresh (anti-flap is tested on the simulation)
  h = await createLabHarness({ leases: false, detection: { holdDownMs: 5000 } });
  const regions = await h.database.prisma.region.findMany({ orderBy: { sortOrder: "asc" } });
  watch = new RegionWatch(h.services, regions);
  engine = new Orchestrator(h.database, h.services);
  await watch.start();
  await engine.start();
  await waitFor("both regions assessed present", async () => [KL, CY].every((r) => h.services.failover.assessment(r)?.state === "healthy"), 20_000, 200);
}, 60_000);

afterAll(async () => {
  await watch?.stop();
  await engine?.stop();
  await h?.close();
});

/** Puts the lab back as a failover found it: links up, grants and replication resumed, the region unfenced. */
afterEach(async () => {
  await labNet("rejoin", CY).catch(() => undefined);
  await labNet("restore-uplink", CY).catch(() => undefined);
  await labNet("heal", KL, CY).catch(() => undefined);
  await h.federation.setPeerGrants(KL, true, "test cleanup").catch(() => undefined);
  await h.federation.setPeerGrants(CY, true, "test cleanup").catch(() => undefined);
  await h.federation.holdReplication(CY, KL, false).catch(() => undefined);
  await waitFor("Cyberjaya reachable again", async () => (await h.federation.regionSignals(CY)).console.reachable, 20_000, 250);
  await h.federation.fenceRegion(CY, false, "test cleanup").catch(() => undefined);
  h.services.failover.block(CY, false);
  // brought back (as the return operation will)
  await h.database.prisma.failover.updateMany({ where: { closedAt: null }, data: { closedAt: new Date() } });
  await waitFor("Cyberjaya present again", async () => h.services.failover.assessment(CY)?.state === "healthy", 30_000, 250);
  // and replication caught up both ways (what the next test of the suite measures must not be this one's backlog)
  await waitFor(
    "both regions hearing each other within 1 s",
    async () => {
      const [kl, cy] = await Promise.all([h.federation.regionSignals(KL), h.federation.regionSignals(CY)]);
      return (kl.peer.heartbeatAgeMs ?? Infinity) < 1000 && (cy.peer.heartbeatAgeMs ?? Infinity) < 1000;
    },
    60_000,
    250,
  );
}, 60_000);

describe("region failover in the lab", () => {
  it("the console loses Cyberjaya's uplink while KL DC still hears it: 'unreachable from the console, alive according to KL DC', no failover", async () => {
    await labNet("cut-uplink", CY);
    const a = await waitFor(
      "the assessment",
      async () => {
        const x = h.services.failover.assessment(CY);
        return x?.state === "unreachable_alive" ? x : null;
      },
      15_000,
      200,
    );
    expect(a.summary).toBe("Cyberjaya is unreachable from the console, alive according to KL DC: no failover");
    await sleep(4000);
    expect(await h.database.prisma.failover.count({ where: { regionId: CY } })).toBe(0);
    const d = await h.database.prisma.decision.findFirstOrThrow({ where: { regionId: CY, kind: "no_failover" } });
    expect(d.summary).toMatch(/alive according to KL DC/);
    // Cyberjaya keeps acknowledging writes: KL DC renews its lease over the inter-region link
    const inside = await inRegion(CY, "node", ["-e", writeOnce(CY, CY_TENANT)], 8000);
    expect(inside.stdout.trim()).toBe("201");
  }, 60_000);

  it("an inter-region partition alone: the console still reaches both, nobody is failed over, both keep their leases", async () => {
    await labNet("partition", KL, CY);
    await sleep(6000);
    for (const r of [KL, CY]) expect(h.services.failover.assessment(r)?.state).not.toBe("lost");
    expect(await h.database.prisma.failover.count({ where: { regionId: CY } })).toBe(0);
    expect((await viaRouter(CY_TENANT)).status).toBe(201);
    expect((await viaRouter("klinik-kepong")).status).toBe(201);
  }, 60_000);

  it("Cyberjaya isolated with a clinic writing inside it: it stops acknowledging before KL DC takes its tenants; locked tenants are held in place", async () => {
    // A clinic inside Cyberjaya keeps writing to its app (what a partition does not stop).
    const clinic = inRegion(CY, "node", ["-e", writeLoop(CY, CY_TENANT, 30_000)], 40_000);
    await sleep(1500);
    const isolatedAt = Date.now();
    await labNet("isolate", CY);
    const f = await waitFor(
      "the failover to finish",
      async () => {
        const x = await h.database.prisma.failover.findFirst({ where: { regionId: CY } });
        return x && (x.state === "completed" || x.state === "failed") ? x : null;
      },
      40_000,
      250,
    );
    expect(f.error).toBeNull();
    expect(f).toMatchObject({ state: "completed", toRegionId: KL, trigger: "auto" });
    const steps = f.steps as unknown as { key: string; startedAt: number; endedAt: number }[];
    const routedAt = steps.find((s) => s.key === "route")!.startedAt;
    const plan = f.plan as unknown as PlanEntry[];
    expect(plan.find((p) => p.slug === CY_LOCKED)).toMatchObject({ action: "held" });
    expect(plan.find((p) => p.slug === CY_TENANT)).toMatchObject({ action: "move", toRegionId: KL });

    // Served by KL DC now, through the router.
    const w = await viaRouter(CY_TENANT);
    expect(w).toMatchObject({ status: 201, region: KL });
    // KL DC's card says why its replication from Cyberjaya is stopped (held by the failover, not broken)
    await h.poll();
    const galera = h.live.region(KL)!.components.find((c) => c.kind === "galera")!;
    expect(galera.reason).toMatch(/replica from_cyberjaya_1 held: Cyberjaya was failed over; nothing from it is applied here until it is brought back/);
    expect(galera.reason).not.toMatch(/ms behind/);

    // No split brain: every write Cyberjaya acknowledged during the isolation came before KL DC took the tenant.
    const log = (await clinic).stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: number; status: number; id: string | null });
    const acked = log.filter((x) => x.status === 201 && x.t >= isolatedAt);
    const lastAck = Math.max(isolatedAt, ...acked.map((x) => x.t));
    expect(log.some((x) => x.status === 503)).toBe(true); // it fenced itself
    expect(lastAck).toBeLessThan(routedAt);
    // Bringing Cyberjaya back: what it acknowledged (or committed as its lease ended) during the
    // isolation never reached KL DC — errant writes, listed per tenant, held for a decision.
    await labNet("rejoin", CY);
    await waitFor("Cyberjaya reachable", async () => (await h.federation.regionSignals(CY)).console.reachable, 20_000, 250);
    const refused = await h.invoke(requestReturnOp, h.actors.admin, { failoverId: f.id, reason: "network restored" }).then(
      () => null,
      (e: Error) => e,
    );
    // without a decision the return stops at the errant writes and changes nothing
    const r0 = refused
      ? null
      : await waitFor(
          "the first return to stop",
          async () => {
            const x = await h.database.prisma.regionReturn.findFirst({ where: { failoverId: f.id } });
            return x && x.state !== "queued" && x.state !== "running" ? x : null;
          },
          30_000,
          250,
        );
    expect(r0?.state).toBe("failed");
    expect(r0?.error).toMatch(/record\(s\) written in cyberjaya_1 never reached kl_dc_1 \(.*klinik-seremban-2: \d+/);
    const errant = await h.invoke(previewReturnQuery, h.actors.admin, { failoverId: f.id });
    const mine = errant.tenants.find((t) => t.tenant === CY_TENANT)!;
    expect(mine.ids.length).toBeGreaterThan(0);
    const r = await h.invoke(requestReturnOp, h.actors.admin, { failoverId: f.id, reason: "network restored; keep the clinic's notes", decision: "reapply" });
    const done = await waitFor(
      "the return to finish",
      async () => {
        const x = await h.database.prisma.regionReturn.findUnique({ where: { id: r.id } });
        return x && (x.state === "completed" || x.state === "failed") ? x : null;
      },
      90_000,
      250,
    );
    expect(done.error).toBeNull();
    // Zero loss: every write Cyberjaya acknowledged is readable where the tenant is served now
    // (replicated before the cut, or re-applied by the decision).
    const lostAcks: string[] = [];
    for (const x of log.filter((y) => y.status === 201 && y.id))
      if ((await viaRouter(CY_TENANT, "GET", `/records/${x.id}`)).status !== 200) lostAcks.push(x.id!);
    expect(lostAcks).toEqual([]);
    expect((await h.database.prisma.failover.findUniqueOrThrow({ where: { id: f.id } })).closedAt).not.toBeNull();
    const lease = (await h.federation.regionSignals(CY)).lease;
    expect(lease?.fenced).toBeNull();
    // Replication into KL DC goes on after the skipped errant transactions: every slot of Cyberjaya's
    // heartbeat ring is still a row in KL DC (a beat into a missing one would stop it), and the
    // link's SQL thread runs.
    const kl = regionCfg(KL);
    const node = new MariadbNode({
      name: "galera-1",
      host: kl.net.address,
      port: kl.mariadb.nodes[0].port,
      user: cfg.mariadb.adminUser,
      password: cfg.mariadb.adminPassword,
      database: cfg.mariadb.database,
    });
    try {
      const [ring] = await node.client.query<{ n: number }>("SELECT COUNT(*) AS n FROM heartbeat_log WHERE region = ?", [CY]);
      expect(Number(ring.n)).toBe(cfg.heartbeatLogSlots);
      const [st] = await node.client.query<Record<string, unknown>>("SHOW SLAVE 'from_cyberjaya_1' STATUS");
      expect([st.Slave_SQL_Running, st.Last_SQL_Error]).toEqual(["Yes", ""]);
    } finally {
      await node.close();
    }

    const decided = await h.database.prisma.decision.findFirstOrThrow({ where: { regionId: CY, outcome: "acted" } });
    console.log(
      `[failover] catch-up samples: ${JSON.stringify(done.catchUp)}\n[failover] return: ${(done.steps as unknown as { key: string; detail: string }[]).map((x) => `${x.key}: ${x.detail}`).join(" | ")}\n[failover] isolate → decided at ${decided.at.getTime() - isolatedAt} ms, completed at ${f.finishedAt!.getTime() - isolatedAt} ms; Cyberjaya's last ack ${lastAck - isolatedAt} ms after isolation, routed at ${routedAt - isolatedAt} ms; steps: ${steps
        .map((s) => `${s.key} ${s.endedAt - s.startedAt} ms`)
        .join(", ")}; signals: ${JSON.stringify(decided.signals)}`,
    );
  }, 90_000);

  it("semi-synchronous replication and durable commits: Cyberjaya isolated with a clinic writing inside it — every write it acknowledged is already in KL DC when KL DC takes its tenants", async () => {
    await lab("ctl", "replication", "semi-sync");
    await lab("ctl", "commits", "durable");
    try {
      await waitFor(
        "semi-sync negotiated on both links",
        async () => /replicas connected=1[\s\S]*replicas connected=1/.test(await lab("ctl", "durability")),
        10_000,
        250,
      );
      const clinic = inRegion(CY, "node", ["-e", writeLoop(CY, CY_TENANT, 12_000)], 20_000);
      await sleep(1500);
      const isolatedAt = Date.now();
      await labNet("isolate", CY);
      const cut = Date.now();
      const f = await waitFor(
        "the failover to finish",
        async () => {
          const x = await h.database.prisma.failover.findFirst({ where: { regionId: CY }, orderBy: { createdAt: "desc" } });
          return x && x.createdAt.getTime() >= isolatedAt && (x.state === "completed" || x.state === "failed") ? x : null;
        },
        40_000,
        250,
      );
      expect(f.error).toBeNull();
      const log = (await clinic).stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { t: number; sent: number; status: number; id: string | null });
      const acked = log.filter((x) => x.status === 201 && x.id).map((x) => x.id!);
      expect(acked.length).toBeGreaterThan(5);
      // RPO 0: nothing Cyberjaya acknowledged is missing in KL DC, which serves the tenant now —
      // a commit waits for KL DC's copy (AFTER_SYNC) longer than Cyberjaya's lease lasts.
      expect(await missingIn(KL, acked)).toEqual([]);
      // writes sent after the cut were not acknowledged: they waited for KL DC, then the lease had run out
      const afterCut = log.filter((x) => x.sent >= cut);
      expect(afterCut.every((x) => x.status !== 201)).toBe(true);
      expect(await viaRouter(CY_TENANT)).toMatchObject({ status: 201, region: KL });
      console.log(`[failover] semi-sync isolate: ${acked.length} acknowledged, 0 missing in KL DC; after the cut: ${afterCut.map((x) => x.status).join(" ")}`);
    } finally {
      await lab("ctl", "replication", "async");
      await lab("ctl", "commits", "fast");
    }
  }, 90_000);
});

/** One write to a region's app from inside the region; prints the status. */
function writeOnce(region: string, tenant: string): string {
  const url = `http://${regionCfg(region).net.address}:${regionCfg(region).appPort}/records`;
  return `fetch(${JSON.stringify(url)},{method:"POST",headers:{"x-tenant":${JSON.stringify(tenant)},"content-type":"application/json"},body:'{"body":"clinic inside"}'}).then(r=>console.log(r.status),e=>console.log("error "+e.message))`;
}

/** A clinic writing every 100 ms from inside a region for `ms`; one JSON line per write {t: answer received, sent, status}. */
function writeLoop(region: string, tenant: string, ms: number): string {
  const url = `http://${regionCfg(region).net.address}:${regionCfg(region).appPort}/records`;
  return `const end=Date.now()+${ms};(async()=>{while(Date.now()<end){const t=Date.now();let status=0;let id=null;try{const r=await fetch(${JSON.stringify(url)},{method:"POST",headers:{"x-tenant":${JSON.stringify(tenant)},"content-type":"application/json"},body:'{"body":"clinic inside"}',signal:AbortSignal.timeout(3000)});const j=await r.json().catch(()=>({}));status=r.status;id=j.id??null}catch{status=-1}console.log(JSON.stringify({t:Date.now(),sent:t,status,id}));await new Promise(r=>setTimeout(r,100))}})()`;
}
