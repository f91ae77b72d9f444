import { routeOf } from "@/lib/http/route";
import { setFailoverModeOp } from "@/lib/failover/operations";

// POST /api/failover/mode {mode: auto|advisory|off, reason} — admins.
export const POST = routeOf(setFailoverModeOp);
