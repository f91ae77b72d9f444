"use client";
import { createContext, useContext, useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents, Topic } from "@/lib/realtime/events";

export type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ConnState = "connecting" | "live" | "reconnecting" | "refused";

const Ctx = createContext<{ socket: ConsoleSocket | null; state: ConnState; error: string | null }>({
  socket: null,
  state: "connecting",
  error: null,
});

/** One socket per tab, authenticated by the session cookie. */
export function SocketProvider({ children }: { children: React.ReactNode }) {
  const [socket, setSocket] = useState<ConsoleSocket | null>(null);
  const [state, setState] = useState<ConnState>("connecting");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const s: ConsoleSocket = io({ path: "/socket.io", transports: ["websocket", "polling"], withCredentials: true });
    setSocket(s);
    s.on("connect", () => {
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
  return <Ctx.Provider value={{ socket, state, error }}>{children}</Ctx.Provider>;
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
