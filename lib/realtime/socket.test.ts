import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { io as connect, type Socket } from "socket.io-client";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { setRuntime, type Runtime } from "@/lib/runtime";
import { attachRealtime } from "./server";
import { revokeUserSessions } from "@/lib/auth/service";
import { sessionCookieFor, withSession } from "@/lib/testing/sessions";
import { DEMO_USERS } from "@/prisma/seed";
import type { ClientToServerEvents, ServerToClientEvents, TelemetrySnapshot } from "./events";

// The real socket server over a real HTTP port, with real next-auth session cookies.
const SECRET = "socket-test-secret-0123456789";
let h: Harness;
let http: HttpServer;
let url: string;
let base: number;
const clients: Socket[] = [];

beforeAll(async () => {
  h = await createHarness();
  const rt: Runtime = h.runtime({ NEXTAUTH_SECRET: SECRET });
  setRuntime(rt);
  http = createServer();
  attachRealtime(http, rt, { sessionCheckMs: 200 });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // Ten samples a second apart in the live window, after the harness's first one.
  base = Date.now() + 1000;
  for (let i = 0; i < 10; i++)
    h.live.update(
      (await h.federation.readHealth()).map((r) => ({
        ...r,
        measuredAt: base + i * 1000,
        components: r.components.map((c) => ({ ...c, measuredAt: base + i * 1000 })),
      })),
    );
});
afterAll(async () => {
  for (const c of clients) c.close();
  await new Promise((r) => http.close(r));
  setRuntime(undefined);
  await h?.close();
});

/** A signed-in user's session cookie: a real session row (as sign-in makes) named by the token. */
async function cookieOf(userId: string): Promise<{ cookie: string; sessionId: string }> {
  const u = DEMO_USERS.find((x) => x.id === userId)!;
  const actor = await withSession(h.database.prisma, { id: u.id, email: u.email, name: u.name, role: u.role });
  return { cookie: await sessionCookieFor(actor, SECRET), sessionId: actor.sessionId };
}

async function client(
  userId: string | null,
  origin: string | null = "http://localhost:3000",
  cookieHeader?: string,
): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const cookie = cookieHeader ?? (userId ? (await cookieOf(userId)).cookie : "");
  const extraHeaders: Record<string, string> = origin === null ? { cookie } : { cookie, origin };
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, { transports: ["websocket"], extraHeaders, reconnection: false });
  clients.push(s);
  return s;
}

const connected = (s: Socket) => new Promise<void>((resolve, reject) => (s.on("connect", () => resolve()), s.on("connect_error", reject)));

describe("socket server", () => {
  it("refuses a handshake without a session", async () => {
    const s = await client(null);
    await expect(connected(s)).rejects.toThrow(/unauthenticated/);
  });

  it("refuses a token without a server-side session: one minted with only a user id, or naming a session that does not exist", async () => {
    const bare = `next-auth.session-token=${await encode({ token: { uid: "u-admin" }, secret: SECRET })}`;
    await expect(connected(await client(null, "http://localhost:3000", bare))).rejects.toThrow(/unauthenticated/);
    const made = `next-auth.session-token=${await encode({ token: { uid: "u-admin", sid: "ses_made-up" }, secret: SECRET })}`;
    await expect(connected(await client(null, "http://localhost:3000", made))).rejects.toThrow(/unauthenticated/);
    // Someone else's session id under one's own user id does not work either.
    const { sessionId } = await cookieOf("u-admin");
    const borrowed = `next-auth.session-token=${await encode({ token: { uid: "u-overseer", sid: sessionId }, secret: SECRET })}`;
    await expect(connected(await client(null, "http://localhost:3000", borrowed))).rejects.toThrow(/unauthenticated/);
  });

  it("disconnects the sockets of a revoked session at once, saying why; other sessions stay", async () => {
    const mine = await cookieOf("u-compliance");
    const a = await client(null, "http://localhost:3000", mine.cookie);
    const b = await client(null, "http://localhost:3000", mine.cookie);
    const other = await client("u-admin");
    await Promise.all([connected(a), connected(b), connected(other)]);
    const told = new Promise<{ code: string }>((r) => a.once("app:error", r));
    const gone = Promise.all([a, b].map((s) => new Promise<string>((r) => s.once("disconnect", r))));
    expect(await revokeUserSessions(h.database.prisma, "u-compliance", "role_changed", { bus: h.bus })).toContain(mine.sessionId);
    expect(await told).toMatchObject({ code: "session_ended" });
    expect(await gone).toEqual(["io server disconnect", "io server disconnect"]);
    expect(other.connected).toBe(true);
    // And the cookie no longer opens a socket.
    await expect(connected(await client(null, "http://localhost:3000", mine.cookie))).rejects.toThrow(/unauthenticated/);
  });

  it("disconnects a socket whose session was revoked elsewhere (no event here) at the next re-check", async () => {
    const mine = await cookieOf("u-overseer");
    const s = await client(null, "http://localhost:3000", mine.cookie);
    await connected(s);
    const told = new Promise<{ code: string }>((r) => s.once("app:error", r));
    // Another console instance revoked it: the database says so, this bus heard nothing.
    await h.database.prisma.session.update({ where: { id: mine.sessionId }, data: { revokedAt: new Date(), revokedReason: "signed_out" } });
    expect(await told).toMatchObject({ code: "session_ended" });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.connected).toBe(false);
  });

  it("disconnects a socket whose session idled out while only the socket was open (the socket is not activity)", async () => {
    const mine = await cookieOf("u-overseer");
    const s = await client(null, "http://localhost:3000", mine.cookie);
    await connected(s);
    const told = new Promise<{ code: string }>((r) => s.once("app:error", r));
    await h.database.prisma.session.update({ where: { id: mine.sessionId }, data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) } });
    expect(await told).toMatchObject({ code: "session_ended" });
  });

  it("refuses a valid session cookie sent from another site's page, or with no Origin", async () => {
    await expect(connected(await client("u-admin", "https://evil.example"))).rejects.toThrow(/forbidden: Cross-site request refused/);
    await expect(connected(await client("u-admin", null))).rejects.toThrow(/forbidden/);
    await connected(await client("u-admin", "http://127.0.0.1:3000"));
  });

  it("lets an overseer read overview and telemetry but not the audit stream, and says why", async () => {
    const s = await client("u-overseer");
    await connected(s);
    expect(await s.emitWithAck("subscribe", { topic: "overview" })).toEqual({ ok: true });
    const denied = await s.emitWithAck("subscribe", { topic: "audit" });
    expect(denied).toEqual({ ok: false, code: "forbidden", message: "Your role may not subscribe to audit." });
    const admin = await client("u-compliance");
    await connected(admin);
    expect(await admin.emitWithAck("subscribe", { topic: "audit" })).toEqual({ ok: true });
  });

  it("answers unknown panels, regions and topics with a clear refusal and an app:error event", async () => {
    const s = await client("u-admin");
    await connected(s);
    const errors: string[] = [];
    s.on("app:error", (e) => errors.push(e.message));
    const badPanel = await s.emitWithAck("telemetry:subscribe", { panel: "billing" as never, regionId: "kl_dc_1" });
    expect(badPanel).toMatchObject({
      ok: false,
      code: "bad_request",
      message: expect.stringMatching(/panel must be one of health, replication, inference, tenants/),
    });
    const badRegion = await s.emitWithAck("telemetry:subscribe", { panel: "replication", regionId: "penang_1" });
    expect(badRegion).toMatchObject({ ok: false, message: 'unknown region "penang_1"' });
    const badTopic = await s.emitWithAck("subscribe", { topic: "secrets" as never });
    expect(badTopic).toMatchObject({ ok: false, code: "bad_request" });
    // subscribe refusals send app:error too, as telemetry:subscribe's do (the README says so).
    expect(errors).toHaveLength(3);
  });

  it("sends a snapshot on subscribe, then deltas; a reconnecting client gets exactly what it missed", async () => {
    const s = await client("u-overseer");
    await connected(s);
    const snap = new Promise<TelemetrySnapshot>((r) => s.once("telemetry:snapshot", r));
    expect(await s.emitWithAck("telemetry:subscribe", { panel: "replication", regionId: "kl_dc_1" })).toEqual({ ok: true });
    const full = await snap;
    expect(full.reset).toBe(true);
    const lag = full.points.filter((p) => p.series === "kl_dc_1:galera:cross_region_lag_ms" && p.t >= base);
    expect(lag).toHaveLength(10);
    expect(full.points.every((p) => p.series.startsWith("kl_dc_1:"))).toBe(true);

    // A delta arrives for the next sample, only for the room's region.
    const delta = new Promise<{ regionId: string; points: { series: string; t: number }[] }>((r) => s.once("telemetry:points", r));
    const next = (await h.federation.readHealth()).map((r) => ({
      ...r,
      measuredAt: base + 10_000,
      components: r.components.map((c) => ({ ...c, measuredAt: base + 10_000 })),
    }));
    h.bus.emit("health", next, h.live.update(next));
    const d = await delta;
    expect(d.regionId).toBe("kl_dc_1");
    expect(d.points.some((p) => p.series === "kl_dc_1:galera:cross_region_lag_ms" && p.t === base + 10_000)).toBe(true);
    expect(d.points.every((p) => p.series.startsWith("kl_dc_1:"))).toBe(true);

    // Reconnect holding the 7th point: the server sends the 3 after it (and the new one), not the rest.
    const again = await client("u-overseer");
    await connected(again);
    const missed = new Promise<TelemetrySnapshot>((r) => again.once("telemetry:snapshot", r));
    await again.emitWithAck("telemetry:subscribe", { panel: "replication", regionId: "kl_dc_1", since: lag[6].t });
    const m = await missed;
    expect(m.reset).toBe(false);
    const mLag = m.points.filter((p) => p.series === "kl_dc_1:galera:cross_region_lag_ms");
    expect(mLag.map((p) => p.t)).toEqual([...lag.slice(7).map((p) => p.t), base + 10_000]);
    expect(mLag.every((p) => p.t > lag[6].t)).toBe(true);
  });

  it("sends audit:appended to the audit room only", async () => {
    const compliance = await client("u-compliance");
    const overseer = await client("u-overseer");
    await Promise.all([connected(compliance), connected(overseer)]);
    expect(await compliance.emitWithAck("subscribe", { topic: "audit" })).toEqual({ ok: true });
    expect(await overseer.emitWithAck("subscribe", { topic: "tenants" })).toEqual({ ok: true });
    const leaked: string[] = [];
    overseer.on("audit:appended", (e) => leaked.push(e.action));
    const appended = new Promise((r) => compliance.once("audit:appended", r));
    h.bus.emit("audit:appended", { action: "tenant.move", at: 1 });
    expect(await appended).toEqual({ action: "tenant.move", at: 1 });
    // An event both rooms get, sent after it: had the overseer been sent the first, it would be here by now.
    const later = new Promise((r) => overseer.once("tenants:changed", r));
    h.bus.emit("tenants:changed", { tenantIds: [], by: "test", at: 2 });
    await later;
    expect(leaked).toEqual([]);
  });

  it("ticks every socket once a second, whatever it subscribed to, and tells every socket of the console's own stall", async () => {
    const s = await client("u-overseer");
    await connected(s);
    const t0 = Date.now();
    const tick = await new Promise<Parameters<ServerToClientEvents["tick"]>[0]>((r) => s.once("tick", r));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(tick.serverTime).toBeGreaterThanOrEqual(t0 - 5);
    expect(tick.newestSampleAt).toBe(Math.max(...h.live.regions().map((r) => r.measuredAt)));
    expect(tick.lastStall).toBeNull();
    // Stalls while the console started (before the socket server was attached) are not announced.
    const seen: unknown[] = [];
    s.on("console:stalled", (e) => seen.push(e));
    h.bus.emit("console:stalled", { startedAt: 1, endedAt: 8201, durationMs: 8200 });
    const stall = { startedAt: Date.now(), endedAt: Date.now() + 2500, durationMs: 2500 };
    const told = new Promise((r) => s.once("console:stalled", r));
    h.bus.emit("console:stalled", stall);
    expect(await told).toEqual(stall);
    expect(seen).toEqual([stall]);
  });
});
