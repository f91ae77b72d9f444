import { z } from "zod";

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

export const reasonSchema = z.string().trim().max(500, "reason is longer than 500 characters");

export const switchRegionSchema = z.object({
  tenantId: tenantIdSchema,
  targetRegionId: regionIdSchema,
  /** The tenant version the person saw; a newer one means someone else changed it first. */
  expectedVersion: z.coerce.number({ error: "expectedVersion must be a number" }).int().min(1, "expectedVersion must be 1 or more"),
  reason: reasonSchema.optional(),
});
export type SwitchRegionInput = z.infer<typeof switchRegionSchema>;

export const tenantFilterSchema = z.object({
  q: z.string().trim().max(100, "search text is longer than 100 characters").optional(),
  region: regionIdSchema.optional(),
  state: z.string().trim().max(60, "state is longer than 60 characters").optional(),
  residency: z.enum(["locked", "unrestricted"], { error: "residency must be 'locked' or 'unrestricted'" }).optional(),
});
export type TenantFilter = z.infer<typeof tenantFilterSchema>;


