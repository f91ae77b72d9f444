import { z } from "zod";
import { reasonSchema, regionIdSchema, tenantIdSchema } from "@/lib/tenants/schemas";

export const requestMoveSchema = z.strictObject({
  tenantId: tenantIdSchema,
  targetRegionId: regionIdSchema,
  reason: reasonSchema.optional(),
  /** The same key twice starts one move (double-clicks, retried requests). */
  /** Make the target the tenant's primary region once the move completes (re-home; needs a second admin). */
  rehome: z.boolean({ error: "rehome must be true or false" }).optional(),
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,100}$/, "idempotencyKey must be 8–100 letters, digits, '-' or '_'")
    .optional(),
});
export type RequestMoveInput = z.infer<typeof requestMoveSchema>;

export const preflightSchema = z.object({ tenantId: tenantIdSchema, targetRegionId: regionIdSchema });

export const moveIdSchema = z.object({ id: z.string().regex(/^mv_[a-z0-9]{10,40}$/, "move id is malformed") });
