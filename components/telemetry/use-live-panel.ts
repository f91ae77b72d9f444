"use client";
import { useEffect, useRef, useState } from "react";
import type { TelemetryPoints, TelemetrySnapshot } from "@/lib/realtime/events";
import type { Panel, Point } from "@/lib/telemetry/series";
import { useSocket } from "../realtime/socket";

const WINDOW_MS = 5 * 60_000;
/** How many recent messages the clock offset is estimated from. */
const OFFSET_SAMPLES = 20;

export interface LivePanelData {
  /** series → points, oldest first, last five minutes */
  series: Record<string, Point[]>;
  /** newest measurement time held, epoch ms (server clock) */
  newest: number | null;
  error: string | null;
  /** serverTime − client time, so ages are computed on the server's clock */
  clockOffsetMs: number;
}

/**
 * Live points of one panel for the given regions: a snapshot on subscribe, deltas after.
 * On reconnect it asks for what came after the newest point it holds, so nothing is missed.
 */
export function useLivePanel(panel: Panel, regionIds: string[], enabled = true): LivePanelData {
  const { socket } = useSocket();
  const store = useRef(new Map<string, Point[]>());
  const newest = useRef<number | null>(null);
  const [data, setData] = useState<LivePanelData>({ series: {}, newest: null, error: null, clockOffsetMs: 0 });
  const key = regionIds.join(",");

  useEffect(() => {
    if (!socket || !enabled || !key) return;
    const regions = key.split(",");
    store.current = new Map();
    newest.current = null;
    // serverTime − arrival time of the recent messages. Each is the true clock offset minus that
    // message's delay in transit, so the largest is the best estimate: a message that sat in a
    // queue (a busy server or browser) must not make the newest point look younger than it is.
    const offsets: number[] = [];
    let offset = 0;
    const publish = (error: string | null = null) => {
      const cutoff = (newest.current ?? 0) - WINDOW_MS;
      const series: Record<string, Point[]> = {};
      for (const [name, pts] of store.current) {
        const kept = pts.filter((p) => p.t >= cutoff);
        store.current.set(name, kept);
        series[name] = kept;
      }
      setData({ series, newest: newest.current, error, clockOffsetMs: offset });
    };
    const add = (points: Point[], serverTime: number) => {
      offsets.push(serverTime - Date.now());
      if (offsets.length > OFFSET_SAMPLES) offsets.shift();
      offset = Math.max(...offsets);
      for (const p of points) {
        const s = store.current.get(p.series) ?? [];
        if (!s.length || s[s.length - 1].t < p.t) s.push(p);
        store.current.set(p.series, s);
        if (newest.current === null || p.t > newest.current) newest.current = p.t;
      }
    };
    const mine = (e: { panel: string; regionId: string }) => e.panel === panel && regions.includes(e.regionId);
    const onSnapshot = (s: TelemetrySnapshot) => {
      if (!mine(s)) return;
      if (s.reset) for (const name of [...store.current.keys()]) if (name.startsWith(`${s.regionId}:`) || s.regionId === "all") store.current.delete(name);
      add(s.points, s.serverTime);
      publish();
    };
    const onPoints = (p: TelemetryPoints) => {
      if (!mine(p)) return;
      add(p.points, p.serverTime);
      publish();
    };
    const subscribe = () => {
      for (const regionId of regions)
        socket.emit("telemetry:subscribe", { panel, regionId, ...(newest.current !== null ? { since: newest.current } : {}) }, (r) => {
          if (!r.ok) publish(r.message);
        });
    };
    socket.on("telemetry:snapshot", onSnapshot);
    socket.on("telemetry:points", onPoints);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();
    return () => {
      socket.off("telemetry:snapshot", onSnapshot);
      socket.off("telemetry:points", onPoints);
      socket.off("connect", subscribe);
      for (const regionId of regions) socket.emit("telemetry:unsubscribe", { panel, regionId });
    };
  }, [socket, panel, key, enabled]);
  return data;
}
