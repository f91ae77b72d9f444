"use client";
import { useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { RouteDriftView } from "@/lib/routes/types";

/** The open route drift; the socket's routes:drift event refreshes it (lib/realtime/invalidation.ts). */
export function useRouteDrift() {
  return useQuery({ queryKey: queryKeys.routes.drift, queryFn: () => fetchJson<RouteDriftView>("/api/routes/drift"), staleTime: 60_000 });
}
