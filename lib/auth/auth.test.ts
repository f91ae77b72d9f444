import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { encode } from "next-auth/jwt";
import type { JWT } from "next-auth/jwt";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

// A1/A2 sign-in, sessions and re-authentication over a real database (PGlite), the real
// next-auth callbacks and the real route handlers. Only next/headers is replaced: it hands the
// routes the Cookie header the test's "browser" holds, so currentActor() runs for real.
let cookieHeader: string | null = null;
vi.mock("next/headers", () => ({ headers: async () => new Headers(cookieHeader ? { cookie: cookieHeader } : {}) }));

const { createHarness } = await import("@/lib/testing/harness");
const { setRuntime } = await import("@/lib/runtime");
const { Limiter } = await import("@/lib/http/rate-limit");
const { listAudit, verifyAuditChain } = await import("@/lib/audit/service");
const { flushRefusalWindows } = await import("@/lib/ops/refusal-log");
const { authOptions } = await import("./options");
const { currentActor } = await import("./session");
const signIn = await import("./sign-in");
const { authorizeCredentials, demoSignInsShown, dummyHash, passwords, PEER_HEADER } = signIn;
const { describeSignInError } = await import("./sign-in-errors");
const { REAUTH_MAX_AGE_MS, revokeUserSessions, TOUCH_EVERY_MS } = await import("./service");
const { withSession, sessionCookieFor } = await import("@/lib/testing/sessions");
const { POST: reauthRoute } = await import("@/app/api/auth/reauth/route");
const { POST: startBreakGlassRoute, DELETE: endBreakGlassRoute } = await import("@/app/api/break-glass/route");
const { GET: sessionStatusRoute, POST: keepAliveRoute } = await import("@/app/api/session/route");

const SECRET = "auth-test-secret-0123456789abcdef";
const PASSWORD = "federation-demo";
let h: Awaited<ReturnType<typeof createHarness>>;
let rt: ReturnType<Awaited<ReturnType<typeof createHarness>>["runtime"]>;

beforeAll(async () => {
  h = await createHarness();
  rt = h.runtime({ NEXTAUTH_SECRET: SECRET, LOGINS_PER_15_MIN: 10, SESSION_IDLE_MINUTES: 30, SESSION_MAX_HOURS: 8 });
  setRuntime(rt);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  cookieHeader = null;
});
afterAll(async () => {
  setRuntime(undefined);
  await h?.close();
});

const db = () => h.database.prisma;
const peer = (address: string) => ({ headers: { [PEER_HEADER]: address } });

/** What next-auth does on a successful credentials sign-in: authorize, then the jwt callback, then the cookie. */
async function signInAs(email: string, address = "10.0.0.1"): Promise<{ token: JWT; cookie: string }> {
  const user = await authorizeCredentials({ email, password: PASSWORD }, peer(address));
  if (!user) throw new Error(`sign-in of ${email} refused`);
  const token = await authOptions.callbacks!.jwt!({ token: { sub: user.id, email: user.email, name: user.name }, user, account: null } as never);
  return { token, cookie: `next-auth.session-token=${await encode({ token, secret: SECRET })}` };
}

/** The same check every route, action and page makes (currentActor), for a browser holding `cookie`. */
async function actorWith(cookie: string, activity = false) {
  cookieHeader = cookie;
  try {
    return await currentActor({ activity });
  } finally {
    cookieHeader = null;
  }
}

function post(handler: (req: Request) => Promise<Response>, url: string, cookie: string, body?: unknown) {
  cookieHeader = cookie;
  return handler(
    new Request(`http://localhost:3000${url}`, {
      method: "POST",
      headers: { origin: "http://localhost:3000", host: "localhost:3000", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

const sessionRow = (id: string) => db().session.findUniqueOrThrow({ where: { id } });

describe("sign-in throttling (A2)", () => {
  it("after N wrong passwords refuses even the right one, with the wait, until the window passes", async () => {
    const saved = rt.limits.loginAccount;
    rt.limits.loginAccount = new Limiter({ name: "login-account-small", points: 3, durationSec: 2, what: "sign-in attempts for this account" });
    try {
      for (let i = 0; i < 3; i++)
        expect(await authorizeCredentials({ email: "admin2@federation.local", password: "wrong-password" }, peer("10.0.0.2"))).toBeNull();
      const refused = authorizeCredentials({ email: "Admin2@Federation.local ", password: PASSWORD }, peer("10.0.0.3"));
      await expect(refused).rejects.toThrow(/^Throttled:account:[12]$/);
      const shown = describeSignInError((await refused.catch((e: Error) => e.message)) as string);
      expect(shown?.message).toMatch(/^Too many sign-in attempts for this account\. Sign-in is paused: try again in [12] s\.$/);
      expect(shown?.retryAfterSec).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 2100));
      expect(await authorizeCredentials({ email: "admin2@federation.local", password: PASSWORD }, peer("10.0.0.2"))).toMatchObject({ id: "u-admin2" });
    } finally {
      rt.limits.loginAccount = saved;
    }
  });

  it("throttles per client address across accounts, keyed by the address the server stamped", async () => {
    const saved = rt.limits.loginAddress;
    rt.limits.loginAddress = new Limiter({ name: "login-address-small", points: 2, durationSec: 60, what: "sign-in attempts from this address" });
    try {
      // What a client sends as x-forwarded-for changes nothing: only the stamped peer header counts.
      const from = (a: string) => ({ headers: { [PEER_HEADER]: a, "x-forwarded-for": `${Math.random()}` } });
      expect(await authorizeCredentials({ email: "nobody1@example.org", password: "x" }, from("10.9.9.9"))).toBeNull();
      expect(await authorizeCredentials({ email: "nobody2@example.org", password: "x" }, from("10.9.9.9"))).toBeNull();
      await expect(authorizeCredentials({ email: "overseer@federation.local", password: PASSWORD }, from("10.9.9.9"))).rejects.toThrow(
        /^Throttled:address:\d+$/,
      );
      expect(describeSignInError("Throttled:address:600")?.message).toContain("from this address");
      // Another address is not held back.
      expect(await authorizeCredentials({ email: "overseer@federation.local", password: PASSWORD }, from("10.9.9.10"))).toMatchObject({ id: "u-overseer" });
    } finally {
      rt.limits.loginAddress = saved;
    }
  });

  it("runs bcrypt for unknown and known e-mails alike (the dummy hash for an unknown one) and answers the same", async () => {
    const compare = vi.spyOn(passwords, "compare");
    const dummy = await dummyHash();
    const admin = await db().user.findUniqueOrThrow({ where: { id: "u-admin" } });
    expect(await authorizeCredentials({ email: "no-such-person@federation.local", password: "guess-1234" }, peer("10.1.0.1"))).toBeNull();
    expect(compare).toHaveBeenLastCalledWith("guess-1234", dummy);
    expect(await authorizeCredentials({ email: "admin@federation.local", password: "guess-1234" }, peer("10.1.0.1"))).toBeNull();
    expect(compare).toHaveBeenLastCalledWith("guess-1234", admin.passwordHash);
    expect(compare).toHaveBeenCalledTimes(2);
    // The dummy is a real bcrypt hash at the users' cost, so it costs as much to compare.
    expect(dummy).toMatch(/^\$2[aby]\$10\$/);
    expect(admin.passwordHash.slice(0, 7)).toBe(dummy.slice(0, 7));
  });

  it("audits failed sign-ins boundedly: one entry per account per window, one for all unknown e-mails, and a count at the end", async () => {
    const before = await db().auditEntry.count();
    for (let i = 0; i < 5; i++) await authorizeCredentials({ email: "compliance@federation.local", password: `wrong-${i}` }, peer("10.2.0.1"));
    for (let i = 0; i < 5; i++) await authorizeCredentials({ email: `stranger${i}@example.org`, password: "x" }, peer("10.2.0.2"));
    // Written in the background (the answer does not wait for it): wait for the account's entry.
    await vi.waitFor(async () => expect(await db().auditEntry.count({ where: { action: "auth.sign_in", targetId: "u-compliance" } })).toBe(1));
    await new Promise((r) => setTimeout(r, 100));
    const refused = (await listAudit(db(), { action: "auth.sign_in" })).filter((e) => e.outcome === "refused" && Number(e.seq) > before);
    const account = refused.filter((e) => e.targetId === "u-compliance");
    expect(account).toHaveLength(1);
    expect(account[0]).toMatchObject({
      actorEmail: "compliance@federation.local",
      actorRole: "anonymous",
      targetType: "account",
      reason: expect.stringContaining("wrong e-mail or password"),
    });
    // Unknown e-mails share one window (an earlier test may have opened it already).
    expect(refused.filter((e) => e.actorEmail === "(unknown account)").length).toBeLessThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    // Unknown e-mails are not written down.
    expect(JSON.stringify(refused)).not.toContain("stranger");
    await flushRefusalWindows(h.services);
    const summary = (await listAudit(db(), { action: "auth.sign_in" })).find(
      (e) => e.targetId === "u-compliance" && /4 more refused attempts/.test(e.reason ?? ""),
    );
    expect(summary).toBeDefined();
    expect((await verifyAuditChain(db(), { full: true })).breaks).toEqual([]);
  });

  it("turns only known codes into text on the sign-in page", () => {
    expect(describeSignInError("CredentialsSignin")?.message).toBe("Sign-in failed: check the email and password.");
    expect(describeSignInError("Your account is locked: call +60 3 555 0100")?.message).toBe("Sign-in failed. Try again.");
    expect(describeSignInError("Throttled:account:9999999")?.message).toBe("Sign-in failed. Try again.");
    expect(describeSignInError(null)).toBeNull();
  });
});

describe("server-side sessions (A1)", () => {
  it("opens an audited session at sign-in whose id the token carries; a token without one is refused", async () => {
    const { token, cookie } = await signInAs("overseer@federation.local");
    expect(token.sid).toMatch(/^ses_/);
    const s = await sessionRow(token.sid as string);
    expect(s).toMatchObject({ userId: "u-overseer", revokedAt: null });
    expect(s.expiresAt.getTime() - s.createdAt.getTime()).toBe(8 * 3_600_000);
    expect(await actorWith(cookie)).toMatchObject({ id: "u-overseer", role: "overseer", sessionId: token.sid });
    const [entry] = await listAudit(db(), { action: "auth.sign_in", targetId: token.sid as string });
    expect(entry).toMatchObject({ outcome: "succeeded", actorEmail: "overseer@federation.local", targetType: "session" });
    // A token minted with only the user id (before sessions, or by hand) no longer works.
    expect(await actorWith(`next-auth.session-token=${await encode({ token: { uid: "u-overseer" }, secret: SECRET })}`)).toBeNull();
    expect(await actorWith(`next-auth.session-token=${await encode({ token: { uid: "u-overseer", sid: "ses_forged" }, secret: SECRET })}`)).toBeNull();
    // Nor does a real session id under another user's id.
    expect(await actorWith(`next-auth.session-token=${await encode({ token: { uid: "u-admin", sid: token.sid }, secret: SECRET })}`)).toBeNull();
  });

  it("sign-out revokes the session: a copy of the cookie taken before sign-out is refused afterwards", async () => {
    const { token, cookie } = await signInAs("compliance@federation.local");
    expect(await actorWith(cookie)).toMatchObject({ id: "u-compliance" });
    const revoked = vi.fn();
    const off = h.bus.on("sessions:revoked", revoked);
    await authOptions.events!.signOut!({ token, session: null as never });
    off();
    expect(await actorWith(cookie)).toBeNull();
    expect(await sessionRow(token.sid as string)).toMatchObject({ revokedReason: "signed_out" });
    expect(revoked).toHaveBeenCalledWith({ sessionIds: [token.sid], reason: "signed_out" });
    const [entry] = await listAudit(db(), { action: "auth.sign_out", targetId: token.sid as string });
    expect(entry).toMatchObject({ outcome: "succeeded", actorEmail: "compliance@federation.local" });
    // next-auth's own /api/auth/session refuses it too (and clears the cookie).
    await expect(authOptions.callbacks!.jwt!({ token } as never)).rejects.toThrow(/session ended \(revoked\)/);
  });

  it("ends a session idle for 30 minutes; reads do not count as activity, and activity is written at most once a minute", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    const { token, cookie } = await signInAs("overseer@federation.local");
    const sid = token.sid as string;
    const lastSeen = async () => (await sessionRow(sid)).lastSeenAt.getTime();

    vi.setSystemTime(t0 + 30_000);
    expect(await actorWith(cookie, true)).not.toBeNull();
    expect(await lastSeen()).toBe(t0); // under a minute since the last write: not written again
    vi.setSystemTime(t0 + TOUCH_EVERY_MS + 1000);
    expect(await actorWith(cookie, true)).not.toBeNull();
    const t1 = t0 + TOUCH_EVERY_MS + 1000;
    expect(await lastSeen()).toBe(t1);

    // Polling (GET routes, sockets, the status endpoint) for 29 minutes does not keep it alive.
    for (let m = 5; m < 30; m += 5) {
      vi.setSystemTime(t1 + m * 60_000);
      expect(await actorWith(cookie, false)).not.toBeNull();
      cookieHeader = cookie;
      expect((await sessionStatusRoute(new Request("http://localhost:3000/api/session"))).status).toBe(200);
    }
    expect(await lastSeen()).toBe(t1);
    vi.setSystemTime(t1 + 30 * 60_000);
    expect(await actorWith(cookie, true)).toBeNull();
    expect(await sessionRow(sid)).toMatchObject({ revokedReason: "idle_timeout" });
    // Activity afterwards does not bring it back.
    vi.setSystemTime(t1 + 30 * 60_000 + 1);
    expect(await actorWith(cookie, true)).toBeNull();
  });

  it('"Stay signed in" (POST /api/session) restarts the idle timeout; GET /api/session says when it ends', async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    const { cookie } = await signInAs("admin2@federation.local");
    vi.setSystemTime(t0 + 28 * 60_000);
    cookieHeader = cookie;
    const status = await (await sessionStatusRoute(new Request("http://localhost:3000/api/session"))).json();
    expect(Date.parse(status.data.idleExpiresAt)).toBe(t0 + 30 * 60_000);
    const kept = await post(keepAliveRoute, "/api/session", cookie);
    expect(kept.status).toBe(200);
    expect(Date.parse((await kept.json()).data.idleExpiresAt)).toBe(t0 + 58 * 60_000);
    vi.setSystemTime(t0 + 50 * 60_000);
    expect(await actorWith(cookie)).not.toBeNull();
  });

  it("ends a session at its absolute lifetime (8 h) however active it is", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    const { token, cookie } = await signInAs("admin2@federation.local");
    for (let m = 20; m < 8 * 60; m += 20) {
      vi.setSystemTime(t0 + m * 60_000);
      expect(await actorWith(cookie, true), `after ${m} min`).not.toBeNull();
    }
    vi.setSystemTime(t0 + 8 * 3_600_000);
    expect(await actorWith(cookie, true)).toBeNull();
    expect(await sessionRow(token.sid as string)).toMatchObject({ revokedReason: "expired" });
  });

  it("revokeUserSessions ends every session of one person (a role change), and nobody else's", async () => {
    const a = await signInAs("admin@federation.local");
    const b = await signInAs("admin@federation.local", "10.0.0.9");
    const other = await signInAs("admin2@federation.local");
    const revoked = vi.fn();
    const off = h.bus.on("sessions:revoked", revoked);
    const ids = await revokeUserSessions(db(), "u-admin", "role_changed", { bus: h.bus });
    off();
    expect(ids).toEqual(expect.arrayContaining([a.token.sid, b.token.sid]));
    expect(revoked).toHaveBeenCalledWith({ sessionIds: ids, reason: "role_changed" });
    expect(await actorWith(a.cookie)).toBeNull();
    expect(await actorWith(b.cookie)).toBeNull();
    expect(await actorWith(other.cookie)).toMatchObject({ id: "u-admin2" });
    expect(await sessionRow(a.token.sid as string)).toMatchObject({ revokedReason: "role_changed" });
    expect(await revokeUserSessions(db(), "u-admin", "role_changed")).toEqual([]);
  });
});

describe("re-authentication for break-glass (A1)", () => {
  it("refuses break-glass without a recent password (401 reauth_required); after POST /api/auth/reauth it works; 5 min later it is needed again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    const { token, cookie } = await signInAs("admin@federation.local");
    const start = { reason: "KL DC flooding, evacuate now", minutes: 10 };

    const refused = await post(startBreakGlassRoute, "/api/break-glass", cookie, start);
    expect(refused.status).toBe(401);
    const body = await refused.json();
    expect(body.error).toMatchObject({
      code: "reauth_required",
      message: expect.stringMatching(/^Starting break-glass needs your password again/),
      details: { reauthMaxAgeSec: 300 },
    });
    expect(body.error.details.receipt).toBeDefined(); // the refusal is audited
    expect(await db().breakGlass.count({ where: { actorEmail: "admin@federation.local", endedAt: null } })).toBe(0);

    const wrong = await post(reauthRoute, "/api/auth/reauth", cookie, { password: "not-my-password" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("reauth_required");
    const malformed = await post(reauthRoute, "/api/auth/reauth", cookie, { pass: "federation-demo" });
    expect(malformed.status).toBe(400);
    // The password never reaches the audit log, right or wrong.
    expect(JSON.stringify(await listAudit(db(), { limit: 50 }))).not.toMatch(/not-my-password|federation-demo/);

    const ok = await post(reauthRoute, "/api/auth/reauth", cookie, { password: PASSWORD });
    expect(ok.status).toBe(200);
    expect((await ok.json()).data).toMatchObject({ maxAgeSec: 300 });
    expect((await sessionRow(token.sid as string)).reauthAt?.getTime()).toBe(t0);
    const started = await post(startBreakGlassRoute, "/api/break-glass", cookie, start);
    expect(started.status).toBe(200);
    cookieHeader = cookie;
    expect(
      (await endBreakGlassRoute(new Request("http://localhost:3000/api/break-glass", { method: "DELETE", headers: { origin: "http://localhost:3000" } })))
        .status,
    ).toBe(200);

    vi.setSystemTime(t0 + REAUTH_MAX_AGE_MS + 1000);
    const again = await post(startBreakGlassRoute, "/api/break-glass", cookie, start);
    expect(again.status).toBe(401);
    expect((await again.json()).error).toMatchObject({ code: "reauth_required", message: expect.stringContaining("you last entered it 5 min ago") });
  });

  it("a re-entered password belongs to its session: another session of the same person must enter it again", async () => {
    const one = await withSession(db(), h.actors.admin2, { reauthAt: Date.now() });
    const two = await withSession(db(), h.actors.admin2);
    const start = { reason: "Cyberjaya evacuation drill", minutes: 5 };
    expect((await post(startBreakGlassRoute, "/api/break-glass", await sessionCookieFor(two, SECRET), start)).status).toBe(401);
    expect((await post(startBreakGlassRoute, "/api/break-glass", await sessionCookieFor(one, SECRET), start)).status).toBe(200);
    cookieHeader = await sessionCookieFor(one, SECRET);
    await endBreakGlassRoute(new Request("http://localhost:3000/api/break-glass", { method: "DELETE", headers: { origin: "http://localhost:3000" } }));
  });
});

describe("demo sign-ins on the sign-in page", () => {
  const emails = ["admin@federation.local", "admin2@federation.local", "compliance@federation.local", "overseer@federation.local"].sort();
  const withEnv = async (env: Record<string, unknown>, now: number) => {
    const saved = rt.env;
    rt.env = { ...rt.env, ...env } as typeof rt.env;
    try {
      return [...(await demoSignInsShown(emails, now))].sort();
    } finally {
      rt.env = saved;
    }
  };

  it("are listed only on loopback with the default DEMO_PASSWORD, for accounts that still have it", async () => {
    let now = Date.now() + 10 * 3_600_000;
    expect(await withEnv({ HOST: "127.0.0.1", DEMO_PASSWORD: "federation-demo" }, now)).toEqual(emails);
    expect(await withEnv({ HOST: "127.0.0.1", DEMO_PASSWORD: "a-changed-password" }, now)).toEqual([]);
    expect(await withEnv({ HOST: "console.internal", DEMO_PASSWORD: "federation-demo" }, now)).toEqual([]);
    const admin2 = await db().user.findUniqueOrThrow({ where: { id: "u-admin2" } });
    const bcrypt = (await import("bcryptjs")).default;
    await db().user.update({ where: { id: "u-admin2" }, data: { passwordHash: await bcrypt.hash("someone-changed-it", 4) } });
    try {
      now += 61_000;
      expect(await withEnv({ HOST: "::1", DEMO_PASSWORD: "federation-demo" }, now)).toEqual(emails.filter((e) => e !== "admin2@federation.local"));
    } finally {
      await db().user.update({ where: { id: "u-admin2" }, data: { passwordHash: admin2.passwordHash } });
    }
  });
});

describe("through next-auth's own handler (what the sign-in form and sign-out button call)", () => {
  // next-auth's core, which its Next.js route handler wraps (the package does not export it by name).
  const { AuthHandler } = require(require.resolve("next-auth").replace(/index\.js$/, "core/index.js")) as {
    AuthHandler(p: { req: Request; options: unknown }): Promise<unknown>;
  };
  const base = "http://localhost:3000/api/auth";
  const options = () => ({ ...authOptions, secret: SECRET });
  type Internal = { redirect?: string; cookies?: { name: string; value: string }[]; body?: unknown; status?: number };
  const call = (path: string, init: { method?: string; cookie?: string; body?: Record<string, string>; address?: string } = {}) =>
    AuthHandler({
      req: new Request(`${base}${path}`, {
        method: init.method ?? "GET",
        headers: {
          host: "localhost:3000",
          "content-type": "application/json",
          ...(init.cookie ? { cookie: init.cookie } : {}),
          [PEER_HEADER]: init.address ?? "10.7.0.1",
        },
        body: init.body ? JSON.stringify(init.body) : undefined,
      }),
      options: options(),
    }) as Promise<Internal>;

  async function csrf(): Promise<{ token: string; cookie: string }> {
    const r = await call("/csrf");
    const c = r.cookies!.find((x) => x.name.endsWith("next-auth.csrf-token"))!;
    return { token: (r.body as { csrfToken: string }).csrfToken, cookie: `${c.name}=${c.value}` };
  }

  it("signs in (a session cookie naming a server-side session), sends a throttled browser to /signin?error=Throttled…, and revokes on sign-out", async () => {
    const c = await csrf();
    const signInWith = (password: string, address = "10.7.0.1") =>
      call("/callback/credentials", {
        method: "POST",
        cookie: c.cookie,
        address,
        body: { email: "compliance@federation.local", password, csrfToken: c.token, json: "true" },
      });

    const ok = await signInWith(PASSWORD);
    const session = ok.cookies?.find((x) => x.name === "next-auth.session-token");
    expect(session?.value).toBeTruthy();
    const cookie = `next-auth.session-token=${session!.value}`;
    const actor = await actorWith(cookie);
    expect(actor).toMatchObject({ id: "u-compliance", sessionId: expect.stringMatching(/^ses_/) });

    const wrong = await signInWith("wrong-password");
    expect(wrong.redirect).toBe(`${base}/error?error=CredentialsSignin&provider=credentials`);
    const saved = rt.limits.loginAccount;
    rt.limits.loginAccount = new Limiter({ name: "login-account-tiny", points: 1, durationSec: 300, what: "sign-in attempts for this account" });
    try {
      await signInWith("wrong-password");
      const throttled = await signInWith(PASSWORD);
      expect(throttled.redirect).toMatch(new RegExp(`^${base}/error\\?error=Throttled%3Aaccount%3A\\d+$`));
      const shown = await call(`/error?error=${new URL(throttled.redirect!).searchParams.get("error")}`);
      expect(shown.redirect).toMatch(/^\/signin\?error=Throttled:account:\d+$/);
    } finally {
      rt.limits.loginAccount = saved;
    }

    const out = await call("/signout", { method: "POST", cookie: `${cookie}; ${c.cookie}`, body: { csrfToken: c.token, json: "true" } });
    expect(out.cookies?.find((x) => x.name === "next-auth.session-token")?.value).toBe("");
    expect(await actorWith(cookie)).toBeNull();
    expect(await sessionRow(actor!.sessionId!)).toMatchObject({ revokedReason: "signed_out" });
  });
});
