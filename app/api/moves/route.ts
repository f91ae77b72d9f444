import { routeOf } from "@/lib/http/route";
import { listMovesQuery, requestMoveOp } from "@/lib/moves/operations";

// GET /api/moves?active=1&tenantId=&batchId=&limit= — everyone; POST /api/moves — admins.
export const GET = routeOf(listMovesQuery);
export const POST = routeOf(requestMoveOp);
