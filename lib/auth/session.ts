import "server-only";
import { headers } from "next/headers";
import { actorFromCookieHeader } from "./actors";
import type { Actor } from "./permissions";

/**
 * The current actor in a server component, server action or route handler: the session cookie
 * must name a live server-side session (not signed out or revoked, not idle too long, not past
 * its absolute lifetime); the role is read fresh from the database. `activity: true` for what a
 * person does (page loads, changes): it keeps the session from idling out. Background reads
 * (polling) leave it false. The actor carries its session id (never send it to the browser).
 */
export async function currentActor(opts: { activity?: boolean } = {}): Promise<Actor | null> {
  const h = await headers();
  return actorFromCookieHeader(h.get("cookie"), { activity: opts.activity ?? false });
}
