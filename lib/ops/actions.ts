"use server";
import { randomUUID } from "node:crypto";
import { runAction, type ActionResult } from "@/lib/http/action";
import { MUTATIONS, type MutationInput, type MutationName, type MutationResult } from "./registry";

/**
 * The one server action: runs a registered mutation by name, as the signed-in user. Unknown
 * names answer 404 in the same shape as every other error.
 */
export async function runOperation<N extends MutationName>(name: N, input: MutationInput<N>): Promise<ActionResult<MutationResult<N>>> {
  const op = Object.hasOwn(MUTATIONS, name) ? MUTATIONS[name] : undefined;
  if (!op) return { ok: false, status: 404, error: { code: "not_found", message: `No operation named "${String(name)}".` }, requestId: randomUUID() };
  return runAction(op, input) as Promise<ActionResult<MutationResult<N>>>;
}
