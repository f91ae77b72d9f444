import "server-only";
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { z } from "zod";
import { can } from "@/lib/auth/permissions";
import { checkOrigin } from "@/lib/http/origin";
import { actorFromCookieHeader } from "@/lib/auth/actors";
import { liveSessionIds, sessionPolicy } from "@/lib/auth/service";
import type { Runtime } from "@/lib/runtime";
import type { Actor } from "@/lib/auth/permissions";
import { TOPICS, type ClientToServerEvents, type ServerToClientEvents, type Topic } from "./events";
import type { ConsoleStall } from "@/lib/liveness";
import { SOCKET_LIMITS, SocketMeter, telemetryRoomCap } from "./limits";
import { API_CACHE_CONTROL, API_CSP, SECURITY_HEADERS } from "@/lib/http/security";
import { PANELS, panelOf, parseSeries, type Panel, type Point } from "@/lib/telemetry/series";

interface SocketData {
  actor: Actor;
}

const subscribeSchema = z.object({ topic: z.enum(TOPICS as [Topic, ...Topic[]], { error: `topic must be one of ${TOPICS.join(", ")}` }) });

const TOPIC_ACTION = { overview: "overview:read", tenants: "tenants:read", audit: "audit:read" } as const;

const telemetrySchema = z.object({
  panel: z.enum(PANELS as [Panel, ...Panel[]], { error: `panel must be one of ${PANELS.join(", ")}` }),
  regionId: z
    .string()
    .max(40)
    .regex(/^[a-z][a-z0-9_]*$/, "regionId is malformed"),
  since: z.number().int().nonnegative().optional(),
});

const room = (panel: string, regionId: string) => `telemetry:${panel}:${regionId}`;

/** Which (panel, region) a point belongs to: tenant series go to the tenants panel, region "all". */
function destination(p: Point): { panel: Panel; regionId: string } | null {
  const panel = panelOf(p.series);
  const parsed = parseSeries(p.series);
  if (!panel || !parsed) return null;
  return { panel, regionId: panel === "tenants" ? "all" : parsed.scope };
}

/** socket.io on the console's HTTP server: authenticated handshake, authorised subscriptions. */
export function attachRealtime(
  http: HttpServer,
  rt: Runtime,
  opts: { sessionCheckMs?: number; tickMs?: number } = {},
): Server<ClientToServerEvents, ServerToClientEvents, object, SocketData> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>(http, {
    path: "/socket.io",
    serveClient: false,
    cors: { origin: false },
    maxHttpBufferSize: SOCKET_LIMITS.maxMessageBytes,
  });
  // Long-polling answers get the headers every other answer of the console gets (proxy.ts).
  // (Lower-case names: engine.io sets its own that way, and two spellings would send both.)
  const engineHeaders = Object.entries({ ...SECURITY_HEADERS, "Content-Security-Policy": API_CSP, "Cache-Control": API_CACHE_CONTROL });
  io.engine.on("headers", (headers: Record<string, string>) => {
    for (const [k, v] of engineHeaders) headers[k.toLowerCase()] = v;
  });

  io.use(async (socket, next) => {
    // A session cookie is sent by the browser to any page that connects here: only the
    // console's own pages may use it.
    const h = socket.request.headers;
    const verdict = checkOrigin({ get: (n) => (typeof h[n] === "string" ? (h[n] as string) : null) }, rt.env.NEXTAUTH_URL);
    if (!verdict.ok) return next(new Error(`forbidden: ${verdict.reason}`));
    try {
      // A live server-side session (lib/auth/service.ts); connecting is not activity.
      const actor = await actorFromCookieHeader(socket.request.headers.cookie, { activity: false });
      if (!actor) return next(new Error("unauthenticated: sign in first"));
      socket.data.actor = actor;
      next();
    } catch {
      next(new Error("unauthenticated: session could not be read"));
    }
  });

  io.on("connection", (socket) => {
    // Every event is metered (lib/realtime/limits.ts): past the limit it is refused with
    // app:error rate_limited (and a refused acknowledgement when it asked for one); a socket that
    // keeps going is disconnected.
    const meter = new SocketMeter();
    socket.use(([event, ...args], next) => {
      if (!socket.connected) return; // what was already in flight when it was disconnected
      const verdict = meter.check(String(event));
      if (verdict.ok) return next();
      socket.emit("app:error", { code: "rate_limited", message: verdict.message });
      const ack = args.at(-1);
      if (typeof ack === "function") ack({ ok: false, code: "rate_limited", message: verdict.message });
      if (verdict.disconnect) socket.disconnect(true);
    });

    socket.on("subscribe", (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => undefined;
      const refuse = (code: "bad_request" | "forbidden", message: string) => {
        socket.emit("app:error", { code, message });
        reply({ ok: false, code, message });
      };
      const parsed = subscribeSchema.safeParse(raw);
      if (!parsed.success) return refuse("bad_request", `Unknown topic; known topics: ${TOPICS.join(", ")}.`);
      const { topic } = parsed.data;
      if (!can(socket.data.actor.role, TOPIC_ACTION[topic])) return refuse("forbidden", `Your role may not subscribe to ${topic}.`);
      // Already held: its events keep coming, and a second snapshot would only repeat the first.
      if (socket.rooms.has(topic)) return reply({ ok: true });
      void socket.join(topic);
      reply({ ok: true });
      if (topic === "overview") {
        socket.emit("health:snapshot", { regions: rt.services.live.regions(), series: rt.services.live.allSeries(), serverTime: Date.now() });
        socket.emit("alerts:changed", rt.services.alerts.openAlerts());
      }
    });

    socket.on("telemetry:subscribe", (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => undefined;
      const refuse = (code: "bad_request" | "forbidden" | "limit_exceeded", message: string) => {
        socket.emit("app:error", { code, message });
        reply({ ok: false, code, message });
      };
      const parsed = telemetrySchema.safeParse(raw);
      if (!parsed.success) return refuse("bad_request", parsed.error.issues.map((i) => i.message).join("; "));
      const { panel, regionId, since } = parsed.data;
      if (!can(socket.data.actor.role, "overview:read")) return refuse("forbidden", "Your role may not read telemetry.");
      const regionOk = panel === "tenants" ? regionId === "all" : rt.services.live.region(regionId) !== undefined;
      if (!regionOk) return refuse("bad_request", panel === "tenants" ? 'the tenants panel takes regionId "all"' : `unknown region "${regionId}"`);
      const key = room(panel, regionId);
      // Already held: the room's points keep coming, so there is nothing to send again.
      if (socket.rooms.has(key)) return reply({ ok: true });
      const held = [...socket.rooms].filter((r) => r.startsWith("telemetry:")).length;
      const cap = telemetryRoomCap(rt.services.live.regions().length);
      if (held >= cap) return refuse("limit_exceeded", `At most ${cap} telemetry subscriptions per connection: unsubscribe from one first.`);
      void socket.join(key);
      reply({ ok: true });
      const reset = since === undefined || since < rt.services.live.oldest();
      const points = rt.services.live.pointsSince(
        (s) => {
          const d = destination({ series: s, t: 0, v: null });
          return d?.panel === panel && d.regionId === regionId;
        },
        reset ? 0 : since,
      );
      socket.emit("telemetry:snapshot", { panel, regionId, points, reset, serverTime: Date.now() });
    });

    socket.on("telemetry:unsubscribe", (raw) => {
      const parsed = telemetrySchema.omit({ since: true }).safeParse(raw);
      if (parsed.success) void socket.leave(room(parsed.data.panel, parsed.data.regionId));
    });
  });

  const fanOut = (points: Point[]) => {
    const groups = new Map<string, { panel: Panel; regionId: string; points: Point[] }>();
    for (const p of points) {
      const d = destination(p);
      if (!d) continue;
      const key = room(d.panel, d.regionId);
      if (!io.sockets.adapter.rooms.get(key)?.size) continue;
      const g = groups.get(key) ?? { ...d, points: [] };
      g.points.push(p);
      groups.set(key, g);
    }
    const serverTime = Date.now();
    for (const [key, g] of groups) io.to(key).emit("telemetry:points", { ...g, serverTime });
  };
  rt.services.bus.on("points", fanOut);
  rt.services.bus.on("alerts:changed", (alerts) => io.emit("alerts:changed", alerts));
  rt.services.bus.on("moves:changed", (e) => io.to("tenants").to("overview").emit("moves:changed", e));
  rt.services.bus.on("failover:changed", (e) => io.to("overview").to("tenants").to("audit").emit("failover:changed", e));
  rt.services.bus.on("break-glass:changed", (active) => io.emit("break-glass:changed", active));

  rt.services.bus.on("health", (regions, points) => {
    io.to("overview").emit("health:sample", { regions, serverTime: Date.now() });
    fanOut(points);
  });
  rt.services.bus.on("tenants:changed", (e) => io.to("tenants").to("overview").to("audit").emit("tenants:changed", e));
  rt.services.bus.on("tenants:observed", (e) => io.to("tenants").to("overview").emit("tenants:observed", e));
  rt.services.bus.on("regions:changed", (e) => io.to("overview").to("tenants").to("audit").emit("regions:changed", e));
  rt.services.bus.on("routes:drift", (e) => io.to("overview").to("tenants").to("audit").emit("routes:drift", e));
  rt.services.bus.on("audit:appended", (e) => io.to("audit").emit("audit:appended", e));
  // The console's own stall: every signed-in socket, whatever page it is on (the shell says so).
  // Stalls while it started (Next.js loading, before anyone could be served) are counted, not announced.
  const attachedAt = Date.now();
  const announced = (s: ConsoleStall | null) => (s && s.startedAt >= attachedAt ? s : null);
  rt.services.bus.on("console:stalled", (s) => announced(s) && io.emit("console:stalled", s));
  sendTicks(io, http, rt, opts.tickMs ?? 1000, announced);
  endSocketsOfEndedSessions(io, http, rt, opts.sessionCheckMs ?? 30_000);
  return io;
}

/**
 * The server's heartbeat: every connected socket gets a small `tick` every `everyMs`, whatever
 * it subscribed to. A browser whose socket says connected but hears nothing knows the server
 * is silent (components/realtime/socket.tsx, lib/liveness.ts).
 */
function sendTicks(
  io: Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>,
  http: HttpServer,
  rt: Runtime,
  everyMs: number,
  announced: (s: ConsoleStall | null) => ConsoleStall | null,
): void {
  const timer = setInterval(() => {
    if (io.sockets.sockets.size === 0) return;
    const newest = Math.max(0, ...rt.services.live.regions().map((r) => r.measuredAt));
    io.emit("tick", { serverTime: Date.now(), newestSampleAt: newest || null, lastStall: announced(rt.services.stalls.figures().last) });
  }, everyMs);
  timer.unref();
  http.once("close", () => clearInterval(timer));
}

/**
 * A1: a socket lives no longer than its session. Revoked here (sign-out, a role change, a
 * timeout found on use): disconnected at once. Revoked elsewhere (another console instance) or
 * idled out while only the socket was open: found by a re-check of every socket's session
 * every `everyMs`. Each is told why (app:error session_ended) before it is disconnected.
 */
function endSocketsOfEndedSessions(
  io: Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>,
  http: HttpServer,
  rt: Runtime,
  everyMs: number,
): void {
  const end = (dead: (sid: string) => boolean) => {
    for (const s of io.sockets.sockets.values()) {
      const sid = s.data.actor?.sessionId;
      if (!sid || !dead(sid)) continue;
      s.emit("app:error", { code: "session_ended", message: "Your session has ended: sign in again." });
      s.disconnect(true);
    }
  };
  const off = rt.services.bus.on("sessions:revoked", (e) => {
    const ids = new Set(e.sessionIds);
    end((sid) => ids.has(sid));
  });
  let running = false;
  const timer = setInterval(async () => {
    if (running || io.sockets.sockets.size === 0) return;
    running = true;
    try {
      const ids = [...new Set([...io.sockets.sockets.values()].map((s) => s.data.actor?.sessionId).filter((x): x is string => !!x))];
      const live = await liveSessionIds(rt.services.db, ids, sessionPolicy(rt.env));
      end((sid) => !live.has(sid));
    } catch (e) {
      console.error(`[realtime] session re-check failed: ${e instanceof Error ? e.message : e}`);
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  // io.close() closes the HTTP server too.
  http.once("close", () => {
    clearInterval(timer);
    off();
  });
}

/** next-auth's session cookie (plain or __Secure-, possibly split into .0/.1 chunks). */
export { sessionCookie } from "@/lib/auth/token";
