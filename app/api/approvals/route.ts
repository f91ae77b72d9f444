import { routeOf } from "@/lib/http/route";
import { listApprovalsQuery } from "@/lib/approvals/operations";

// GET /api/approvals?pending=1 — admins.
export const GET = routeOf(listApprovalsQuery);
