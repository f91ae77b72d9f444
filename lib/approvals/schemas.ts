import { z } from "zod";
import { jsonInt, text } from "@/lib/validation";
import { reasonSchema } from "@/lib/tenants/schemas";

export const decideSchema = z.strictObject({
  approvalId: z.string().regex(/^ap_[a-f0-9]{16}$/, "approval id is malformed"),
  decision: z.enum(["approve", "reject"], { error: "decision must be approve or reject" }),
});

export const breakGlassSchema = z.strictObject({
  reason: text("reason", { min: 10, max: 500, multiline: true, minMessage: "say why in at least 10 characters" }),
  minutes: jsonInt("minutes", 1, 60, "at least 1 minute", "break-glass lasts at most 60 minutes"),
});

export const bulkMoveSchema = z.strictObject({
  tenantIds: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, "tenant id is malformed"), { error: "tenantIds must be a list" })
    .min(1, "select at least one tenant")
    .max(100, "at most 100 tenants per bulk move"),
  targetRegionId: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "region id is malformed"),
  reason: reasonSchema.optional(),
  /** Make the target every moved tenant's primary region (re-home). */
  rehome: z.boolean({ error: "rehome must be true or false" }).optional(),
  idempotencyKey: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "idempotencyKey must be 8–64 letters, digits, '-' or '_'")
    .optional(),
});
