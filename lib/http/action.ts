import "server-only";
import { randomUUID } from "node:crypto";
import { currentActor } from "@/lib/auth/session";
import { toErrorBody, type ErrorBody } from "@/lib/errors";
import { execute } from "@/lib/ops/execute";
import type { Operation, ResultOf } from "@/lib/ops/operation";

export type ActionResult<R> = { ok: true; data: R } | ({ ok: false; status: number } & ErrorBody);

/**
 * The server-action adapter of an operation. Server actions are public endpoints: authorisation
 * happens here, inside the action, never only on the page that shows the button.
 */
export async function runAction<O extends Operation>(op: O, raw: unknown): Promise<ActionResult<ResultOf<O>>> {
  const requestId = randomUUID();
  try {
    return { ok: true, data: await execute(op, await currentActor({ activity: true }), raw, requestId) };
  } catch (e) {
    const { status, body } = toErrorBody(e, requestId);
    return { ok: false, status, ...body };
  }
}
