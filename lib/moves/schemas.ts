import { z } from "zod";
import { reasonSchema, regionIdSchema, tenantIdSchema } from "@/lib/tenants/schemas";

export const requestMoveSchema = z.object({
  tenantId: tenantIdSchema,
  targetRegionId: regionIdSchema,
  reason: reasonSchema.optional(),
  /** The same key twice starts one move (double-clicks, retried requests). */
  idempotencyKey: z.string().trim().min(8, "idempotencyKey must be at least 8 characters").max(100, "idempotencyKey is longer than 100 characters").optional(),
});
export type RequestMoveInput = z.infer<typeof requestMoveSchema>;

export const preflightSchema = z.object({ tenantId: tenantIdSchema, targetRegionId: regionIdSchema });

export const moveIdSchema = z.object({ id: z.string().regex(/^mv_[a-z0-9]{10,40}$/, "move id is malformed") });
