import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { IllegalTransitionError, StaleTransitionError } from "@/lib/state-machine";
import { requestMoveOp } from "@/lib/moves/operations";
import { ACTIVE_STATES, MOVE_STATES, transitionMove, transitionMoves } from "./state-machine";
import { APPROVAL_STATES, transitionApproval } from "@/lib/approvals/state-machine";

// The guarded updates over a real database: a transition applies only from the state it names.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.database.prisma.tenant.update({ where: { id: "klinik-kuantan" }, data: { allowedRegions: ["kl_dc_1", "cyberjaya_1"] } });
});
afterAll(async () => h?.close());

const row = (id: string) => h.database.prisma.move.findUniqueOrThrow({ where: { id } });

describe("transitionMove", () => {
  it("applies an allowed transition with its data, and refuses a stale or illegal one without writing", async () => {
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" });
    expect(move.state).toBe("queued");
    const before = await row(move.id);
    await new Promise((r) => setTimeout(r, 5));

    await transitionMove(h.database.prisma, move.id, "queued", "running", { step: "preflight" });
    const after = await row(move.id);
    expect(after).toMatchObject({ state: "running", step: "preflight" });
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());

    // Someone else moved it on already: detected, nothing written.
    const stale = await transitionMove(h.database.prisma, move.id, "queued", "running", { step: "fence" }).catch((e) => e);
    expect(stale).toBeInstanceOf(StaleTransitionError);
    expect(stale.message).toBe(`move ${move.id} is running, not queued: it changed meanwhile; queued → running not applied.`);
    // Not in the table: refused before the database is asked.
    await expect(transitionMove(h.database.prisma, move.id, "running", "queued")).rejects.toThrow(IllegalTransitionError);
    await expect(transitionMove(h.database.prisma, move.id, "running", "queued")).rejects.toThrow(/running → queued/);
    await expect(transitionMove(h.database.prisma, "mv_0000000000000000", "running", "completed")).rejects.toThrow(/no longer exists/);
    expect(await row(move.id)).toMatchObject({ state: "running", step: "preflight" });

    await transitionMove(h.database.prisma, move.id, "running", "rolling_back", { error: "test" });
    await transitionMove(h.database.prisma, move.id, "rolling_back", "rolled_back", { finishedAt: new Date() });
    expect((await row(move.id)).state).toBe("rolled_back");
  });

  it("moves only the matching moves that are in the from-state (transitionMoves)", async () => {
    const { move, approval } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kuantan", targetRegionId: "cyberjaya_1" });
    expect(move.state).toBe("awaiting_approval");
    expect(await transitionMoves(h.database.prisma, { approvalId: approval!.id }, "queued", "running")).toBe(0);
    expect(await transitionMoves(h.database.prisma, { approvalId: approval!.id }, "awaiting_approval", "rejected", { finishedAt: new Date() })).toBe(1);
    expect(await transitionMoves(h.database.prisma, { approvalId: approval!.id }, "awaiting_approval", "rejected")).toBe(0);
    await expect(transitionMoves(h.database.prisma, { approvalId: approval!.id }, "rejected", "queued")).rejects.toThrow(
      /rejected → queued.*rejected is final/,
    );
    expect((await row(move.id)).state).toBe("rejected");
    // The approval itself: guarded the same way.
    await transitionApproval(h.database.prisma, approval!.id, "pending", "rejected", { decidedBy: "admin2@federation.local", decidedAt: new Date() });
    await expect(transitionApproval(h.database.prisma, approval!.id, "pending", "expired")).rejects.toThrow(
      `approval ${approval!.id} is rejected, not pending`,
    );
    await expect(transitionApproval(h.database.prisma, approval!.id, "rejected", "approved")).rejects.toThrow(IllegalTransitionError);
  });
});

describe("the database's states", () => {
  it("are the machines' states (enum types), and the one-active-move index holds exactly the active states", async () => {
    const labels = async (t: string) =>
      (await h.database.prisma.$queryRawUnsafe<{ l: string }[]>(`SELECT unnest(enum_range(NULL::"${t}"))::text AS l`)).map((r) => r.l);
    expect(await labels("MoveState")).toEqual([...MOVE_STATES]);
    expect(await labels("ApprovalState")).toEqual([...APPROVAL_STATES]);
    const [ix] = await h.database.prisma.$queryRawUnsafe<{ def: string }[]>(
      `SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'moves_one_active_per_tenant'`,
    );
    const predicate = ix.def.slice(ix.def.indexOf("WHERE"));
    expect([...predicate.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort()).toEqual([...ACTIVE_STATES].sort());
    // A value outside the enum is refused by the database itself.
    await expect(h.database.prisma.$executeRawUnsafe(`UPDATE "moves" SET "state" = 'paused' WHERE false`)).rejects.toThrow(/invalid input value for enum/);
  });
});
