import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { getToken } from "next-auth/jwt";
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
      const token = await getToken({ req: socket.request as never, secret: rt.env.NEXTAUTH_SECRET });
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
