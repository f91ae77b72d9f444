import { fromQuery, routeOf, withParams } from "@/lib/http/route";
import { getFailoverQuery } from "@/lib/failover/operations";

export const GET = routeOf(getFailoverQuery, withParams({ id: "id" }, fromQuery));
