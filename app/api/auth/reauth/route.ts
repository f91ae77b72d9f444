import { routeOf } from "@/lib/http/route";
import { reauthOp } from "@/lib/auth/operations";

// A1: re-enter the password ({ "password": "…" }); the most dangerous actions (break-glass)
// need one from the last 5 minutes. Beside next-auth's catch-all, which it takes precedence over.
export const POST = routeOf(reauthOp);
