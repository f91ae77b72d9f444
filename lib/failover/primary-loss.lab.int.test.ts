// F2 in the lab when the lost region holds the corpus primary: KL DC killed outright (every process
// SIGKILLed). Cyberjaya's PostgreSQL replica is promoted before KL DC's tenants are routed to it;
// when KL DC comes back its PostgreSQL starts as a second primary (health says so), and bringing it
// back rewinds it into a replica of Cyberjaya's (pg_rewind). No acknowledged write is lost. The lab
// ends as it started (primary switched back, routes restored).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bringBack, createLabHarness, type Harness } from "@/lib/testing/harness";
import { lab, labNet, sleep, viaRouter, waitFor } from "@/lib/federation/lab/testing";
import { missingIn, startLedgerWriter } from "@/lib/federation/lab/ledger-writer";
import type { RouteTable } from "@/lib/federation/types";
import { Orchestrator } from "@/workers/orchestrator";
import { RegionWatch } from "@/workers/region-watch";
import type { PlanEntry } from "./types";

const KL = "kl_dc_1";
const CY = "cyberjaya_1";
const KL_TENANT = "klinik-kepong"; // served by KL DC, not locked

let h: Harness;
let watch: RegionWatch;
let engine: Orchestrator;
let routes: RouteTable;
let poller: NodeJS.Timeout | undefined;

/** What the console believed, for a failed wait's message. */
async function whatTheConsoleSaw(): Promise<string> {
  const a = [KL, CY].map((r) => h.services.failover.assessment(r)?.summary ?? `${r}: not assessed`).join(" | ");
  const d = await h.database.prisma.decision.findMany({ orderBy: { at: "desc" }, take: 3 });
  const f = await h.database.prisma.failover.findFirst({ where: { regionId: KL }, orderBy: { createdAt: "desc" } });
  const steps = f
    ? (f.steps as unknown as { key: string; status: string; detail: string }[]).map((x) => `${x.key} ${x.status}: ${x.detail}`).join("; ")
    : "none";
  return `assessments: ${a}; decisions: ${d.map((x) => `${x.outcome}: ${x.summary}`).join(" / ") || "none"}; failover: ${f ? `${f.state} ${f.error ?? ""} [${steps}]` : "none"}; health: ${[KL, CY].map((r) => `${r} ${h.live.region(r)?.status}`).join(", ")}`;
}

beforeAll(async () => {
  h = await createLabHarness({ leases: false });
  routes = await h.federation.readRoutes();
  // like the console's poller: failover decisions read the regions' live health
  poller = setInterval(() => void h.poll().catch(() => undefined), 1000);
  // the suite's earlier faults may leave replication settling: start from a healthy lab
  await waitFor("both regions healthy", async () => [KL, CY].every((r) => h.live.region(r)?.status === "healthy"), 90_000, 500);
  const regions = await h.database.prisma.region.findMany({ orderBy: { sortOrder: "asc" } });
  watch = new RegionWatch(h.services, regions);
  engine = new Orchestrator(h.database, h.services);
  await watch.start();
  await engine.start();
  await waitFor("both regions assessed present", async () => [KL, CY].every((r) => h.services.failover.assessment(r)?.state === "healthy"), 20_000, 200);
}, 150_000);

afterAll(async () => {
  clearInterval(poller);
  await watch?.stop();
  await engine?.stop();
  // the lab as it started: KL DC up, its PostgreSQL the primary again, Cyberjaya's following it, routes as they were
  await lab("up").catch(() => undefined);
  await h.federation.setPeerGrants(CY, true, "test cleanup").catch(() => undefined);
  await h.federation.holdReplication(KL, CY, false).catch(() => undefined);
  await h.federation.holdReplication(CY, KL, false).catch(() => undefined);
  await h.federation.fenceRegion(KL, false, "test cleanup").catch(() => undefined);
  if ((await h.federation.postgresPrimary().catch(() => null)) !== KL) {
    await h.federation.promotePostgres(KL).catch(() => undefined);
    await h.federation.rejoinPostgres(CY, KL).catch(() => undefined);
  }
  await h.federation.syncRoutes(routes).catch(() => undefined);
  await h?.close();
}, 180_000);

const pgReasons = (regionId: string) =>
  h.live
    .region(regionId)
    ?.components.filter((c) => c.kind === "postgres")
    .map((c) => c.reason ?? "")
    .join("; ") ?? "";

describe("losing the region of the corpus primary, in the lab", () => {
  it("KL DC killed: Cyberjaya's replica promoted, KL DC's tenants served by Cyberjaya; brought back, KL DC's PostgreSQL follows Cyberjaya's; nothing acknowledged lost", async () => {
    const writer = startLedgerWriter({ tenant: KL_TENANT, concurrency: 1, intervalMs: 50 });
    await sleep(1500);
    await labNet("kill-region", KL);
    const f = await waitFor(
      "the failover to finish",
      async () => {
        const x = await h.database.prisma.failover.findFirst({ where: { regionId: KL } });
        return x && (x.state === "completed" || x.state === "failed") ? x : null;
      },
      40_000,
      250,
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; ${await whatTheConsoleSaw()}`);
    });
    expect(f.error).toBeNull();
    expect(f).toMatchObject({ state: "completed", toRegionId: CY, trigger: "auto" });
    const steps = f.steps as unknown as { key: string; detail: string; startedAt: number }[];
    const promote = steps.find((s) => s.key === "promote_postgres")!;
    expect(promote.detail).toMatch(/^pg-cy promoted to primary in \d+ ms/);
    // promoted before any tenant was routed to Cyberjaya
    expect(promote.startedAt).toBeLessThan(steps.find((s) => s.key === "route")!.startedAt);
    expect((f.plan as unknown as PlanEntry[]).find((p) => p.slug === KL_TENANT)).toMatchObject({ action: "move", toRegionId: CY });

    // Served by Cyberjaya: writes, and reads of the guideline corpus from its (now primary) PostgreSQL.
    expect(await viaRouter(KL_TENANT)).toMatchObject({ status: 201, region: CY });
    expect(await viaRouter(KL_TENANT, "GET", "/guidelines")).toMatchObject({ status: 200, region: CY });
    expect(await h.federation.postgresPrimary()).toBe(CY);
    await h.poll();
    expect(pgReasons(CY)).not.toMatch(/expected/);

    // KL DC comes back: its PostgreSQL starts as the primary it was — two primaries, and health says so.
    await lab("up");
    const twoPrimaries = await waitFor(
      "KL DC's PostgreSQL reported as an unexpected primary",
      async () => {
        await h.poll();
        const r = pgReasons(KL);
        return /pg-kl is a primary \(promoted\); expected a replica/.test(r) ? r : null;
      },
      30_000,
      500,
    );
    expect(twoPrimaries).toBeTruthy();

    // Brought back: errant writes decided, KL DC's PostgreSQL rewound onto Cyberjaya's.
    await waitFor("KL DC reachable", async () => (await h.federation.regionSignals(KL)).console.reachable, 30_000, 250);
    const { done } = await bringBack(h, f.id, "KL DC power restored");
    expect(done.error).toBeNull();
    const pgStep = (done.steps as unknown as { key: string; detail: string }[]).find((s) => s.key === "postgres")!;
    expect(pgStep.detail).toMatch(/^pg-kl (rewound onto|needed no rewind to follow) pg-cy and started as its replica/);
    expect(await h.federation.postgresPrimary()).toBe(CY);
    await waitFor(
      "both PostgreSQL servers as the console expects (Cyberjaya primary, KL DC streaming from it)",
      async () => {
        await h.poll();
        return pgReasons(KL) === "" && pgReasons(CY) === "";
      },
      30_000,
      500,
    );

    // Zero loss: every write acknowledged before the kill or after the failover is readable in Cyberjaya.
    const ledger = await writer.stop();
    expect(ledger.acked.length).toBeGreaterThan(10);
    expect(
      await missingIn(
        CY,
        ledger.acked.map((w) => w.id),
      ),
    ).toEqual([]);
  }, 240_000);
});
