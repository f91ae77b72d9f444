import "server-only";
import { z } from "zod";
import { defineMutation, defineQuery } from "@/lib/ops/operation";
import { queryInt } from "@/lib/validation";
import { bulkMoveSchema } from "@/lib/approvals/schemas";
import { tenantIdSchema } from "@/lib/tenants/schemas";
import { moveIdSchema, preflightSchema, requestMoveSchema } from "./schemas";
import { preflight } from "./preflight";
import { getMoveOrThrow, listMoves, moveTarget, requestBulkMove, requestMove } from "./service";

const listSchema = z.object({
  active: z.enum(["1", "0"], { error: "active must be 1 or 0" }).optional(),
  tenantId: tenantIdSchema.optional(),
  batchId: z
    .string()
    .regex(/^mb_[A-Za-z0-9_-]{8,70}$/, "batchId is malformed")
    .optional(),
  limit: queryInt("limit", 1, 200).optional(),
});

/** Everyone watches moves. */
export const listMovesQuery = defineQuery({
  name: "moves.list",
  permission: "tenants:read",
  schema: listSchema,
  run: (ctx, q) => listMoves(ctx, { ...q, active: q.active === "1" }),
});

export const getMoveQuery = defineQuery({
  name: "moves.get",
  permission: "tenants:read",
  schema: moveIdSchema,
  run: (ctx, q) => getMoveOrThrow(ctx, q.id),
});

/** What a move would meet, before the admin confirms. */
export const preflightQuery = defineQuery({
  name: "moves.preflight",
  permission: "tenant:move",
  schema: preflightSchema,
  run: preflight,
});

/** T3: a staged move, run by the orchestrator. */
export const requestMoveOp = defineMutation({
  name: "tenant.move",
  permission: "tenant:move",
  schema: requestMoveSchema,
  target: moveTarget,
  run: (ctx, input) => requestMove(ctx, input),
});

/** T6: the console's own move back to the primary once it recovered (the repin worker). */
export const requestRepinOp = defineMutation({
  name: "tenant.move",
  permission: "tenant:move",
  schema: requestMoveSchema,
  target: moveTarget,
  run: (ctx, input) => requestMove(ctx, { ...input, rehome: false, kind: "repin" }),
});

/** T4: several tenants to one region, under dual control. */
export const requestBulkMoveOp = defineMutation({
  name: "tenant.bulk_move",
  permission: "tenant:move",
  schema: bulkMoveSchema,
  target: (i) => ({ type: "batch", id: null, details: { tenants: i.tenantIds, requestedRegionId: i.targetRegionId } }),
  run: requestBulkMove,
});
