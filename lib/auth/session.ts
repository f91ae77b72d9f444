import { getServerSession } from "next-auth";
import { authOptions } from "./options";
import { actorByUserId } from "./actors";
import type { Actor } from "./permissions";

/** The current actor in a server component, server action or route handler (role read fresh from the database). */
export async function currentActor(): Promise<Actor | null> {
  const session = await getServerSession(authOptions);
  return actorByUserId((session?.user as { id?: string } | undefined)?.id);
}
