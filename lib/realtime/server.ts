import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { decode } from "next-auth/jwt";
import { z } from "zod";
import { can } from "@/lib/auth/permissions";
import { checkOrigin } from "@/lib/http/origin";
import { actorByUserId } from "@/lib/auth/actors";
import type { Runtime } from "@/lib/runtime";
import type { Actor } from "@/lib/auth/permissions";
import { TOPICS, type ClientToServerEvents, type ServerToClientEvents, type Topic } from "./events";
import { PANELS, panelOf, parseSeries, type Panel, type Point } from "@/lib/telemetry/series";

interface SocketData {
  actor: Actor;
}

const subscribeSchema = z.object({ topic: z.enum(TOPICS as [Topic, ...Topic[]], { error: `topic must be one of ${TOPICS.join(", ")}` }) });

const TOPIC_ACTION = { overview: "overview:read", tenants: "tenants:read", audit: "audit:read" } as const;

const telemetrySchema = z.object({
  panel: z.enum(PANELS as [Panel, ...Panel[]], { error: `panel must be one of ${PANELS.join(", ")}` }),
  regionId: z.string().max(40).regex(/^[a-z][a-z0-9_]*$/, "regionId is malformed"),
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
export function attachRealtime(http: HttpServer, rt: Runtime): Server<ClientToServerEvents, ServerToClientEvents, object, SocketData> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>(http, {
    path: "/socket.io",
    serveClient: false,
    cors: { origin: false },
  });

  io.use(async (socket, next) => {
    // A session cookie is sent by the browser to any page that connects here: only the
    // console's own pages may use it.
    const h = socket.request.headers;
    const verdict = checkOrigin({ get: (n) => (typeof h[n] === "string" ? (h[n] as string) : null) }, rt.env.NEXTAUTH_URL);
    if (!verdict.ok) return next(new Error(`forbidden: ${verdict.reason}`));
    try {
      const raw = sessionCookie(socket.request.headers.cookie);
      const token = raw ? await decode({ token: raw, secret: rt.env.NEXTAUTH_SECRET }) : null;
      const actor = await actorByUserId(token?.uid);
      if (!actor) return next(new Error("unauthenticated: sign in first"));
      socket.data.actor = actor;
      next();
    } catch {
      next(new Error("unauthenticated: session could not be read"));
    }
  });

  io.on("connection", (socket) => {
    socket.on("subscribe", (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => undefined;
      const parsed = subscribeSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, code: "bad_request", message: `Unknown topic; known topics: ${TOPICS.join(", ")}.` });
      const { topic } = parsed.data;
      if (!can(socket.data.actor.role, TOPIC_ACTION[topic])) return reply({ ok: false, code: "forbidden", message: `Your role may not subscribe to ${topic}.` });
      void socket.join(topic);
      reply({ ok: true });
      if (topic === "overview") {
        socket.emit("health:snapshot", { regions: rt.services.live.regions(), series: rt.services.live.allSeries(), serverTime: Date.now() });
        socket.emit("alerts:changed", rt.services.alerts.openAlerts());
      }
    });

    socket.on("telemetry:subscribe", (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => undefined;
      const refuse = (code: "bad_request" | "forbidden", message: string) => {
        socket.emit("app:error", { code, message });
        reply({ ok: false, code, message });
      };
      const parsed = telemetrySchema.safeParse(raw);
      if (!parsed.success) return refuse("bad_request", parsed.error.issues.map((i) => i.message).join("; "));
      const { panel, regionId, since } = parsed.data;
      if (!can(socket.data.actor.role, "overview:read")) return refuse("forbidden", "Your role may not read telemetry.");
      const regionOk = panel === "tenants" ? regionId === "all" : rt.services.live.region(regionId) !== undefined;
      if (!regionOk) return refuse("bad_request", panel === "tenants" ? 'the tenants panel takes regionId "all"' : `unknown region "${regionId}"`);
      void socket.join(room(panel, regionId));
      reply({ ok: true });
      const reset = since === undefined || since < rt.services.live.oldest();
      const points = rt.services.live.pointsSince((s) => {
        const d = destination({ series: s, t: 0, v: null });
        return d?.panel === panel && d.regionId === regionId;
      }, reset ? 0 : since);
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
  rt.services.bus.on("break-glass:changed", (active) => io.emit("break-glass:changed", active));

  rt.services.bus.on("health", (regions, points) => {
    io.to("overview").emit("health:sample", { regions, serverTime: Date.now() });
    fanOut(points);
  });
  rt.services.bus.on("tenants:changed", (e) => io.to("tenants").to("overview").to("audit").emit("tenants:changed", e));
  rt.services.bus.on("regions:changed", (e) => io.to("overview").to("tenants").to("audit").emit("regions:changed", e));
  return io;
}

/** next-auth's session cookie (plain or __Secure-, possibly split into .0/.1 chunks). */
export function sessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  const jar = new Map<string, string>();
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) jar.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  for (const name of ["__Secure-next-auth.session-token", "next-auth.session-token"]) {
    if (jar.has(name)) return jar.get(name)!;
    const chunks: string[] = [];
    for (let n = 0; jar.has(`${name}.${n}`); n++) chunks.push(jar.get(`${name}.${n}`)!);
    if (chunks.length) return chunks.join("");
  }
  return null;
}
