import { decode, type JWT } from "next-auth/jwt";

// The session cookie: a next-auth JWT (encrypted with NEXTAUTH_SECRET) that carries the user id
// (`uid`) and the server-side session's id (`sid`, lib/auth/service.ts). Read here for the
// requests that do not go through next-auth's own handler: currentActor() and the socket
// handshake.

/** What the console puts in the token at sign-in (lib/auth/options.ts). */
export interface SessionToken extends JWT {
  uid?: unknown;
  sid?: unknown;
}

const NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

/** next-auth's session cookie in a Cookie header (plain or __Secure-, possibly split into .0/.1 chunks). */
export function sessionCookie(header: string | undefined | null): string | null {
  if (!header) return null;
  const jar = new Map<string, string>();
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const value = part.slice(i + 1).trim();
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      decoded = value;
    }
    jar.set(part.slice(0, i).trim(), decoded);
  }
  for (const name of NAMES) {
    if (jar.has(name)) return jar.get(name)!;
    const chunks: string[] = [];
    for (let n = 0; jar.has(`${name}.${n}`); n++) chunks.push(jar.get(`${name}.${n}`)!);
    if (chunks.length) return chunks.join("");
  }
  return null;
}

/** The token's claims, or null when it is absent, forged, tampered with or past its JWT expiry. */
export async function decodeSessionToken(raw: string | null, secret: string): Promise<SessionToken | null> {
  if (!raw) return null;
  try {
    return (await decode({ token: raw, secret })) as SessionToken | null;
  } catch {
    return null;
  }
}
