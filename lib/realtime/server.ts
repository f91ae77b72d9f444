import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { decode } from "next-auth/jwt";
import { z } from "zod";
import { can } from "@/lib/auth/permissions";
import { actorByUserId } from "@/lib/auth/actors";
import type { Runtime } from "@/lib/runtime";
import type { Actor } from "@/lib/auth/permissions";
import { TOPICS, type ClientToServerEvents, type ServerToClientEvents, type Topic } from "./events";

interface SocketData {
  actor: Actor;
}

const subscribeSchema = z.object({ topic: z.enum(TOPICS as [Topic, ...Topic[]]) });

const TOPIC_ACTION = { overview: "overview:read", tenants: "tenants:read" } as const;

/** socket.io on the console's HTTP server: authenticated handshake, authorised subscriptions. */
export function attachRealtime(http: HttpServer, rt: Runtime): Server<ClientToServerEvents, ServerToClientEvents, object, SocketData> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, object, SocketData>(http, {
    path: "/socket.io",
    serveClient: false,
    cors: { origin: false },
  });

  io.use(async (socket, next) => {
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
        socket.emit("health:snapshot", { regions: rt.live.regions(), series: rt.live.allSeries(), serverTime: Date.now() });
      }
    });
  });

  rt.bus.on("health", (regions) => io.to("overview").emit("health:sample", { regions, serverTime: Date.now() }));
  rt.bus.on("tenants:changed", (e) => io.to("tenants").to("overview").emit("tenants:changed", e));
  rt.bus.on("regions:changed", (e) => io.to("overview").to("tenants").emit("regions:changed", e));
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
