import { routeOf } from "@/lib/http/route";
import { overviewQuery } from "@/lib/telemetry/operations";

export const GET = routeOf(overviewQuery);
