import { routeOf } from "@/lib/http/route";
import { resolveRouteDriftOp } from "@/lib/routes/operations";

// POST /api/routes/drift/resolve  { resolution: "keep_router" | "push_console", reason }
export const POST = routeOf(resolveRouteDriftOp);
