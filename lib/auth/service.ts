import "server-only";
import { randomBytes } from "node:crypto";
import type { PrismaClient, Tx } from "@/lib/db/types";
import type { Bus } from "@/lib/realtime/bus";
import type { ServiceContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { ROLES, type Actor, type Role } from "./permissions";
import type { SessionStatus } from "./types";

// A1 server-side sessions. The session cookie (a next-auth JWT) only names a row of `sessions`
// (`sid`); the row decides whether the cookie still works, on every request and socket:
//   - it exists, belongs to the token's user, and is not revoked (sign-out, a role change);
//   - its last recorded activity is less than the idle timeout ago (SESSION_IDLE_MINUTES);
//   - it is younger than its absolute lifetime (SESSION_MAX_HOURS from sign-in, fixed).
// Activity is what a person does (a page load, a change, a click in the console, "Stay signed
// in"); background reads (polling, sockets) are checked but never extend the session. The
// activity time is written at most once a minute per session. A session found past a timeout
// is marked revoked with the reason, once, so its sockets are closed too.

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

/** lastSeenAt is written at most this often (so the idle timeout is exact to within this). */
export const TOUCH_EVERY_MS = 60_000;
/** Break-glass (and later failover, discarding errant transactions) need a password re-entered this recently. */
export const REAUTH_MAX_AGE_MS = 5 * 60_000;
/** Ended sessions are kept this long (for whoever looks into a sign-out), then purged at the user's next sign-in. */
const KEEP_ENDED_MS = 7 * 24 * 3_600_000;

export const DEFAULT_IDLE_MINUTES = 30;
export const DEFAULT_MAX_HOURS = 8;

export function sessionPolicy(env: { SESSION_IDLE_MINUTES?: number; SESSION_MAX_HOURS?: number }): SessionPolicy {
  return { idleMs: (env.SESSION_IDLE_MINUTES ?? DEFAULT_IDLE_MINUTES) * 60_000, maxMs: (env.SESSION_MAX_HOURS ?? DEFAULT_MAX_HOURS) * 3_600_000 };
}

type Db = PrismaClient | Tx;
type SessionRow = Awaited<ReturnType<PrismaClient["session"]["findUniqueOrThrow"]>>;

export type EndReason = "revoked" | "idle_timeout" | "expired";

/** Why a session cannot be used at `now`, or null if it can. */
export function sessionEnded(s: Pick<SessionRow, "revokedAt" | "lastSeenAt" | "expiresAt">, policy: SessionPolicy, now: number): EndReason | null {
  if (s.revokedAt) return "revoked";
  if (now >= s.expiresAt.getTime()) return "expired";
  if (now - s.lastSeenAt.getTime() >= policy.idleMs) return "idle_timeout";
  return null;
}

/** A new session for a person who just signed in. */
export async function createSession(db: Db, userId: string, policy: SessionPolicy, now = Date.now()): Promise<SessionRow> {
  await db.session.deleteMany({ where: { userId, expiresAt: { lt: new Date(now - KEEP_ENDED_MS) } } });
  return db.session.create({
    data: {
      // Unguessable, although it is no credential on its own: only a cookie signed with the secret carries it.
      id: `ses_${randomBytes(16).toString("base64url")}`,
      userId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: new Date(now + policy.maxMs),
    },
  });
}

export interface AuthOptions {
  policy: SessionPolicy;
  now?: number;
  /** A person's action: records the activity (at most once a minute). Background reads pass false. */
  activity: boolean;
  /** Where to announce a session found timed out, so its sockets close. */
  bus?: Bus;
}

export type Authenticated = { ok: true; actor: Actor & { sessionId: string }; session: SessionRow } | { ok: false; reason: EndReason | "unknown" | "invalid" };

/**
 * The check every request and socket makes: the session `sid` of user `uid` is alive now. Returns
 * the actor with the user's current role (read fresh, so a role change takes effect at once).
 */
export async function authenticateSession(db: PrismaClient, sid: unknown, uid: unknown, opts: AuthOptions): Promise<Authenticated> {
  if (typeof sid !== "string" || !sid || typeof uid !== "string" || !uid) return { ok: false, reason: "invalid" };
  const now = opts.now ?? Date.now();
  const row = await db.session.findUnique({ where: { id: sid }, include: { user: true } });
  if (!row || row.userId !== uid) return { ok: false, reason: "unknown" };
  const ended = sessionEnded(row, opts.policy, now);
  if (ended) {
    if (ended !== "revoked") await revokeSession(db, sid, ended, { bus: opts.bus, now });
    return { ok: false, reason: ended };
  }
  const { user, ...session } = row;
  if (!ROLES.includes(user.role as Role)) return { ok: false, reason: "invalid" };
  if (opts.activity && now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await touchSession(db, sid, now);
  return { ok: true, session, actor: { id: user.id, email: user.email, name: user.name, role: user.role as Role, sessionId: sid } };
}

/**
 * Records activity now: only if the last record is older than a minute, unless `force` (the
 * "Stay signed in" button). Never revives a revoked session.
 */
export async function touchSession(db: Db, sid: string, now = Date.now(), force = false): Promise<boolean> {
  const r = await db.session.updateMany({
    where: { id: sid, revokedAt: null, ...(force ? {} : { lastSeenAt: { lt: new Date(now - TOUCH_EVERY_MS) } }) },
    data: { lastSeenAt: new Date(now) },
  });
  return r.count > 0;
}

export interface RevokeOptions {
  /** Announces the ended sessions so the socket server disconnects them (pass it outside a transaction, or emit after commit). */
  bus?: Bus;
  now?: number;
}

/** Ends one session (sign-out, a timeout found on use). True if it was alive until now. */
export async function revokeSession(db: Db, sid: string, reason: string, opts: RevokeOptions = {}): Promise<boolean> {
  const r = await db.session.updateMany({ where: { id: sid, revokedAt: null }, data: { revokedAt: new Date(opts.now ?? Date.now()), revokedReason: reason } });
  if (r.count > 0) opts.bus?.emit("sessions:revoked", { sessionIds: [sid], reason });
  return r.count > 0;
}

/**
 * Ends every live session of a person (their role changed, their account was disabled or its
 * password changed): their cookies stop working at once, their sockets are disconnected.
 * Returns the ids of the sessions it ended.
 */
export async function revokeUserSessions(db: Db, userId: string, reason: string, opts: RevokeOptions = {}): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const live = await db.session.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
  if (live.length === 0) return [];
  const ids = live.map((s) => s.id);
  await db.session.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: new Date(now), revokedReason: reason } });
  opts.bus?.emit("sessions:revoked", { sessionIds: ids, reason });
  return ids;
}

/** Of `ids`, the sessions that are alive at `now` (the socket server's periodic re-check; records no activity). */
export async function liveSessionIds(db: PrismaClient, ids: string[], policy: SessionPolicy, now = Date.now()): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.session.findMany({ where: { id: { in: ids } }, select: { id: true, revokedAt: true, lastSeenAt: true, expiresAt: true } });
  return new Set(rows.filter((r) => sessionEnded(r, policy, now) === null).map((r) => r.id));
}

export type { SessionStatus } from "./types";

export function statusOf(s: Pick<SessionRow, "lastSeenAt" | "expiresAt" | "reauthAt">, policy: SessionPolicy, now = Date.now()): SessionStatus {
  const idleEnd = Math.min(s.lastSeenAt.getTime() + policy.idleMs, s.expiresAt.getTime());
  const reauthEnd = s.reauthAt ? s.reauthAt.getTime() + REAUTH_MAX_AGE_MS : null;
  return {
    idleExpiresAt: new Date(idleEnd).toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    reauthValidUntil: reauthEnd && reauthEnd > now ? new Date(reauthEnd).toISOString() : null,
    idleMinutes: Math.round(policy.idleMs / 60_000),
    serverTime: now,
  };
}

/** The caller's own session, or 401 when the actor came without one. */
export async function ownSession(ctx: Pick<ServiceContext, "db" | "actor">): Promise<SessionRow> {
  const sid = ctx.actor.sessionId;
  const row = sid ? await ctx.db.session.findUnique({ where: { id: sid } }) : null;
  if (!row || row.userId !== ctx.actor.id) throw new AppError(401, "unauthenticated", "This needs a signed-in session: sign in first.");
  return row;
}

/** Records a successful re-entry of the password in the caller's session, audited. */
export async function markReauth(ctx: Pick<ServiceContext, "db" | "actor" | "requestId">, now = Date.now()): Promise<{ reauthAt: string; validUntil: string }> {
  const s = await ownSession(ctx);
  await ctx.db.$transaction(async (tx) => {
    await tx.session.update({ where: { id: s.id }, data: { reauthAt: new Date(now), lastSeenAt: new Date(now) } });
    await recordAudit(tx, {
      actor: ctx.actor,
      action: "session.reauth",
      outcome: "succeeded",
      targetType: "session",
      targetId: s.id,
      after: { reauthAt: new Date(now).toISOString() },
      requestId: ctx.requestId,
    });
  });
  return { reauthAt: new Date(now).toISOString(), validUntil: new Date(now + REAUTH_MAX_AGE_MS).toISOString() };
}

/**
 * The gate of the most dangerous actions (break-glass; later manual failover and discarding
 * errant transactions): the caller's session re-entered its password within the last
 * REAUTH_MAX_AGE_MS. Otherwise 401 reauth_required: POST /api/auth/reauth { password } first.
 */
export async function requireRecentReauth(ctx: Pick<ServiceContext, "db" | "actor">, what: string, now = Date.now()): Promise<void> {
  const sid = ctx.actor.sessionId;
  const row = sid ? await ctx.db.session.findUnique({ where: { id: sid }, select: { userId: true, reauthAt: true } }) : null;
  const minutes = REAUTH_MAX_AGE_MS / 60_000;
  const at = row && row.userId === ctx.actor.id ? row.reauthAt : null;
  if (at && now - at.getTime() <= REAUTH_MAX_AGE_MS) return;
  const when = at ? `you last entered it ${Math.round((now - at.getTime()) / 60_000)} min ago` : "you have not entered it since signing in";
  throw new AppError(401, "reauth_required", `${what} needs your password again: enter it within ${minutes} min before (${when}). Nothing was changed.`, {
    reauthMaxAgeSec: REAUTH_MAX_AGE_MS / 1000,
  });
}
