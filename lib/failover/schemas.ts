import { z } from "zod";
import { reasonSchema, regionIdSchema } from "@/lib/tenants/schemas";
import { FAILOVER_MODES } from "./types";

const requiredReason = reasonSchema.refine((s) => s.trim().length > 0, "a reason is required");

/** POST /api/failovers: an admin fails a region over now (or acts on the engine's advice). */
export const requestFailoverSchema = z.strictObject({
  regionId: regionIdSchema,
  reason: requiredReason,
  /** The advisory decision acted on, if any (counts toward the agreement figures). */
  decisionId: z
    .string()
    .regex(/^dc_[a-f0-9]{16}$/, "decisionId is malformed")
    .optional(),
});
export type RequestFailoverInput = z.infer<typeof requestFailoverSchema>;

export const failoverModeSchema = z.strictObject({
  mode: z.enum(FAILOVER_MODES as [string, ...string[]], { error: `mode must be one of ${FAILOVER_MODES.join(", ")}` }),
  reason: requiredReason,
});
export type FailoverModeInput = z.infer<typeof failoverModeSchema>;

/** POST /api/failover/freeze: stops automatic action until `until` (ISO time, in the future, at most 7 days). */
export const freezeSchema = z.strictObject({
  reason: requiredReason,
  until: z.iso.datetime({ offset: true, error: "until must be an ISO date-time, e.g. 2026-11-23T18:00:00Z" }),
});
export type FreezeInput = z.infer<typeof freezeSchema>;

export const unfreezeSchema = z.strictObject({ reason: requiredReason });
export type UnfreezeInput = z.infer<typeof unfreezeSchema>;

export const failoverIdSchema = z.object({ id: z.string().regex(/^fo_[a-f0-9]{16}$/, "failover id is malformed") });

/** POST /api/failovers/:id/return: bring the region back (a decision on its errant writes when it has any). */
export const requestReturnSchema = z.strictObject({
  failoverId: z.string().regex(/^fo_[a-f0-9]{16}$/, "failover id is malformed"),
  reason: requiredReason,
  decision: z.enum(["reapply", "discard"], { error: "decision must be reapply or discard" }).optional(),
});
export type RequestReturnInput = z.infer<typeof requestReturnSchema>;

export const failoverRefSchema = z.object({ failoverId: z.string().regex(/^fo_[a-f0-9]{16}$/, "failover id is malformed") });
