"use client";
import { useEffect } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { HealthSnapshot } from "@/lib/realtime/events";
import type { RegionView } from "@/lib/regions/types";
import { useTopic } from "../realtime/socket";

const MAX_POINTS = 300;

export interface OverviewData extends HealthSnapshot {
  /** serverTime − client time at receipt: ages are computed on the server's clock. */
  clockOffsetMs: number;
}

/** Live overview: first paint from /api/overview, then the socket's snapshot and samples. */
export function useOverview() {
  const qc = useQueryClient();
  const socket = useTopic("overview");
  const query = useQuery({
    queryKey: queryKeys.overview.snapshot,
    queryFn: async (): Promise<OverviewData> => {
      const s = await fetchJson<HealthSnapshot>("/api/overview");
      return { ...s, clockOffsetMs: s.serverTime - Date.now() };
    },
    staleTime: Infinity,
  });

  useEffect(() => {
    if (!socket) return;
    const onSnapshot = (s: HealthSnapshot) => qc.setQueryData<OverviewData>(queryKeys.overview.snapshot, { ...s, clockOffsetMs: s.serverTime - Date.now() });
    const onSample = (s: { regions: HealthSnapshot["regions"]; serverTime: number }) =>
      qc.setQueryData<OverviewData>(queryKeys.overview.snapshot, (prev) => {
        const series = { ...(prev?.series ?? {}) };
        for (const r of s.regions) {
          const pts = series[r.regionId] ? [...series[r.regionId]] : [];
          if (pts.at(-1)?.t !== r.measuredAt)
            pts.push({ t: r.measuredAt, lagMs: r.figures.replicationLagPeakMs, gpuPct: r.figures.gpuUtilPct, rps: r.figures.requestsPerSec });
          series[r.regionId] = pts.slice(-MAX_POINTS);
        }
        return { regions: s.regions, series, serverTime: s.serverTime, clockOffsetMs: s.serverTime - Date.now() };
      });
    socket.on("health:snapshot", onSnapshot);
    socket.on("health:sample", onSample);
    return () => {
      socket.off("health:snapshot", onSnapshot);
      socket.off("health:sample", onSample);
    };
  }, [socket, qc]);
  return query;
}

export function useRegions() {
  return useQuery({ queryKey: queryKeys.regions.all, queryFn: () => fetchJson<RegionView[]>("/api/regions"), staleTime: 30_000 });
}
