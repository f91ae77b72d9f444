import "server-only";
import { z } from "zod";
import { defineMutation, defineQuery } from "@/lib/ops/operation";
import { breakGlassSchema, decideSchema } from "./schemas";
import { activeBreakGlass, decideApproval, endBreakGlass, listApprovals, startBreakGlass } from "./service";
import { requireRecentReauth } from "@/lib/auth/service";

export const listApprovalsQuery = defineQuery({
  name: "approvals.list",
  permission: "approvals:read",
  schema: z.object({ pending: z.enum(["1", "0"], { error: "pending must be 1 or 0" }).optional() }),
  run: (ctx, q) => listApprovals(ctx, { pending: q.pending === "1" }),
});

/** T5: a second admin approves or rejects a request. */
export const decideApprovalOp = defineMutation({
  name: "approval.decide",
  permission: "approval:decide",
  schema: decideSchema,
  target: (i) => ({ type: "approval", id: i.approvalId, action: `approval.${i.decision}` }),
  run: decideApproval,
});

/** Everyone sees who holds break-glass. */
export const activeBreakGlassQuery = defineQuery({
  name: "break_glass.list",
  permission: "overview:read",
  schema: z.object({}),
  run: (ctx) => activeBreakGlass(ctx.db),
});

/** A1: one of the most dangerous actions: the session must have re-entered its password in the last 5 minutes. */
export const startBreakGlassOp = defineMutation({
  name: "break_glass.start",
  permission: "break_glass",
  schema: breakGlassSchema,
  target: () => ({ type: "break_glass", id: null }),
  run: async (ctx, input) => {
    await requireRecentReauth(ctx, "Starting break-glass");
    return startBreakGlass(ctx, input);
  },
});

export const endBreakGlassOp = defineMutation({
  name: "break_glass.end",
  permission: "break_glass",
  schema: z.strictObject({}),
  target: () => ({ type: "break_glass", id: null }),
  run: async (ctx) => {
    await endBreakGlass(ctx);
    return { ended: true };
  },
});
