import { routeOf } from "@/lib/http/route";
import { listTenantsQuery } from "@/lib/tenants/operations";

// GET /api/tenants?q=&region=&state=&residency=
export const GET = routeOf(listTenantsQuery);
