import "server-only";
import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import { currentActor } from "@/lib/auth/session";
import { AppError, badRequest, toErrorBody, unauthenticated } from "@/lib/errors";
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
      // A change is a person's activity (keeps the session from idling out); a read may be polling.
      const actor = await currentActor({ activity: op.kind === "mutation" });
      if (!actor) throw unauthenticated();
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

/**
 * Reads a JSON body, refusing a wrong content type (415), an oversized body (413, read no
 * further than the limit) or malformed JSON (400) with a clear message.
 */
export async function jsonBody(req: Request, maxBytes = 16_384): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readAtMost(req, maxBytes);
  if (bytes.length === 0) return {};
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new AppError(
      415,
      "unsupported_media_type",
      `Send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(type.slice(0, 60) || "none")}).`,
    );
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badRequest("Request body is not valid UTF-8.");
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON.");
  }
}

const tooLarge = (maxBytes: number) => new AppError(413, "payload_too_large", `Request body is larger than ${maxBytes} bytes.`);

async function readAtMost(req: Request, maxBytes: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export const fromQuery: InputReader = (req) => Object.fromEntries(new URL(req.url).searchParams);
export const fromBody: InputReader = (req) => jsonBody(req);
export const none: InputReader = () => ({});

/** The body (or query, for reads) with path parameters added under the names the schema uses. */
export function withParams(names: Record<string, string>, base: InputReader = fromBody): InputReader {
  return async (req, params) => {
    const raw = await base(req, params);
    const extra = Object.fromEntries(Object.entries(names).map(([param, field]) => [field, params[param]]));
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
    for (const field of Object.keys(extra))
      if (field in raw && (raw as Record<string, unknown>)[field] !== extra[field]) throw badRequest(`${field} comes from the path; leave it out of the body.`);
    return { ...raw, ...extra };
  };
}
