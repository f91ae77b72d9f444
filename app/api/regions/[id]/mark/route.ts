import { route, jsonBody } from "@/lib/http/route";
import { markRegionSchema } from "@/lib/regions/schemas";
import { markRegion } from "@/lib/regions/service";
import { serviceContext } from "@/lib/runtime";

// POST /api/regions/:id/mark  { down: boolean, reason? }
export const POST = route(
  {
    action: "region:mark",
    auditAs: "region.mark",
    schema: markRegionSchema,
    input: async (req, params) => ({ ...((await jsonBody(req)) as object), regionId: params.id }),
  },
  (g) => markRegion(serviceContext(g.actor, g.requestId), g.input),
);
