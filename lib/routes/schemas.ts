import { z } from "zod";
import { text } from "@/lib/validation";

export const routeDriftQuerySchema = z.object({});

export const resolveDriftSchema = z.strictObject({
  resolution: z.enum(["keep_router", "push_console"], { error: "resolution must be 'keep_router' or 'push_console'" }),
  /** Why: required, it goes into the audit entry. */
  reason: text("reason", { max: 500, min: 5, multiline: true, minMessage: "reason must say why, in at least 5 characters" }),
});
export type ResolveDriftInput = z.infer<typeof resolveDriftSchema>;
