// Against the running lab: a bulk move approved by a second admin (T4 + T5) and the re-pin of an
// evacuated tenant after its primary recovers (T6), with writers on the moved tenants.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viaRouter, waitFor } from "@/lib/federation/lab/testing";
import { startLedgerWriter, missingIn } from "@/lib/federation/lab/ledger-writer";
import { createLabHarness, type Harness } from "@/lib/testing/harness";
import type { Federation } from "@/lib/federation/types";
import { Orchestrator } from "@/workers/orchestrator";
import { Repinner } from "@/workers/repin";
import { requestBulkMove, requestMove, getMoveOrThrow, listMoves } from "./service";
import { decideApproval } from "@/lib/approvals/service";
import { markRegion } from "@/lib/regions/service";

let h: Harness;
let federation: Federation;

beforeAll(async () => {
  h = await createLabHarness();
  federation = h.federation;
});

afterAll(async () => h?.close());

const orchestrator = () => new Orchestrator(h.database, federation, h.live, h.bus, { catchUpTimeoutMs: 10_000, concurrency: 2 });

describe("bulk move and re-pin on the lab", () => {
  it("moves three tenants after a second admin approves, with no acknowledged write lost", async () => {
    const tenants = ["klinik-kota-kinabalu", "klinik-sandakan", "klinik-kuching"];
    const writers = tenants.map((tenant) => startLedgerWriter({ tenant, concurrency: 1, intervalMs: 20 }));
    const r = await requestBulkMove(h.ctx(h.actors.admin), { tenantIds: tenants, targetRegionId: "cyberjaya_1", reason: "lab bulk test" });
    expect(r.moves.every((m) => m.state === "awaiting_approval")).toBe(true);
    await orchestrator().drain(5000);
    expect((await getMoveOrThrow(h.database.prisma, r.moves[0].id)).state).toBe("awaiting_approval");
    await decideApproval(h.ctx(h.actors.admin2), { approvalId: r.approval!.id, decision: "approve" });
    await orchestrator().drain(60_000);
    for (const m of r.moves) expect((await getMoveOrThrow(h.database.prisma, m.id)).state).toBe("completed");
    const ledgers = await Promise.all(writers.map((w) => w.stop()));
    for (const l of ledgers) {
      expect(await missingIn("cyberjaya_1", l.acked.map((w) => w.id))).toEqual([]);
      expect(l.acked.at(-1)!.region).toBe("cyberjaya_1");
    }
  });

  it("evacuates a tenant from a region in maintenance and re-pins it once the region has been healthy for the hold-down", async () => {
    await markRegion(h.ctx(h.actors.admin), { regionId: "kl_dc_1", down: true, reason: "lab maintenance" });
    const { move } = await requestMove(h.ctx(h.actors.admin), { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1", reason: "evacuate KL DC" });
    expect(move.kind).toBe("evacuation");
    await orchestrator().drain(30_000);
    expect((await getMoveOrThrow(h.database.prisma, move.id)).state).toBe("completed");
    expect((await viaRouter("klinik-sibu", "GET", "/guidelines")).region).toBe("cyberjaya_1");

    const repin = new Repinner(h.database.prisma, federation, h.live, h.bus, { holdDownMs: 3000 });
    await markRegion(h.ctx(h.actors.admin), { regionId: "kl_dc_1", down: false });
    const t0 = Date.now();
    await waitFor(
      "the re-pin",
      async () => {
        await h.poll();
        repin.observe(h.live.regions());
        return (await repin.evaluate()).includes("klinik-sibu");
      },
      30_000,
      500,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    await orchestrator().drain(30_000);
    const [back] = await listMoves(h.database.prisma, { tenantId: "klinik-sibu", limit: 1 });
    expect(back).toMatchObject({ kind: "repin", state: "completed", toRegionId: "kl_dc_1" });
    expect((await viaRouter("klinik-sibu", "POST", "/records", { body: "home again" })).region).toBe("kl_dc_1");
  });
});
