// Against the running lab: a bulk move approved by a second admin (T4 + T5) and the re-pin of an
// evacuated tenant after its primary recovers (T6), with writers on the moved tenants.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viaRouter, waitFor } from "@/lib/federation/lab/testing";
import { startLedgerWriter, missingIn } from "@/lib/federation/lab/ledger-writer";
import { createLabHarness, type Harness } from "@/lib/testing/harness";
import { Orchestrator } from "@/workers/orchestrator";
import { Repinner } from "@/workers/repin";
import { getMoveOrThrow, listMoves } from "./service";
import { requestBulkMoveOp, requestMoveOp } from "@/lib/moves/operations";
import { markRegionOp } from "@/lib/regions/operations";
import { decideApprovalOp } from "@/lib/approvals/operations";

let h: Harness;

beforeAll(async () => {
  h = await createLabHarness();
});

afterAll(async () => h?.close());

const orchestrator = () => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 10_000, concurrency: 2 });

describe("bulk move and re-pin on the lab", () => {
  it("moves three tenants after a second admin approves, with no acknowledged write lost", async () => {
    const tenants = ["klinik-kota-kinabalu", "klinik-sandakan", "klinik-kuching"];
    const writers = tenants.map((tenant) => startLedgerWriter({ tenant, concurrency: 1, intervalMs: 20 }));
    const r = await h.invoke(requestBulkMoveOp, h.actors.admin, { tenantIds: tenants, targetRegionId: "cyberjaya_1", reason: "lab bulk test" });
    expect(r.moves.every((m) => m.state === "awaiting_approval")).toBe(true);
    await orchestrator().drain(5000);
    expect((await getMoveOrThrow(h.services, r.moves[0].id)).state).toBe("awaiting_approval");
    await h.invoke(decideApprovalOp, h.actors.admin2, { approvalId: r.approval!.id, decision: "approve" });
    await orchestrator().drain(60_000);
    for (const m of r.moves) expect((await getMoveOrThrow(h.services, m.id)).state).toBe("completed");
    const ledgers = await Promise.all(writers.map((w) => w.stop()));
    for (const l of ledgers) {
      expect(
        await missingIn(
          "cyberjaya_1",
          l.acked.map((w) => w.id),
        ),
      ).toEqual([]);
      expect(l.acked.at(-1)!.region).toBe("cyberjaya_1");
    }
  });

  it("evacuates a tenant from a region in maintenance and re-pins it once the region has been healthy for the hold-down", async () => {
    await h.invoke(markRegionOp, h.actors.admin, { regionId: "kl_dc_1", down: true, reason: "lab maintenance" });
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1", reason: "evacuate KL DC" });
    expect(move.kind).toBe("evacuation");
    await orchestrator().drain(30_000);
    expect((await getMoveOrThrow(h.services, move.id)).state).toBe("completed");
    expect((await viaRouter("klinik-sibu", "GET", "/guidelines")).region).toBe("cyberjaya_1");

    const repin = new Repinner(h.services, { holdDownMs: 3000 });
    await h.invoke(markRegionOp, h.actors.admin, { regionId: "kl_dc_1", down: false });
    const t0 = Date.now();
    let seen = "";
    await waitFor(
      "the re-pin",
      async () => {
        await h.poll();
        const kl = h.live.region("kl_dc_1");
        seen = `KL DC ${kl?.status}: ${kl?.reasons.join("; ")} (lag peak ${kl?.figures.replicationLagPeakMs} ms)`;
        repin.observe(h.live.regions());
        return (await repin.evaluate()).includes("klinik-sibu");
      },
      // a region must be healthy and caught up for the whole hold-down: after the suite's earlier
      // partitions and kills its replication may still be settling
      60_000,
      500,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last seen: ${seen}`);
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    await orchestrator().drain(30_000);
    const [back] = await listMoves(h.services, { tenantId: "klinik-sibu", limit: 1 });
    expect(back).toMatchObject({ kind: "repin", state: "completed", toRegionId: "kl_dc_1" });
    expect((await viaRouter("klinik-sibu", "POST", "/records", { body: "home again" })).region).toBe("kl_dc_1");
  }, 180_000);
});
