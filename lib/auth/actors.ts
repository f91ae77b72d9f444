import "server-only";
import { runtime } from "@/lib/runtime";
import type { Actor } from "./permissions";
import { authenticateSession, sessionPolicy } from "./service";
import { decodeSessionToken, sessionCookie, type SessionToken } from "./token";

export interface ActorOptions {
  /** A person's action (records activity for the idle timeout); false for background reads and sockets. */
  activity: boolean;
  now?: number;
}

/**
 * The person behind a decoded session token, with their current role, if the token names a
 * live server-side session of theirs (lib/auth/service.ts); null otherwise. A token without a
 * session id (made before sessions existed, or minted by hand) is refused.
 */
export async function actorForToken(token: SessionToken | null, opts: ActorOptions): Promise<Actor | null> {
  if (!token) return null;
  const rt = runtime();
  const r = await authenticateSession(rt.services.db, token.sid, token.uid, {
    policy: sessionPolicy(rt.env),
    activity: opts.activity,
    now: opts.now,
    bus: rt.services.bus,
  });
  return r.ok ? r.actor : null;
}

/** The person behind a request's Cookie header (next-auth's session cookie), checked as above. */
export async function actorFromCookieHeader(header: string | null | undefined, opts: ActorOptions): Promise<Actor | null> {
  const token = await decodeSessionToken(sessionCookie(header), runtime().env.NEXTAUTH_SECRET);
  return actorForToken(token, opts);
}
