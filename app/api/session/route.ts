import { none, routeOf } from "@/lib/http/route";
import { keepAliveOp, sessionStatusQuery } from "@/lib/auth/operations";

// A1: the caller's own session. GET: when it ends (a background read: it does not keep the
// session alive). POST: "Stay signed in" (activity: the idle timeout starts again).
export const GET = routeOf(sessionStatusQuery);
export const POST = routeOf(keepAliveOp, none);
