import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { io as connect, type Socket } from "socket.io-client";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { setRuntime, type Runtime } from "@/lib/runtime";
import type { Env } from "@/lib/env";
import { attachRealtime } from "./server";
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
  attachRealtime(http, rt);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // Ten samples a second apart in the live window, after the harness's first one.
  base = Date.now() + 1000;
  for (let i = 0; i < 10; i++)
    h.live.update((await h.federation.readHealth()).map((r) => ({ ...r, measuredAt: base + i * 1000, components: r.components.map((c) => ({ ...c, measuredAt: base + i * 1000 })) })));
});
afterAll(async () => {
  for (const c of clients) c.close();
  await new Promise((r) => http.close(r));
  setRuntime(undefined);
  await h?.close();
});

async function client(userId: string | null, origin: string | null = "http://localhost:3000"): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const cookie = userId ? `next-auth.session-token=${await encode({ token: { uid: userId }, secret: SECRET })}` : "";
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
    expect(badPanel).toMatchObject({ ok: false, code: "bad_request", message: expect.stringMatching(/panel must be one of health, replication, inference, tenants/) });
    const badRegion = await s.emitWithAck("telemetry:subscribe", { panel: "replication", regionId: "penang_1" });
    expect(badRegion).toMatchObject({ ok: false, message: 'unknown region "penang_1"' });
    const badTopic = await s.emitWithAck("subscribe", { topic: "secrets" as never });
    expect(badTopic).toMatchObject({ ok: false, code: "bad_request" });
    expect(errors).toHaveLength(2);
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
    const next = (await h.federation.readHealth()).map((r) => ({ ...r, measuredAt: base + 10_000, components: r.components.map((c) => ({ ...c, measuredAt: base + 10_000 })) }));
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
});
