import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { AppError, badRequest, toErrorBody } from "@/lib/errors";
import { guard, type GuardSpec, type Guarded } from "./guard";

// The one route wrapper: same-origin check for writes (CSRF), guard, handler, error mapping.
export function route<S extends z.ZodType, R>(
  spec: GuardSpec<S> & { input: (req: Request, params: Record<string, string>) => Promise<unknown> | unknown },
  handler: (g: Guarded<z.infer<S>>) => Promise<R>,
) {
  return async (req: Request, ctx?: { params?: Promise<Record<string, string>> }) => {
    const requestId: string = req.headers.get("x-request-id")?.slice(0, 64) || randomUUID();
    try {
      if (req.method !== "GET" && req.method !== "HEAD") assertSameOrigin(req);
      const raw = await spec.input(req, (await ctx?.params) ?? {});
      const g = await guard(spec, raw, requestId);
      const data = await handler(g);
      return NextResponse.json({ data, requestId }, { headers: { "x-request-id": requestId } });
    } catch (e) {
      const { status, body } = toErrorBody(e, requestId);
      return NextResponse.json(body, { status, headers: { "x-request-id": requestId } });
    }
  };
}

/** Writes must come from the console's own pages or from a non-browser client (no Origin). */
function assertSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (!host || new URL(origin).host !== host) throw new AppError(403, "forbidden", "Cross-site request refused.");
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

export function queryObject(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}
