import { routeOf } from "@/lib/http/route";
import { freezeFailoverOp } from "@/lib/failover/operations";

// POST /api/failover/freeze {reason, until} — admins: no automatic action until `until`.
export const POST = routeOf(freezeFailoverOp);
