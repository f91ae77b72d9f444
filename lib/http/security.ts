// The console's response headers at the edge (proxy.ts): a strict Content-Security-Policy with a
// fresh nonce per document, cross-origin isolation of windows and resources, no MIME sniffing,
// no referrer, and no caching of API answers. Also what the proxy refuses before Next routes a
// request: API paths that are not valid UTF-8 or climb with dot segments. Pure: no runtime, no env.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
// No next/server here: server.ts loads this before Next has set up its request storage.

/** On every answer: pages, API, static assets (via next.config.mjs) and socket.io's polling (lib/realtime/server.ts). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  // Fetch-based writes (the console's only kind) keep their Origin header under no-referrer.
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

/** API answers are per-user and live: never stored by a browser or a shared cache. */
export const API_CACHE_CONTROL = "no-store";

/** JSON has nothing to load, run or frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A nonce for one document: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface CspOptions {
  nonce: string;
  /** Next's dev server: React needs eval for its debugging aids and injects styles without a nonce. */
  dev?: boolean;
  /** The host (and port) the browser loaded the page from: socket.io connects back to it. */
  host?: string | null;
  /** The page was loaded over https: the socket uses wss and http subresources are upgraded. */
  https?: boolean;
}

/**
 * The documents' policy. Scripts: only Next's own, each carrying this request's nonce, and what
 * they load ('strict-dynamic'); no inline script without the nonce, no eval (except in dev).
 * Styles: stylesheets and <style> elements from this origin or with the nonce; style
 * *attributes* are allowed (style-src-attr 'unsafe-inline') because server-rendered React
 * markup carries them (style={{…}}), nonces cannot apply to attributes, and an attribute cannot
 * hold selectors or load anything img-src would refuse.
 */
export function contentSecurityPolicy({ nonce, dev = false, host, https = false }: CspOptions): string {
  const sockets = host && HOST.test(host) ? (https ? [`wss://${host}`] : [`ws://${host}`, `wss://${host}`]) : [];
  const directives: string[] = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // In dev, Next injects <style> elements without a nonce (a nonce would disable 'unsafe-inline').
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${["'self'", ...sockets].join(" ")}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

export const isApiPath = (pathname: string) => pathname === "/api" || pathname.startsWith("/api/");

/**
 * Why an API path cannot be routed, or null when it can: a segment whose percent-encoding is not
 * valid UTF-8 (overlong forms like %C0%AE, lone %FF, UTF-16 surrogates like %ED%A0%80), a
 * malformed escape, or a dot segment ('.', '..', however encoded).
 */
export function malformedPath(pathname: string): string | null {
  for (const raw of pathname.split("/").slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return `The path is not valid UTF-8 or has a malformed %-escape (segment ${JSON.stringify(raw.slice(0, 60))}).`;
    }
    if (seg === "." || seg === "..") return `The path has a dot segment (${JSON.stringify(raw.slice(0, 60))}); name the resource directly.`;
  }
  return null;
}

/**
 * The console's HTTP server (server.ts) calls this before Next sees a request: Next (and so the
 * proxy) only ever sees the path with its dot segments resolved, so "/api/%2e%2e/overview"
 * would reach the overview page. A raw /api path that is malformed is answered here, JSON 400,
 * with the API's headers; true when answered.
 */
export function refuseMalformedApiPath(req: IncomingMessage, res: ServerResponse): boolean {
  const raw = (req.url ?? "/").split(/[?#]/, 1)[0].replaceAll("\\", "/");
  if (!isApiPath(raw)) return false;
  const problem = malformedPath(raw);
  if (!problem) return false;
  const requestId = randomUUID();
  const headers: Record<string, string> = { ...SECURITY_HEADERS, "Content-Security-Policy": API_CSP, "Cache-Control": API_CACHE_CONTROL };
  res.writeHead(400, { ...headers, "content-type": "application/json", "x-request-id": requestId });
  res.end(JSON.stringify({ error: { code: "bad_request", message: problem }, requestId }));
  return true;
}

/** A JSON error answer in the API's shape, made before any route runs. */
export function edgeError(
  status: 400 | 403 | 404 | 413 | 415,
  code: "bad_request" | "forbidden" | "not_found" | "payload_too_large" | "unsupported_media_type",
  message: string,
): Response {
  const requestId = randomUUID();
  const res = Response.json({ error: { code, message }, requestId }, { status });
  res.headers.set("x-request-id", requestId);
  applyApiHeaders(res.headers);
  return res;
}

/** The headers every API answer carries (the proxy adds them to route handlers' answers too). */
export function applyApiHeaders(h: Headers): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) h.set(k, v);
  h.set("Content-Security-Policy", API_CSP);
  h.set("Cache-Control", API_CACHE_CONTROL);
}

/**
 * Next answers a method a route does not export (POST /api/health) with an empty 405. The
 * console's HTTP server calls this for every /api request so that answer, too, is the API's JSON
 * error with a request id (the Allow header Next set is kept).
 */
export function jsonMethodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  const raw = (req.url ?? "/").split(/[?#]/, 1)[0];
  if (!isApiPath(raw) || raw.startsWith("/api/auth/")) return;
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  let replaced = false;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status !== 405) return writeHead(status, ...rest);
    replaced = true;
    const requestId = randomUUID();
    // Headers passed to writeHead join those already set, so the Allow header is read in one place.
    const passed = rest.find((r) => r && typeof r === "object") as Record<string, string | number | string[]> | undefined;
    for (const [k, v] of Object.entries(passed ?? {})) res.setHeader(k, v);
    const allow = res.getHeader("allow");
    const body = JSON.stringify({
      error: { code: "method_not_allowed", message: `${req.method} is not supported here${allow ? `; use ${allow}` : ""}.` },
      requestId,
    });
    for (const [k, v] of Object.entries({ ...SECURITY_HEADERS, "Content-Security-Policy": API_CSP, "Cache-Control": API_CACHE_CONTROL })) res.setHeader(k, v);
    res.setHeader("content-type", "application/json");
    res.setHeader("content-length", Buffer.byteLength(body));
    res.setHeader("x-request-id", requestId);
    writeHead(405);
    end(body);
    return res;
  }) as typeof res.writeHead;
  res.end = ((...args: unknown[]) => (replaced ? res : end(...args))) as typeof res.end;
}
