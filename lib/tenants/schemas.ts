import { z } from "zod";
import { jsonInt, text } from "@/lib/validation";

// Ids are lower-case slugs: anything else is refused before it reaches the database.
export const tenantIdSchema = z
  .string({ error: "tenant id is required" })
  .trim()
  .min(2, "tenant id is too short")
  .max(64, "tenant id is longer than 64 characters")
  .regex(/^[a-z0-9][a-z0-9-]*$/, "tenant id may contain only a–z, 0–9 and '-'");

export const regionIdSchema = z
  .string({ error: "region id is required" })
  .trim()
  .min(2, "region id is too short")
  .max(40, "region id is longer than 40 characters")
  .regex(/^[a-z][a-z0-9_]*$/, "region id may contain only a–z, 0–9 and '_'");

/** Why a person asks for a change: free text, line breaks allowed. */
export const reasonSchema = text("reason", { max: 500, multiline: true });

export const switchRegionSchema = z.strictObject({
  tenantId: tenantIdSchema,
  targetRegionId: regionIdSchema,
  /** The tenant version the person saw; a newer one means someone else changed it first. */
  expectedVersion: jsonInt("expectedVersion", 1, 2_000_000_000),
  reason: reasonSchema.optional(),
});
export type SwitchRegionInput = z.infer<typeof switchRegionSchema>;

export const tenantFilterSchema = z.object({
  q: text("search text", { max: 100 }).optional(),
  region: regionIdSchema.optional(),
  /** A state's name (Sabah, Pulau Pinang, …): letters, spaces, ".", "'" and "-" only. */
  state: text("state", { max: 60 })
    .pipe(z.string().regex(/^[\p{L} .'-]*$/u, "state may contain only letters, spaces, '.', \"'\" and '-'"))
    .optional(),
  residency: z.enum(["locked", "unrestricted"], { error: "residency must be 'locked' or 'unrestricted'" }).optional(),
});
export type TenantFilter = z.infer<typeof tenantFilterSchema>;
