import { routeOf } from "@/lib/http/route";
import { routeDriftQuery } from "@/lib/routes/operations";

// GET /api/routes/drift — the open route drift (router's table ≠ the console's)
export const GET = routeOf(routeDriftQuery);
