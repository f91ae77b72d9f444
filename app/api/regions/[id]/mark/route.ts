import { routeOf, withParams } from "@/lib/http/route";
import { markRegionOp } from "@/lib/regions/operations";

// POST /api/regions/:id/mark  { down: boolean, reason? }
export const POST = routeOf(markRegionOp, withParams({ id: "regionId" }));
