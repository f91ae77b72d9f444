"use server";
import { action } from "@/lib/http/action";
import { serviceContext } from "@/lib/runtime";
import { breakGlassSchema, bulkMoveSchema, decideSchema } from "./schemas";
import { decideApproval, endBreakGlass, startBreakGlass } from "./service";
import { requestBulkMove } from "@/lib/moves/service";
import { z } from "zod";

const decide = action({ action: "approval:decide", auditAs: "approval.decide", schema: decideSchema }, (g) => decideApproval(serviceContext(g.actor, g.requestId), g.input));
const bulk = action({ action: "tenant:move", auditAs: "tenant.bulk_move", schema: bulkMoveSchema }, (g) => requestBulkMove(serviceContext(g.actor, g.requestId), g.input));
const startGlass = action({ action: "break_glass", auditAs: "break_glass.start", schema: breakGlassSchema }, (g) => startBreakGlass(serviceContext(g.actor, g.requestId), g.input));
const endGlass = action({ action: "break_glass", auditAs: "break_glass.end", schema: z.object({}) }, (g) => endBreakGlass(serviceContext(g.actor, g.requestId)));

export async function decideApprovalAction(raw: unknown) {
  return decide(raw);
}
export async function requestBulkMoveAction(raw: unknown) {
  return bulk(raw);
}
export async function startBreakGlassAction(raw: unknown) {
  return startGlass(raw);
}
export async function endBreakGlassAction() {
  return endGlass({});
}
