"use client";
import { useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { MoveListItem, MoveView } from "@/lib/moves/types";
import { useTopic } from "../realtime/socket";

// Moves, live: the socket names what changed (moves:changed, applied by LiveQueries), the query
// refetches. These hooks join the tenants room, where moves:changed is sent.

export function useMoves(q: { active?: boolean; limit?: number } = {}) {
  useTopic("tenants");
  const params = new URLSearchParams({ ...(q.active ? { active: "1" } : {}), limit: String(q.limit ?? 10) });
  return useQuery({ queryKey: queryKeys.moves.list(q), queryFn: () => fetchJson<MoveListItem[]>(`/api/moves?${params}`) });
}

export function useMove(id: string | null) {
  useTopic("tenants");
  return useQuery({ queryKey: queryKeys.moves.one(id ?? "none"), queryFn: () => fetchJson<MoveView>(`/api/moves/${id}`), enabled: !!id });
}
