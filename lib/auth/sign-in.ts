import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import { z } from "zod";
import { runtime, runtimeContext } from "@/lib/runtime";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { auditRefusalBounded } from "@/lib/ops/refusal-log";
import type { Limiter } from "@/lib/http/rate-limit";
import type { Actor, Role } from "./permissions";
import { createSession, revokeSession, sessionPolicy } from "./service";
import { throttledCode, type ThrottleScope } from "./sign-in-errors";
import type { SessionToken } from "./token";

// A1/A2 sign-in with e-mail and password (next-auth's credentials provider calls these):
//   - throttled per account (the normalised e-mail) and per client address, before the password
//     is even looked at, so the right password after too many wrong ones is refused as well;
//   - unknown and known e-mails do the same work (a bcrypt comparison against a dummy hash for an
//     unknown one) and get the same answer, so sign-in does not tell which accounts exist;
//   - failed attempts are audited boundedly: the first of a kind per account per throttle window
//     is an entry, the rest are counted into one summary entry when the window closes;
//   - a successful sign-in opens a server-side session (lib/auth/service.ts), audited.

/** The client address, stamped by the console's own HTTP server (server.ts) from the socket, never from a forwarded header. */
export const PEER_HEADER = "x-console-peer";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  password: z.string().min(1).max(200),
});

/** bcrypt, behind a seam the tests watch (which hash a comparison ran against). */
export const passwords = {
  compare: (password: string, hash: string): Promise<boolean> => bcrypt.compare(password, hash),
};

let dummy: Promise<string> | undefined;
/** A hash of a random secret at the seed's cost (10): comparing against it takes as long as against a real one. */
export function dummyHash(): Promise<string> {
  return (dummy ??= bcrypt.hash(randomBytes(18).toString("base64url"), 10));
}

const isBcrypt = (h: string) => /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(h);

/** Compares against the user's hash, or the dummy one (unknown account, unusable hash): the same work either way. */
export async function checkPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const real = hash && isBcrypt(hash) ? hash : null;
  const ok = await passwords.compare(password, real ?? (await dummyHash()));
  return ok && real !== null;
}

export interface SignInRequest {
  headers?: Record<string, unknown>;
}

export function peerOf(req: SignInRequest | undefined): string {
  const v = req?.headers?.[PEER_HEADER];
  return typeof v === "string" && v && v.length <= 64 ? v : "unknown";
}

/** What authorize() hands to next-auth's jwt callback. */
export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  peer: string;
}

/**
 * next-auth's authorize(): the user, null for a wrong e-mail or password (one message for
 * both), or an Error whose message is a throttle code (the sign-in page shows the wait).
 */
export async function authorizeCredentials(raw: unknown, req?: SignInRequest): Promise<SignedInUser | null> {
  const rt = runtime();
  const peer = peerOf(req);
  const parsed = credentialsSchema.safeParse(raw);
  const email = parsed.success ? parsed.data.email.normalize("NFC") : null;
  const db = rt.services.db;

  await takeOrThrottle(rt.limits.loginAddress, peer, "address", email, peer);
  if (email) await takeOrThrottle(rt.limits.loginAccount, email, "account", email, peer);
  if (!parsed.success || !email) return null;

  const user = await db.user.findUnique({ where: { email } });
  const ok = await checkPassword(parsed.data.password, user?.passwordHash);
  if (!user || !ok) {
    void auditFailedSignIn(user, new AppError(401, "unauthenticated", "wrong e-mail or password"), peer);
    return null;
  }
  // The account's count starts again after a success; the address's keeps counting.
  await rt.limits.loginAccount.reset(email);
  return { id: user.id, email: user.email, name: user.name, role: user.role as Role, peer };
}

async function takeOrThrottle(limiter: Limiter, key: string, scope: ThrottleScope, email: string | null, peer: string): Promise<void> {
  try {
    await limiter.take(key);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== "rate_limited") throw e;
    const user = email ? await runtime().services.db.user.findUnique({ where: { email } }) : null;
    void auditFailedSignIn(user, e, peer, scope);
    throw new Error(throttledCode(scope, Number(e.details?.retryAfterSec ?? limiter.spec.durationSec)));
  }
}

/**
 * Audits a refused sign-in, boundedly (per account and kind of refusal, per throttle window).
 * Nobody is signed in: the entry's actor is the account tried ("anonymous" role), or
 * "(unknown account)" for e-mails that are not an account (they are not recorded).
 * Not awaited by the caller: known and unknown accounts answer alike.
 */
async function auditFailedSignIn(user: { id: string; email: string } | null, err: AppError, peer: string, scope?: ThrottleScope): Promise<void> {
  try {
    const actor: Actor = user
      ? { id: `sign-in:${user.id}`, email: user.email, name: "Sign-in attempt", role: "anonymous" as Role }
      : { id: "sign-in:unknown", email: "(unknown account)", name: "Sign-in attempt", role: "anonymous" as Role };
    const ctx = runtimeContext(actor, randomUUID());
    const windowMs = runtime().limits.loginAccount.spec.durationSec * 1000;
    const why = scope ? `throttled: too many attempts ${scope === "account" ? "for the account" : "from the address"}` : "wrong e-mail or password";
    await auditRefusalBounded(
      ctx,
      "auth.sign_in",
      { type: "account", id: user?.id ?? null, details: { peer } },
      err,
      `Sign-in refused for ${actor.email} from ${peer}: ${why}`,
      windowMs,
    );
  } catch (e) {
    console.error(`[auth] failed sign-in not audited: ${e instanceof Error ? e.message : e}`);
  }
}

/** next-auth's jwt callback at sign-in: opens the server-side session (audited) and returns its id for the token. */
export async function openSession(user: { id: string; peer?: unknown }): Promise<string> {
  const rt = runtime();
  const policy = sessionPolicy(rt.env);
  const db = rt.services.db;
  const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
  const actor: Actor = { id: row.id, email: row.email, name: row.name, role: row.role as Role };
  const s = await db.$transaction(async (tx) => {
    const s = await createSession(tx, row.id, policy);
    await recordAudit(tx, {
      actor,
      action: "auth.sign_in",
      outcome: "succeeded",
      targetType: "session",
      targetId: s.id,
      after: { expiresAt: s.expiresAt.toISOString(), idleMinutes: policy.idleMs / 60_000, peer: typeof user.peer === "string" ? user.peer : null },
      requestId: randomUUID(),
    });
    return s;
  });
  rt.services.bus.emit("audit:appended", { action: "auth.sign_in", at: Date.now() });
  return s.id;
}

/** next-auth's signOut event: the session ends on the server, so a copy of the cookie stops working too. */
export async function closeSession(token: SessionToken | null | undefined): Promise<void> {
  if (!token || typeof token.sid !== "string") return;
  const rt = runtime();
  const db = rt.services.db;
  const s = await db.session.findUnique({ where: { id: token.sid }, include: { user: true } });
  if (!s || s.userId !== token.uid) return;
  const ended = await db.$transaction(async (tx) => {
    if (!(await revokeSession(tx, s.id, "signed_out"))) return false;
    await recordAudit(tx, {
      actor: { id: s.user.id, email: s.user.email, name: s.user.name, role: s.user.role as Role },
      action: "auth.sign_out",
      outcome: "succeeded",
      targetType: "session",
      targetId: s.id,
      requestId: randomUUID(),
    });
    return true;
  });
  if (ended) {
    rt.services.bus.emit("sessions:revoked", { sessionIds: [s.id], reason: "signed_out" });
    rt.services.bus.emit("audit:appended", { action: "auth.sign_out", at: Date.now() });
  }
}

export const DEFAULT_DEMO_PASSWORD = "federation-demo";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

const demoCache = new WeakMap<object, { at: number; emails: Set<string> }>();

/**
 * Which demo accounts the sign-in page may list with their password: only when the console
 * listens on loopback, DEMO_PASSWORD is the default, and the account exists with that password
 * still (checked against the database, remembered for a minute). Empty otherwise.
 */
export async function demoSignInsShown(demoEmails: readonly string[], now = Date.now()): Promise<Set<string>> {
  const e = runtime().env;
  if (!LOOPBACK.has(e.HOST) || e.DEMO_PASSWORD !== DEFAULT_DEMO_PASSWORD) return new Set();
  const db = runtime().services.db;
  const cached = demoCache.get(db);
  if (cached && now - cached.at < 60_000) return cached.emails;
  const users = await db.user.findMany({ where: { email: { in: [...demoEmails] } } });
  const emails = new Set<string>();
  for (const u of users) if (isBcrypt(u.passwordHash) && (await passwords.compare(DEFAULT_DEMO_PASSWORD, u.passwordHash))) emails.add(u.email);
  demoCache.set(db, { at: now, emails });
  return emails;
}
