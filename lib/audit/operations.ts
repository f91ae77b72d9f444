import { z } from "zod";
import { defineQuery } from "@/lib/ops/operation";
import { countResidencyViolationsPrevented, listAudit, verifyAuditChain } from "./service";

const querySchema = z.object({
  targetType: z
    .enum(["tenant", "region", "permission", "approval", "break_glass", "batch", "request"], {
      error: "targetType must be tenant, region, permission, approval, break_glass, batch or request",
    })
    .optional(),
  targetId: z.string().max(64, "targetId is longer than 64 characters").optional(),
  limit: z.coerce.number().int().min(1).max(500, "limit is at most 500").optional(),
});

/** The audit log with its chain verified and the residency refusals counted (admin, compliance). */
export const auditQuery = defineQuery({
  name: "audit.list",
  permission: "audit:read",
  schema: querySchema,
  run: async (ctx, q) => {
    const [entries, chain, violationsPrevented] = await Promise.all([listAudit(ctx.db, q), verifyAuditChain(ctx.db), countResidencyViolationsPrevented(ctx.db)]);
    return { entries, chain, violationsPrevented };
  },
});
