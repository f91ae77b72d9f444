"use client";
import { createContext, useContext, useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents, Topic } from "@/lib/realtime/events";
import type { ConnectionState, ConsoleStall } from "@/lib/liveness";

export type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ConnState = ConnectionState;

interface SocketContext {
  socket: ConsoleSocket | null;
  state: ConnState;
  error: string | null;
  /** When anything last arrived from the server (browser clock; the server ticks every second), null before. */
  lastDataAt(): number | null;
  /** Server clock − browser clock, from the latest tick. */
  serverOffsetMs(): number;
  /** The console's latest stall of its own (lib/liveness.ts stallNotice says whether to show it). */
  lastStall: ConsoleStall | null;
}

const Ctx = createContext<SocketContext>({
  socket: null,
  state: "connecting",
  error: null,
  lastDataAt: () => null,
  serverOffsetMs: () => 0,
  lastStall: null,
});

/** One socket per tab, authenticated by the session cookie. */
export function SocketProvider({ children }: { children: React.ReactNode }) {
  const [socket, setSocket] = useState<ConsoleSocket | null>(null);
  const [state, setState] = useState<ConnState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [lastStall, setLastStall] = useState<ConsoleStall | null>(null);
  // Refs, not state: they change every second and only the indicator (which ticks) reads them.
  const lastDataAt = useRef<number | null>(null);
  const serverOffset = useRef(0);
  useEffect(() => {
    const s: ConsoleSocket = io({ path: "/socket.io", transports: ["websocket", "polling"], withCredentials: true });
    setSocket(s);
    const heard = () => {
      lastDataAt.current = Date.now();
    };
    const stalled = (st: ConsoleStall | null) => setLastStall((prev) => (prev?.startedAt === st?.startedAt ? prev : st));
    s.onAny(heard);
    s.on("tick", (t) => {
      serverOffset.current = t.serverTime - Date.now();
      stalled(t.lastStall);
    });
    s.on("console:stalled", stalled);
    s.on("connect", () => {
      heard();
      setState("live");
      setError(null);
    });
    s.on("disconnect", () => setState("reconnecting"));
    s.on("connect_error", (err) => {
      setError(err.message);
      setState(err.message.startsWith("unauthenticated") ? "refused" : "reconnecting");
    });
    return () => {
      s.close();
    };
  }, []);
  return (
    <Ctx.Provider value={{ socket, state, error, lastStall, lastDataAt: () => lastDataAt.current, serverOffsetMs: () => serverOffset.current }}>
      {children}
    </Ctx.Provider>
  );
}

export function useSocket() {
  return useContext(Ctx);
}

/** Joins a topic's room on every (re)connect, so a reconnecting tab gets a fresh snapshot. */
export function useTopic(topic: Topic, onError?: (message: string) => void) {
  const { socket } = useSocket();
  const errRef = useRef(onError);
  errRef.current = onError;
  useEffect(() => {
    if (!socket) return;
    const join = () =>
      socket.emit("subscribe", { topic }, (r) => {
        if (!r.ok) errRef.current?.(r.message);
      });
    if (socket.connected) join();
    socket.on("connect", join);
    return () => {
      socket.off("connect", join);
    };
  }, [socket, topic]);
  return socket;
}
