import "server-only";
// HTTP to the lab's region apps and router, with a deadline and typed failures.
import { FederationError } from "../types";

export interface JsonAnswer {
  status: number;
  /** X-Served-By-Region of the answer (null when the answer did not come from a region app) */
  servedBy: string | null;
  json: Record<string, unknown>;
}

export async function requestJson(
  url: string,
  opts: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: unknown; timeoutMs: number; what: string },
): Promise<JsonAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: opts.method ?? "GET",
      headers: { "content-type": "application/json", ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError")
      throw new FederationError(`${opts.what}: no answer from ${url} within ${opts.timeoutMs} ms`, "timeout", true);
    const cause = err.cause?.code ?? err.cause?.message ?? err.message;
    throw new FederationError(`${opts.what}: ${url} unreachable (${cause})`, "unreachable", true);
  }
  let json: Record<string, unknown>;
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    json = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    // an HTML error page (HAProxy's 503 when no server is up): its words, not its markup
    const words = text
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    json = { raw: words.slice(0, 200) };
  }
  return { status: res.status, servedBy: res.headers.get("x-served-by-region"), json };
}

/** The error text of an answer, for messages. */
export function answerError(a: JsonAnswer): string {
  const e = a.json.error ?? a.json.raw;
  return `HTTP ${a.status}${typeof e === "string" && e ? `: ${e}` : ""}`;
}
