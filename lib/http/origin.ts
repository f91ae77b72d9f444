// Cross-site request defence for cookie-authenticated writes and the socket handshake. The
// console has one public URL (NEXTAUTH_URL); a browser's Origin must be exactly its scheme,
// host and port. Forwarded headers are never trusted for this: the configured URL is the truth.

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The exact origins accepted: the public URL's, and its loopback spellings when it is loopback. */
export function allowedOrigins(publicUrl: string): Set<string> {
  const u = new URL(publicUrl);
  const out = new Set([u.origin]);
  if (LOOPBACK.has(u.hostname)) for (const host of LOOPBACK) out.add(`${u.protocol}//${host}${u.port ? `:${u.port}` : ""}`);
  return out;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * A write (or a socket handshake) must say where it comes from: an Origin equal to one of the
 * console's, or, when a browser sends no Origin, `Sec-Fetch-Site: same-origin`. Scripts send
 * the console's URL as their Origin.
 */
export function checkOrigin(headers: { get(name: string): string | null }, publicUrl: string): OriginVerdict {
  const origin = headers.get("origin");
  if (origin !== null) {
    if (allowedOrigins(publicUrl).has(origin)) return { ok: true };
    return {
      ok: false,
      reason: `Cross-site request refused: Origin ${JSON.stringify(origin.slice(0, 100))} is not this console (${new URL(publicUrl).origin}).`,
    };
  }
  if (headers.get("sec-fetch-site") === "same-origin") return { ok: true };
  return { ok: false, reason: `Cross-site request refused: a write must carry an Origin header equal to this console's URL (${new URL(publicUrl).origin}).` };
}
