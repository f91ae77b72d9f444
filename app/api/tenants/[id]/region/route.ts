import { routeOf, withParams } from "@/lib/http/route";
import { switchTenant } from "@/lib/tenants/operations";

// POST /api/tenants/:id/region  { targetRegionId, expectedVersion, reason? }
export const POST = routeOf(switchTenant, withParams({ id: "tenantId" }));
