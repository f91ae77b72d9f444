import { routeOf } from "@/lib/http/route";
import { listRegionsQuery } from "@/lib/regions/operations";

export const GET = routeOf(listRegionsQuery);
