import { encode } from "next-auth/jwt";
import type { Actor } from "@/lib/auth/permissions";
import { createSession, sessionPolicy, type SessionPolicy } from "@/lib/auth/service";
import type { PrismaClient } from "@/lib/db/types";

// A1 test helpers: a real server-side session row for a test actor (what sign-in makes), and the
// session cookie a browser would hold for it. Tokens without a session id are refused.

export interface SessionOptions {
  /** The session re-entered its password at this time (epoch ms); default: never. */
  reauthAt?: number;
  now?: number;
  policy?: SessionPolicy;
}

/** The actor with a fresh session of its own (as after signing in). */
export async function withSession(db: PrismaClient, actor: Actor, opts: SessionOptions = {}): Promise<Actor & { sessionId: string }> {
  const now = opts.now ?? Date.now();
  const s = await createSession(db, actor.id, opts.policy ?? sessionPolicy({}), now);
  if (opts.reauthAt !== undefined) await db.session.update({ where: { id: s.id }, data: { reauthAt: new Date(opts.reauthAt) } });
  return { ...actor, sessionId: s.id };
}

/** A Cookie header carrying next-auth's session token for `actor`'s session, as a browser sends it. */
export async function sessionCookieFor(actor: Actor & { sessionId: string }, secret: string): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { uid: actor.id, sid: actor.sessionId, role: actor.role }, secret })}`;
}
