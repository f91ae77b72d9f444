import { z } from "zod";
import { route, jsonBody, queryObject } from "@/lib/http/route";
import { requestMoveSchema } from "@/lib/moves/schemas";
import { listMoves, requestMove } from "@/lib/moves/service";
import { runtime, serviceContext } from "@/lib/runtime";
import { tenantIdSchema } from "@/lib/tenants/schemas";

const listSchema = z.object({
  active: z.enum(["1", "0"], { error: "active must be 1 or 0" }).optional(),
  tenantId: tenantIdSchema.optional(),
  batchId: z.string().regex(/^mb_[A-Za-z0-9_-]{8,70}$/, "batchId is malformed").optional(),
  limit: z.coerce.number().int().min(1).max(200, "limit is at most 200").optional(),
});

// GET /api/moves?active=1 — everyone watches moves; POST /api/moves — admins request one.
export const GET = route({ action: "tenants:read", schema: listSchema, input: (req) => queryObject(req) }, ({ input }) =>
  listMoves(runtime().database.prisma, { active: input.active === "1", tenantId: input.tenantId, batchId: input.batchId, limit: input.limit }, runtime().live),
);

export const POST = route({ action: "tenant:move", auditAs: "tenant.move", schema: requestMoveSchema, input: (req) => jsonBody(req) }, (g) =>
  requestMove(serviceContext(g.actor, g.requestId), g.input),
);
