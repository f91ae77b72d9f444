import { routeOf } from "@/lib/http/route";
import { unfreezeFailoverOp } from "@/lib/failover/operations";

// POST /api/failover/unfreeze {reason} — admins.
export const POST = routeOf(unfreezeFailoverOp);
