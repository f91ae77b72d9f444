import { routeOf, withParams } from "@/lib/http/route";
import { decideApprovalOp } from "@/lib/approvals/operations";

// POST /api/approvals/:id { decision: "approve" | "reject" } — a second admin decides.
export const POST = routeOf(decideApprovalOp, withParams({ id: "approvalId" }));
