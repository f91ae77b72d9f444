import { z } from "zod";
import { reasonSchema, regionIdSchema } from "@/lib/tenants/schemas";

export const markRegionSchema = z.strictObject({
  regionId: regionIdSchema,
  down: z.boolean({ error: "down must be true or false" }),
  reason: reasonSchema.optional(),
});
export type MarkRegionInput = z.infer<typeof markRegionSchema>;
