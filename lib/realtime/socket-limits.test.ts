import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket } from "socket.io-client";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { setRuntime, type Runtime } from "@/lib/runtime";
import { sessionCookieFor, withSession } from "@/lib/testing/sessions";
import { DEMO_USERS } from "@/prisma/seed";
import { attachRealtime } from "./server";
import { SOCKET_LIMITS, SocketMeter, telemetryRoomCap } from "./limits";
import type { ClientToServerEvents, ServerToClientEvents } from "./events";

// What one socket may ask of the server: the real socket server over a real port, real sessions,
// the real socket.io client (as lib/realtime/socket.test.ts).
const SECRET = "socket-limits-secret-0123456789";
let h: Harness;
let http: HttpServer;
let url: string;
const clients: Socket[] = [];

beforeAll(async () => {
  h = await createHarness();
  const rt: Runtime = h.runtime({ NEXTAUTH_SECRET: SECRET });
  setRuntime(rt);
  http = createServer();
  attachRealtime(http, rt);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await new Promise((r) => http.close(r));
  setRuntime(undefined);
  await h?.close();
});

type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

async function client(userId: string): Promise<ConsoleSocket> {
  const u = DEMO_USERS.find((x) => x.id === userId)!;
  const cookie = await sessionCookieFor(await withSession(h.database.prisma, { id: u.id, email: u.email, name: u.name, role: u.role }), SECRET);
  const s: ConsoleSocket = connect(url, { transports: ["websocket"], extraHeaders: { origin: "http://localhost:3000", cookie }, reconnection: false });
  clients.push(s);
  await new Promise<void>((resolve, reject) => (s.on("connect", () => resolve()), s.on("connect_error", reject)));
  return s;
}

/** Counts the events of each name a socket receives. */
function tally(s: ConsoleSocket): Map<string, number> {
  const seen = new Map<string, number>();
  s.onAny((name: string) => seen.set(name, (seen.get(name) ?? 0) + 1));
  return seen;
}

describe("socket limits", () => {
  it("answers a subscription the socket already holds with ok and no second snapshot", async () => {
    const s = await client("u-overseer");
    const seen = tally(s);
    for (let i = 0; i < 5; i++) expect(await s.emitWithAck("subscribe", { topic: "overview" })).toEqual({ ok: true });
    const region = h.live.regions()[0].regionId;
    for (let i = 0; i < 3; i++) expect(await s.emitWithAck("telemetry:subscribe", { panel: "replication", regionId: region })).toEqual({ ok: true });
    // The server answers in order: anything a subscription above sent has arrived before this ack.
    await s.emitWithAck("subscribe", { topic: "tenants" });
    expect(seen.get("health:snapshot")).toBe(1);
    expect(seen.get("telemetry:snapshot")).toBe(1);

    // Left and joined again, it is a new subscription: one fresh snapshot.
    s.emit("telemetry:unsubscribe", { panel: "replication", regionId: region });
    expect(await s.emitWithAck("telemetry:subscribe", { panel: "replication", regionId: region })).toEqual({ ok: true });
    await s.emitWithAck("subscribe", { topic: "tenants" });
    expect(seen.get("telemetry:snapshot")).toBe(2);
  });

  it("sends app:error with every refused subscribe: a role's forbidden topic and malformed payloads", async () => {
    const s = await client("u-overseer");
    const errors: { code: string; message: string }[] = [];
    s.on("app:error", (e) => errors.push(e));
    expect(await s.emitWithAck("subscribe", { topic: "audit" })).toEqual({ ok: false, code: "forbidden", message: "Your role may not subscribe to audit." });
    const bad = [{ topic: "secrets" }, {}, null, "overview", { topic: { $ne: 1 } }, { topic: "overview".repeat(1000) }];
    for (const p of bad)
      expect(await s.emitWithAck("subscribe", p as never)).toMatchObject({
        ok: false,
        code: "bad_request",
        message: expect.stringMatching(/known topics: overview, tenants, audit/),
      });
    expect(errors.map((e) => e.code)).toEqual(["forbidden", ...bad.map(() => "bad_request")]);
    expect(errors[0].message).toBe("Your role may not subscribe to audit.");
  });

  it("refuses the subscription past the rate with rate_limited, and disconnects a socket that keeps going: 10,000 subscribes cost one snapshot", async () => {
    const s = await client("u-overseer");
    const seen = tally(s);
    const errors: { code: string; message: string }[] = [];
    s.on("app:error", (e) => errors.push(e));
    const { burst } = SOCKET_LIMITS.subscribe;
    for (let i = 0; i < burst; i++) expect(await s.emitWithAck("subscribe", { topic: "overview" })).toEqual({ ok: true });
    const refused = await s.emitWithAck("subscribe", { topic: "overview" });
    expect(refused).toMatchObject({
      ok: false,
      code: "rate_limited",
      message: expect.stringMatching(/^Slow down: at most 20 subscriptions per 10 s; try again in \d+ s\.$/),
    });
    expect(errors).toEqual([{ code: "rate_limited", message: (refused as { message: string }).message }]);
    expect(s.connected).toBe(true);

    // The abuse: a flood without waiting for answers.
    const gone = new Promise<string>((r) => s.once("disconnect", r));
    for (let i = 0; i < 10_000; i++) s.emit("subscribe", { topic: "overview" }, () => undefined);
    expect(await gone).toBe("io server disconnect");
    expect(seen.get("health:snapshot")).toBe(1);
    expect(errors.at(-1)).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/disconnected/) });
    expect(errors.length).toBeLessThanOrEqual(SOCKET_LIMITS.refusals.burst + 2);
  });

  it("meters every event, unsubscribes too", async () => {
    const s = await client("u-admin");
    const gone = new Promise<string>((r) => s.once("disconnect", r));
    const errors: string[] = [];
    s.on("app:error", (e) => errors.push(e.code));
    for (let i = 0; i < 1000; i++) s.emit("telemetry:unsubscribe", { panel: "health", regionId: "x" });
    expect(await gone).toBe("io server disconnect");
    expect(errors[0]).toBe("rate_limited");
  });

  it("caps the telemetry rooms one socket holds", async () => {
    const s = await client("u-admin");
    const regions = h.live.regions().map((r) => r.regionId);
    const cap = telemetryRoomCap(regions.length);
    const rooms = (["health", "replication", "inference"] as const).flatMap((panel) => regions.map((regionId) => ({ panel, regionId })));
    rooms.push({ panel: "tenants" as never, regionId: "all" });
    expect(rooms.length).toBeGreaterThan(cap);
    const errors: string[] = [];
    s.on("app:error", (e) => errors.push(e.code));
    for (const r of rooms.slice(0, cap)) expect(await s.emitWithAck("telemetry:subscribe", r)).toEqual({ ok: true });
    const over = await s.emitWithAck("telemetry:subscribe", rooms[cap]);
    expect(over).toEqual({ ok: false, code: "limit_exceeded", message: `At most ${cap} telemetry subscriptions per connection: unsubscribe from one first.` });
    expect(errors).toEqual(["limit_exceeded"]);
    // One held again is not a new room; one left makes space.
    expect(await s.emitWithAck("telemetry:subscribe", rooms[0])).toEqual({ ok: true });
    s.emit("telemetry:unsubscribe", rooms[0]);
    expect(await s.emitWithAck("telemetry:subscribe", rooms[cap])).toEqual({ ok: true });
  });

  it("gives socket.io's long-polling answers the console's security headers", async () => {
    const open = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    expect(open.status).toBe(200);
    const sid = /"sid":"([^"]+)"/.exec(await open.text())?.[1];
    expect(sid).toBeTruthy();
    // The handshake answer and a later poll (engine.io's initial_headers and headers).
    const poll = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "1" });
    for (const res of [open, poll]) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    }
  });
});

describe("SocketMeter", () => {
  it("refills: 20 subscribes per 10 s, then one every 500 ms; refusals past 10 per 10 s disconnect", () => {
    let now = 0;
    const m = new SocketMeter(() => now);
    for (let i = 0; i < 20; i++) expect(m.check("subscribe").ok).toBe(true);
    expect(m.check("telemetry:subscribe")).toMatchObject({ ok: false, disconnect: false });
    now += 500;
    expect(m.check("subscribe").ok).toBe(true);
    expect(m.check("subscribe").ok).toBe(false);
    // Other events have their own, larger budget.
    expect(m.check("telemetry:unsubscribe").ok).toBe(true);
    for (let i = 0; i < 8; i++) expect(m.check("subscribe")).toMatchObject({ ok: false, disconnect: false });
    expect(m.check("subscribe")).toMatchObject({ ok: false, disconnect: true });
    now += 10_000;
    expect(m.check("subscribe").ok).toBe(true);
  });
});
