import { runtime } from "@/lib/runtime";
import { ROLES, type Actor, type Role } from "./permissions";

/** Loads a person's current identity and role from the database; null if unknown. */
export async function actorByUserId(userId: unknown): Promise<Actor | null> {
  if (typeof userId !== "string" || !userId) return null;
  const u = await runtime().database.prisma.user.findUnique({ where: { id: userId } });
  if (!u || !ROLES.includes(u.role as Role)) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role as Role };
}
