"use client";
import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { DomainEvent, DomainEvents } from "@/lib/realtime/events";
import { LIVE_EVENTS, applyDomainEvent } from "@/lib/realtime/invalidation";
import { useSocket, type ConsoleSocket } from "./socket";

/** Listens to one domain event for the cache; returns what stops it. */
function listen<E extends DomainEvent>(socket: ConsoleSocket, qc: ReturnType<typeof useQueryClient>, event: E): () => void {
  const fn = (payload: DomainEvents[E]) => applyDomainEvent(qc, event, payload);
  // socket.io's listener type for a generic event name does not resolve; fn has the event's own signature.
  const on = socket.on.bind(socket) as (ev: E, fn: (payload: DomainEvents[E]) => void) => unknown;
  const off = socket.off.bind(socket) as (ev: E, fn: (payload: DomainEvents[E]) => void) => unknown;
  on(event, fn);
  return () => void off(event, fn);
}

/**
 * The one place socket events reach React Query (lib/realtime/invalidation.ts says what each
 * does). Mounted once, in the providers; events arrive for the rooms the page joined (useTopic).
 */
export function LiveQueries() {
  const qc = useQueryClient();
  const { socket } = useSocket();
  useEffect(() => {
    if (!socket) return;
    const stops = LIVE_EVENTS.map((event) => listen(socket, qc, event));
    return () => {
      for (const stop of stops) stop();
    };
  }, [socket, qc]);
  return null;
}
