import { route, jsonBody } from "@/lib/http/route";
import { switchRegionSchema } from "@/lib/tenants/schemas";
import { switchTenantRegion } from "@/lib/tenants/service";
import { serviceContext } from "@/lib/runtime";

// POST /api/tenants/:id/region  { targetRegionId, expectedVersion, reason? }
export const POST = route(
  {
    action: "tenant:switch",
    auditAs: "tenant.switch",
    schema: switchRegionSchema,
    input: async (req, params) => ({ ...((await jsonBody(req)) as object), tenantId: params.id }),
  },
  (g) => switchTenantRegion(serviceContext(g.actor, g.requestId), g.input),
);
