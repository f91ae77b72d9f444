import { routeOf } from "@/lib/http/route";
import { panelHistoryQuery } from "@/lib/telemetry/operations";

export const GET = routeOf(panelHistoryQuery);
