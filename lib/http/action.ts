import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { toErrorBody, type ErrorBody } from "@/lib/errors";
import { guard, type GuardSpec, type Guarded } from "./guard";

export type ActionResult<R> = { ok: true; data: R } | ({ ok: false; status: number } & ErrorBody);

// The one server-action wrapper. Server actions are public endpoints: authorisation happens
// here, inside the action, never only on the page that shows the button.
export function action<S extends z.ZodType, R>(spec: GuardSpec<S>, handler: (g: Guarded<z.infer<S>>) => Promise<R>) {
  return async (raw: unknown): Promise<ActionResult<R>> => {
    const requestId = randomUUID();
    try {
      const g = await guard(spec, raw, requestId);
      return { ok: true, data: await handler(g) };
    } catch (e) {
      const { status, body } = toErrorBody(e, requestId);
      return { ok: false, status, ...body };
    }
  };
}
