import { route, jsonBody } from "@/lib/http/route";
import { decideSchema } from "@/lib/approvals/schemas";
import { decideApproval } from "@/lib/approvals/service";
import { serviceContext } from "@/lib/runtime";

// POST /api/approvals/:id { decision: "approve" | "reject" } — a second admin decides.
export const POST = route(
  {
    action: "approval:decide",
    auditAs: "approval.decide",
    schema: decideSchema,
    input: async (req, params) => ({ ...((await jsonBody(req)) as object), approvalId: params.id }),
  },
  (g) => decideApproval(serviceContext(g.actor, g.requestId), g.input),
);
