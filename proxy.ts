import { type NextRequest, NextResponse } from "next/server";
import { checkServerAction } from "@/lib/http/server-action-guard";
import { applyApiHeaders, contentSecurityPolicy, edgeError, isApiPath, malformedPath, newNonce, SECURITY_HEADERS } from "@/lib/http/security";

// The edge of every request Next handles (Next 16's proxy, formerly middleware), before routing:
// - an API path Next could not decode (invalid UTF-8, a dot segment) is refused with the API's
//   JSON 400 here, where Next itself would answer a plain-text 500 or an HTML 404;
// - documents get a Content-Security-Policy with a fresh nonce, which Next reads from the request
//   header and puts on its own scripts (app/layout.tsx puts it on the theme script);
// - every answer gets the security headers, API answers `Cache-Control: no-store` too.
// - a server action (POST with Next-Action) from another origin, or with a body Next could not
//   decode, is refused with a JSON 4xx here (lib/http/server-action-guard.ts), where Next would 500.
// Static assets (/_next/static, /_next/image, the icon) skip it: next.config.mjs gives them the
// same non-CSP headers. Next-auth (/api/auth/*) passes through.
export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  // NEXTAUTH_URL is the console's public URL; the server sets it at start (lib/env.ts).
  const refused = await checkServerAction(request, process.env.NEXTAUTH_URL);
  if (refused) return refused;
  const api = isApiPath(pathname);
  if (api) {
    const problem = malformedPath(pathname);
    if (problem) return edgeError(400, "bad_request", problem);
    if (!pathname.startsWith("/api/auth/")) {
      const res = NextResponse.next();
      applyApiHeaders(res.headers);
      return res;
    }
  }

  const nonce = newNonce();
  const csp = contentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === "development",
    host: request.headers.get("host"),
    https: request.nextUrl.protocol === "https:",
  });
  const forwarded = new Headers(request.headers);
  forwarded.set("x-nonce", nonce);
  forwarded.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers: forwarded } });
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
  res.headers.set("Content-Security-Policy", csp);
  if (api) res.headers.set("Cache-Control", "no-store");
  return res;
}

export const config = {
  // Everything but the build's static files and the icon (constants: Next reads this at build time).
  matcher: ["/((?!_next/static/|_next/image|favicon\\.ico|icon\\.svg).*)"],
};
