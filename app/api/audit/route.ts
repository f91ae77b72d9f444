import { z } from "zod";
import { route, queryObject } from "@/lib/http/route";
import { listAudit, verifyAuditChain, countResidencyViolationsPrevented } from "@/lib/audit/service";
import { runtime } from "@/lib/runtime";

const querySchema = z.object({
  targetType: z.enum(["tenant", "region", "permission"], { error: "targetType must be tenant, region or permission" }).optional(),
  targetId: z.string().max(64, "targetId is longer than 64 characters").optional(),
  limit: z.coerce.number().int().min(1).max(500, "limit is at most 500").optional(),
});

export const GET = route({ action: "audit:read", schema: querySchema, input: (req) => queryObject(req) }, async ({ input }) => {
  const db = runtime().database.prisma;
  const [entries, chain, violationsPrevented] = await Promise.all([
    listAudit(db, input),
    verifyAuditChain(db),
    countResidencyViolationsPrevented(db),
  ]);
  return { entries, chain, violationsPrevented };
});
