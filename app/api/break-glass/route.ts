import { none, routeOf } from "@/lib/http/route";
import { activeBreakGlassQuery, endBreakGlassOp, startBreakGlassOp } from "@/lib/approvals/operations";

// Everyone sees who holds break-glass; admins start (reason + minutes) and end their own.
export const GET = routeOf(activeBreakGlassQuery);
export const POST = routeOf(startBreakGlassOp);
export const DELETE = routeOf(endBreakGlassOp, none);
