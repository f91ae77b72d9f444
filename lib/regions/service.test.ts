import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { listRegions, markRegion } from "./service";
import { listAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { markRegionOp } from "@/lib/regions/operations";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

describe("markRegion", () => {
  it("marks a region down: persisted, federation and health follow, audited, listeners told", async () => {
    const events: boolean[] = [];
    const off = h.bus.on("regions:changed", (e) => events.push(e.markedDown));
    const view = await h.invoke(markRegionOp, h.actors.admin, { regionId: "cyberjaya_1", down: true, reason: "drill: Cyberjaya power loss" });
    off();
    expect(view).toMatchObject({ id: "cyberjaya_1", markedDown: true, markedBy: "admin@federation.local", markReason: "drill: Cyberjaya power loss" });
    expect(events).toEqual([true]);
    // ctx.refresh polled already: the live state says so without waiting for the next tick.
    expect(h.live.region("cyberjaya_1")?.status).toBe("down");
    const [entry] = await listAudit(h.database.prisma, { targetType: "region", targetId: "cyberjaya_1" });
    expect(entry).toMatchObject({ action: "region.mark_down", outcome: "succeeded", before: { markedDown: false }, after: { markedDown: true } });
  });

  it("refuses marking a region that is already down, audits the refusal", async () => {
    const err = await h.invoke(markRegionOp, h.actors.admin2, { regionId: "cyberjaya_1", down: true }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 409, message: expect.stringMatching(/already marked down \(by admin@federation.local\)/) });
    const [entry] = await listAudit(h.database.prisma, { targetType: "region", targetId: "cyberjaya_1" });
    expect(entry).toMatchObject({ outcome: "refused", actorEmail: "admin2@federation.local" });
  });

  it("marks it up again and the region recovers", async () => {
    await h.invoke(markRegionOp, h.actors.admin, { regionId: "cyberjaya_1", down: false });
    expect(h.live.region("cyberjaya_1")?.status).not.toBe("down");
    expect((await listRegions(h.services)).find((r) => r.id === "cyberjaya_1")?.markedDown).toBe(false);
  });

  it("refuses an unknown region with 404 and changes nothing", async () => {
    const before = await listRegions(h.services);
    const err = await h.invoke(markRegionOp, h.actors.admin, { regionId: "penang_1", down: true }).catch((e) => e);
    expect(err).toMatchObject({ status: 404, message: 'No region with id "penang_1".' });
    expect(await listRegions(h.services)).toEqual(before);
  });
});

describe("markRegion when the database write fails after the federation changed", () => {
  it("puts the federation back: no outage left behind without its record", async () => {
    // A database whose transactions fail at the annotation, after the federation was told.
    const db = h.database.prisma;
    const failing = new Proxy(db, {
      get(target, key) {
        if (key !== "$transaction") return Reflect.get(target, key);
        return (fn: (tx: unknown) => Promise<unknown>) =>
          target.$transaction((tx) =>
            fn(new Proxy(tx, { get: (t, k) => (k === "annotation" ? { create: async () => Promise.reject(new Error("disk full")) } : Reflect.get(t, k)) })),
          );
      },
    });
    const calls: boolean[] = [];
    const setRegionDown = h.federation.setRegionDown.bind(h.federation);
    h.federation.setRegionDown = async (id, down) => {
      calls.push(down);
      return setRegionDown(id, down);
    };
    try {
      const ctx = { ...h.ctx(h.actors.admin), db: failing as typeof db };
      await expect(markRegion(ctx, { regionId: "kl_dc_1", down: true, reason: "drill" })).rejects.toThrow("disk full");
    } finally {
      h.federation.setRegionDown = setRegionDown;
    }
    expect(calls).toEqual([true, false]);
    await h.poll();
    expect(h.live.region("kl_dc_1")?.status).not.toBe("down");
    expect((await listRegions(h.services)).find((r) => r.id === "kl_dc_1")?.markedDown).toBe(false);
  });
});
