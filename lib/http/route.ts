import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import { currentActor } from "@/lib/auth/session";
import { AppError, badRequest, toErrorBody } from "@/lib/errors";
import { execute } from "@/lib/ops/execute";
import { runtime } from "@/lib/runtime";
import { checkOrigin } from "./origin";
import type { Operation } from "@/lib/ops/operation";

type Params = Record<string, string>;
/** Reads an operation's raw input from the request (query, body, path parameters). */
export type InputReader = (req: Request, params: Params) => Promise<unknown> | unknown;

/**
 * The route adapter of an operation: same-origin check for writes (CSRF), authentication,
 * input, then the operation through the one executor; every answer is JSON with a request id.
 */
export function routeOf(op: Operation, input: InputReader = op.kind === "query" ? fromQuery : fromBody) {
  return async (req: Request, ctx?: { params?: Promise<Params> }) => {
    const requestId = randomUUID();
    try {
      if (req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req);
      const actor = await currentActor();
      if (!actor) throw new AppError(401, "unauthenticated", "Sign in first: this needs a signed-in user.");
      const raw = await input(req, (await ctx?.params) ?? {});
      const data = await execute(op, actor, raw, requestId);
      return NextResponse.json({ data, requestId }, { headers: { "x-request-id": requestId, ...clientRequestId(req) } });
    } catch (e) {
      const { status, body } = toErrorBody(e, requestId);
      const retry = body.error.details?.retryAfterSec;
      const headers = { "x-request-id": requestId, ...clientRequestId(req), ...(typeof retry === "number" ? { "retry-after": String(retry) } : {}) };
      return NextResponse.json(body, { status, headers });
    }
  };
}

/** Writes must come from the console's own pages (or a script that says it speaks for them). */
function assertSameOrigin(req: Request): void {
  const verdict = checkOrigin(req.headers, runtime().env.NEXTAUTH_URL);
  if (!verdict.ok) throw new AppError(403, "forbidden", verdict.reason);
}

/** A caller's own request id, kept apart from ours: letters, digits, '.', '-', '_' only, 64 at most. */
function clientRequestId(req: Request): Record<string, string> {
  const id = req.headers.get("x-request-id");
  return id && /^[A-Za-z0-9._-]{1,64}$/.test(id) ? { "x-client-request-id": id } : {};
}

/** Reads a JSON body, refusing a malformed or oversized one with a clear message. */
export async function jsonBody(req: Request, maxBytes = 16_384): Promise<unknown> {
  const text = await req.text();
  if (text.length > maxBytes) throw badRequest(`Request body is larger than ${maxBytes} bytes.`);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON.");
  }
}

export const fromQuery: InputReader = (req) => Object.fromEntries(new URL(req.url).searchParams);
export const fromBody: InputReader = (req) => jsonBody(req);
export const none: InputReader = () => ({});

/** The body (or query, for reads) with path parameters added under the names the schema uses. */
export function withParams(names: Record<string, string>, base: InputReader = fromBody): InputReader {
  return async (req, params) => {
    const raw = await base(req, params);
    const extra = Object.fromEntries(Object.entries(names).map(([param, field]) => [field, params[param]]));
    return raw && typeof raw === "object" && !Array.isArray(raw) ? { ...raw, ...extra } : raw;
  };
}
