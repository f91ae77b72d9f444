"use client";
import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { useTopic } from "@/lib/realtime/client";
import type { MoveListItem, MoveView } from "./service";
import { moveKeys } from "./keys";

/** Moves, live: the socket names what changed, the query refetches. */
export function useMoves(q: { active?: boolean; limit?: number } = {}) {
  const qc = useQueryClient();
  const socket = useTopic("tenants");
  useEffect(() => {
    if (!socket) return;
    const inv = () => void qc.invalidateQueries({ queryKey: moveKeys.all });
    socket.on("moves:changed", inv);
    return () => {
      socket.off("moves:changed", inv);
    };
  }, [socket, qc]);
  const params = new URLSearchParams({ ...(q.active ? { active: "1" } : {}), limit: String(q.limit ?? 10) });
  return useQuery({ queryKey: moveKeys.list(q), queryFn: () => fetchJson<MoveListItem[]>(`/api/moves?${params}`) });
}

export function useMove(id: string | null) {
  const qc = useQueryClient();
  const socket = useTopic("tenants");
  useEffect(() => {
    if (!socket || !id) return;
    const inv = (e: { moveId: string }) => {
      if (e.moveId === id) void qc.invalidateQueries({ queryKey: moveKeys.one(id) });
    };
    socket.on("moves:changed", inv);
    return () => {
      socket.off("moves:changed", inv);
    };
  }, [socket, qc, id]);
  return useQuery({ queryKey: moveKeys.one(id ?? "none"), queryFn: () => fetchJson<MoveView>(`/api/moves/${id}`), enabled: !!id });
}
