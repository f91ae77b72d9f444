import { routeOf } from "@/lib/http/route";
import { failoverOverviewQuery, requestFailoverOp } from "@/lib/failover/operations";

// GET /api/failovers — every signed-in role: settings, each region's assessment, failovers, decisions.
// POST /api/failovers {regionId, reason, decisionId?} — admins: fail a region over now.
export const GET = routeOf(failoverOverviewQuery);
export const POST = routeOf(requestFailoverOp);
