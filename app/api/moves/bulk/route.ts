import { route, jsonBody } from "@/lib/http/route";
import { bulkMoveSchema } from "@/lib/approvals/schemas";
import { requestBulkMove } from "@/lib/moves/service";
import { serviceContext } from "@/lib/runtime";

// POST /api/moves/bulk { tenantIds, targetRegionId, reason?, idempotencyKey? } — T4.
export const POST = route({ action: "tenant:move", auditAs: "tenant.bulk_move", schema: bulkMoveSchema, input: (req) => jsonBody(req) }, (g) =>
  requestBulkMove(serviceContext(g.actor, g.requestId), g.input),
);
