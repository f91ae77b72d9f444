import { z } from "zod";
import { RANGE_KEYS, type RangeKey } from "./ranges";
import { regionIdSchema } from "@/lib/tenants/schemas";

export const historyQuerySchema = z.object({
  panel: z.enum(["health", "replication", "inference"], { error: "panel must be health, replication or inference" }),
  range: z.enum(RANGE_KEYS as [RangeKey, ...RangeKey[]], { error: `range must be one of ${RANGE_KEYS.join(", ")}` }),
  region: regionIdSchema.optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const annotationsQuerySchema = z.object({
  range: z.enum(RANGE_KEYS as [RangeKey, ...RangeKey[]], { error: `range must be one of ${RANGE_KEYS.join(", ")}` }).default("15m"),
});
