import { routeOf } from "@/lib/http/route";
import { requestBulkMoveOp } from "@/lib/moves/operations";

// POST /api/moves/bulk { tenantIds, targetRegionId, reason?, idempotencyKey? } — T4.
export const POST = routeOf(requestBulkMoveOp);
