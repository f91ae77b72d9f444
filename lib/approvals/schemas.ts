import { z } from "zod";

export const decideSchema = z.object({
  approvalId: z.string().regex(/^ap_[a-f0-9]{16}$/, "approval id is malformed"),
  decision: z.enum(["approve", "reject"], { error: "decision must be approve or reject" }),
});

export const breakGlassSchema = z.object({
  reason: z.string({ error: "a reason is required" }).trim().min(10, "say why in at least 10 characters").max(500, "reason is longer than 500 characters"),
  minutes: z.coerce.number({ error: "minutes must be a number" }).int().min(1, "at least 1 minute").max(60, "break-glass lasts at most 60 minutes"),
});

export const bulkMoveSchema = z.object({
  tenantIds: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, "tenant id is malformed"), { error: "tenantIds must be a list" }).min(1, "select at least one tenant").max(100, "at most 100 tenants per bulk move"),
  targetRegionId: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "region id is malformed"),
  reason: z.string().trim().max(500, "reason is longer than 500 characters").optional(),
  idempotencyKey: z.string().trim().regex(/^[A-Za-z0-9_-]{8,64}$/, "idempotencyKey must be 8–64 letters, digits, '-' or '_'").optional(),
});
