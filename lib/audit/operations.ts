import "server-only";
import { z } from "zod";
import { defineQuery } from "@/lib/ops/operation";
import { queryInt, text } from "@/lib/validation";
import { countResidencyViolationsPrevented, listAudit, verifyAuditChain } from "./service";

const querySchema = z.object({
  targetType: z
    .enum(["tenant", "region", "permission", "approval", "break_glass", "batch", "request"], {
      error: "targetType must be tenant, region, permission, approval, break_glass, batch or request",
    })
    .optional(),
  targetId: text("targetId", { max: 64 }).optional(),
  limit: queryInt("limit", 1, 500).optional(),
});

/** The audit log with its chain verified and the residency refusals counted (admin, compliance). */
export const auditQuery = defineQuery({
  name: "audit.list",
  permission: "audit:read",
  schema: querySchema,
  run: async (ctx, q) => {
    const [entries, chain, violationsPrevented] = await Promise.all([
      listAudit(ctx.db, q),
      verifyAuditChain(ctx.db),
      countResidencyViolationsPrevented(ctx.db),
    ]);
    return { entries, chain, violationsPrevented };
  },
});
