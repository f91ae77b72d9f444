import { route, queryObject } from "@/lib/http/route";
import { preflightSchema } from "@/lib/moves/schemas";
import { preflight } from "@/lib/moves/preflight";
import { runtime } from "@/lib/runtime";

// GET /api/moves/preflight?tenantId=&targetRegionId= — what a move would meet, before confirming.
export const GET = route({ action: "tenant:move", schema: preflightSchema, input: (req) => queryObject(req) }, ({ input }) => {
  const rt = runtime();
  return preflight(rt.database.prisma, rt.live, input.tenantId, input.targetRegionId);
});
