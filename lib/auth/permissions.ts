// A1: what each role may do. Checked on the server in every action, route and socket subscription.

export const ROLES = ["admin", "compliance", "overseer"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  "overview:read",
  "tenants:read",
  "audit:read",
  "approvals:read",
  "tenant:switch",
  "tenant:move",
  "approval:decide",
  "break_glass",
  "region:mark",
  /** F2: fail a region over now, or act on the engine's advice. */
  "failover:run",
  /** F2: automatic action's setting (auto · advisory · off) and the freeze switch. */
  "failover:settings",
  /** Resolve a route drift: keep the router's table or push the console's (lib/routes). */
  "routes:resolve",
  /** A1: one's own session (keep it alive, re-enter the password): every signed-in role. */
  "session:self",
] as const;
export type Action = (typeof ACTIONS)[number];

const READ: Action[] = ["overview:read", "tenants:read", "session:self"];

export const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  admin: new Set<Action>([...ACTIONS]),
  compliance: new Set<Action>([...READ, "audit:read"]),
  overseer: new Set<Action>(READ),
};

export function can(role: Role, action: Action): boolean {
  return PERMISSIONS[role]?.has(action) ?? false;
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Platform admin",
  compliance: "Compliance officer",
  overseer: "Clinical overseer",
};

export interface Actor {
  id: string;
  email: string;
  name: string;
  role: Role;
  /**
   * A1: the server-side session this request was authenticated with (lib/auth/service.ts);
   * absent for the console's own actors (workers) and actors made up by tests. Never sent to
   * the browser.
   */
  sessionId?: string;
}

/** For actions taken by the console itself (pollers, orchestrator, start-up). */
export const SYSTEM_ACTOR: Actor = { id: "system", email: "system@console", name: "Federation Console", role: "admin" };
