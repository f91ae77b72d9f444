import { routeOf } from "@/lib/http/route";
import { annotationsQuery } from "@/lib/telemetry/operations";

export const GET = routeOf(annotationsQuery);
