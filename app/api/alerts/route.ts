import { routeOf } from "@/lib/http/route";
import { alertsQuery } from "@/lib/telemetry/operations";

export const GET = routeOf(alertsQuery);
