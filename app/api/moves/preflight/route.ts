import { routeOf } from "@/lib/http/route";
import { preflightQuery } from "@/lib/moves/operations";

// GET /api/moves/preflight?tenantId=&targetRegionId=
export const GET = routeOf(preflightQuery);
