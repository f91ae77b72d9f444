import { fromQuery, routeOf, withParams } from "@/lib/http/route";
import { getMoveQuery } from "@/lib/moves/operations";

export const GET = routeOf(getMoveQuery, withParams({ id: "id" }, fromQuery));
