import { fromBody, fromQuery, routeOf, withParams } from "@/lib/http/route";
import { previewReturnQuery, requestReturnOp } from "@/lib/failover/operations";

// GET /api/failovers/:id/return — admins: what bringing the region back would find (its errant writes).
// POST /api/failovers/:id/return {reason, decision?: reapply|discard} — admins: bring it back.
export const GET = routeOf(previewReturnQuery, withParams({ id: "failoverId" }, fromQuery));
export const POST = routeOf(requestReturnOp, withParams({ id: "failoverId" }, fromBody));
