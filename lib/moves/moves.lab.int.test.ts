// Against the running lab: tenant moves run by the console's orchestrator on real servers.
// A writer keeps writing to the tenant through HAProxy during every move; afterwards every
// acknowledged write must be in the target region's database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, viaRouter } from "@/lib/federation/lab/testing";
import { startLedgerWriter, missingIn } from "@/lib/federation/lab/ledger-writer";
import { createLabHarness, type Harness } from "@/lib/testing/harness";
import type { Federation } from "@/lib/federation/types";
import { Orchestrator } from "@/workers/orchestrator";
import { getMoveOrThrow } from "./service";
import { requestMoveOp } from "@/lib/moves/operations";

let h: Harness;
let federation: Federation;

beforeAll(async () => {
  h = await createLabHarness();
  federation = h.federation;
});

afterAll(async () => h?.close());

const orchestrator = (opts = {}) => new Orchestrator(h.database, h.services, { catchUpTimeoutMs: 10_000, ...opts });

describe("moves on the lab", () => {
  it("moves a tenant under continuous writes and loses no acknowledged write", async () => {
    const writer = startLedgerWriter({ tenant: "klinik-sandakan", concurrency: 2, intervalMs: 10 });
    await sleep(1000);
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, {
      tenantId: "klinik-sandakan",
      targetRegionId: "cyberjaya_1",
      reason: "lab zero-loss test",
    });
    await orchestrator().drain(30_000);
    await sleep(1000);
    const ledger = await writer.stop();
    const m = await getMoveOrThrow(h.services, move.id);
    expect(m.state).toBe("completed");
    expect(m.steps.find((s) => s.key === "catch_up")!.detail).toMatch(/cyberjaya_1 applied kl_dc_1's writes up to/);

    expect(ledger.acked.length).toBeGreaterThan(20);
    expect(ledger.acked.some((w) => w.region === "kl_dc_1")).toBe(true);
    expect(ledger.acked.at(-1)!.region).toBe("cyberjaya_1");
    // Zero loss: every acknowledged write, from either region, is in the target now.
    expect(
      await missingIn(
        "cyberjaya_1",
        ledger.acked.map((w) => w.id),
      ),
    ).toEqual([]);
    // The writers saw one short window of refusals (503 while fenced), no more.
    const windows = ledger.unavailableWindows.filter((w) => !w.open);
    expect(windows.length).toBeLessThanOrEqual(1);
    const worst = Math.max(0, ...windows.map((w) => w.ms));
    expect(worst).toBeLessThan(3000);
    console.log(
      `lab move of klinik-sandakan: ${ledger.acked.length} writes acknowledged, write-unavailability ${worst} ms, recorded pause ${m.writePauseMs} ms`,
    );
    expect((await viaRouter("klinik-sandakan", "GET", "/guidelines")).region).toBe("cyberjaya_1");
  });

  it("resumes a move whose console died while the tenant was fenced; nothing is lost and the fence is released", async () => {
    const writer = startLedgerWriter({ tenant: "klinik-miri", concurrency: 2, intervalMs: 10 });
    await sleep(500);
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" });
    await orchestrator({ crashAfter: "catch_up" }).drain(30_000);
    expect((await getMoveOrThrow(h.services, move.id)).state).toBe("running");
    expect(await federation.fencedTenants()).toContainEqual({ tenant: "klinik-miri", regionId: "kl_dc_1" });
    expect((await viaRouter("klinik-miri", "POST", "/records", { body: "while fenced" })).status).toBe(503);

    await orchestrator().drain(30_000); // the console restarted
    const m = await getMoveOrThrow(h.services, move.id);
    expect(m.state).toBe("completed");
    expect(await federation.fencedTenants()).not.toContainEqual({ tenant: "klinik-miri", regionId: "kl_dc_1" });
    await sleep(500);
    const ledger = await writer.stop();
    expect(
      await missingIn(
        "cyberjaya_1",
        ledger.acked.map((w) => w.id),
      ),
    ).toEqual([]);
    expect(ledger.acked.at(-1)!.region).toBe("cyberjaya_1");
  });

  it("rolls back to the source when the target refuses the verification write", async () => {
    // The target refuses this tenant's writes: verification must fail and the move roll back.
    await federation.fenceTenant("klinik-sibu", "cyberjaya_1", true);
    try {
      const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1" });
      await orchestrator().drain(30_000);
      const m = await getMoveOrThrow(h.services, move.id);
      expect(m.state).toBe("rolled_back");
      expect(m.steps.find((s) => s.key === "verify")!.status).toBe("failed");
      expect((await viaRouter("klinik-sibu", "POST", "/records", { body: "after rollback" })).region).toBe("kl_dc_1");
      expect(await federation.fencedTenants()).not.toContainEqual({ tenant: "klinik-sibu", regionId: "kl_dc_1" });
    } finally {
      await federation.fenceTenant("klinik-sibu", "cyberjaya_1", false);
    }
  });
});
