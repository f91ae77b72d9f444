"use server";
import { action } from "@/lib/http/action";
import { serviceContext } from "@/lib/runtime";
import { markRegionSchema } from "./schemas";
import { markRegion } from "./service";

const mark = action({ action: "region:mark", auditAs: "region.mark", schema: markRegionSchema }, (g) =>
  markRegion(serviceContext(g.actor, g.requestId), g.input),
);

export async function markRegionAction(raw: unknown) {
  return mark(raw);
}
