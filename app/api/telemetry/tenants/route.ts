import { routeOf } from "@/lib/http/route";
import { tenantLatencyQuery } from "@/lib/telemetry/operations";

export const GET = routeOf(tenantLatencyQuery);
