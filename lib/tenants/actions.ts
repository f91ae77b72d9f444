"use server";
import { action } from "@/lib/http/action";
import { serviceContext } from "@/lib/runtime";
import { switchRegionSchema } from "./schemas";
import { switchTenantRegion } from "./service";

const switchRegion = action({ action: "tenant:switch", auditAs: "tenant.switch", schema: switchRegionSchema }, (g) =>
  switchTenantRegion(serviceContext(g.actor, g.requestId), g.input),
);

export async function switchTenantRegionAction(raw: unknown) {
  return switchRegion(raw);
}
