"use server";
import { action } from "@/lib/http/action";
import { serviceContext } from "@/lib/runtime";
import { requestMoveSchema } from "./schemas";
import { requestMove } from "./service";

const request = action({ action: "tenant:move", auditAs: "tenant.move", schema: requestMoveSchema }, (g) =>
  requestMove(serviceContext(g.actor, g.requestId), g.input),
);

export async function requestMoveAction(raw: unknown) {
  return request(raw);
}
