"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import { useNow } from "@/lib/use-now";
import { RANGES, RANGE_KEYS, type RangeKey } from "@/lib/telemetry/ranges";
import type { PanelHistory, AnnotationView, AlertView } from "@/lib/telemetry/types";
import type { Panel } from "@/lib/telemetry/series";
import { formatAge, formatDuration } from "@/lib/format";
import { StatusPill } from "../status";
import { PanelCharts } from "./panel-charts";
import { TenantPanel } from "./tenant-panel";
import { useRegions } from "./use-overview";
import { useLivePanel } from "./use-live-panel";

type Range = "live" | RangeKey;
const TABS: { id: Panel; label: string }[] = [
  { id: "replication", label: "Replication" },
  { id: "inference", label: "GPUs & inference" },
  { id: "tenants", label: "Tenants: RPO & latency" },
  { id: "health", label: "Health & traffic" },
];

export function TelemetryView() {
  const [tab, setTab] = useState<Panel>("replication");
  const [range, setRange] = useState<Range>("live");
  const regions = useRegions();
  const regionList = (regions.data ?? []).map((r) => ({ id: r.id, name: r.name }));
  const now = useNow(1000);
  // Anything that adds an annotation (a switch, a region marked, an alert) refreshes the
  // telemetry queries: lib/realtime/invalidation.ts.

  const chartPanel = tab === "tenants" ? null : tab;
  const live = useLivePanel(
    chartPanel ?? "replication",
    regionList.map((r) => r.id),
    range === "live" && chartPanel !== null,
  );
  const history = useQuery({
    queryKey: queryKeys.telemetry.history(chartPanel ?? "none", range),
    queryFn: () => fetchJson<PanelHistory>(`/api/telemetry?panel=${chartPanel}&range=${range}`),
    enabled: range !== "live" && chartPanel !== null,
    refetchInterval: range === "15m" ? 15_000 : 60_000,
  });
  const annotations = useQuery({
    queryKey: queryKeys.telemetry.annotations("15m"),
    queryFn: () => fetchJson<AnnotationView[]>("/api/telemetry/annotations?range=15m"),
    enabled: range === "live",
  });
  const alerts = useQuery({ queryKey: queryKeys.telemetry.alerts, queryFn: () => fetchJson<{ open: AlertView[]; recent: AlertView[] }>("/api/alerts") });

  return (
    <>
      <h1>
        Telemetry <span className="small muted">sampled every second · history to 7 days</span>
      </h1>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Time range">
          {(["live", ...RANGE_KEYS] as Range[]).map((r) => (
            <button key={r} type="button" aria-pressed={range === r} onClick={() => setRange(r)}>
              {r === "live" ? "Live (5 min)" : RANGES[r].label}
            </button>
          ))}
        </div>
        {range !== "live" && history.data && (
          <span className="small muted">
            {history.data.bucketMs >= 60_000
              ? `${formatDuration(history.data.bucketMs)} buckets from one-minute rollups`
              : `${formatDuration(history.data.bucketMs)} buckets from raw samples`}
            {" · loaded "}
            {formatAge(now - history.dataUpdatedAt)}
          </span>
        )}
      </div>
      <div className="tabs" role="tablist" aria-label="Panels">
        {TABS.map((t) => (
          <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === "tenants" ? (
          <TenantPanel />
        ) : range === "live" ? (
          live.error ? (
            <div className="error-box" role="alert">
              {live.error}
            </div>
          ) : (
            <PanelCharts
              panel={tab}
              regions={regionList}
              source={{ kind: "live", series: live.series, newest: live.newest, now: now + live.clockOffsetMs }}
              annotations={annotations.data ?? []}
            />
          )
        ) : history.error ? (
          <div className="error-box" role="alert">
            Could not load history: {history.error.message}
          </div>
        ) : !history.data ? (
          <p className="muted">Loading {RANGES[range].label} of history…</p>
        ) : (
          <PanelCharts
            panel={tab}
            regions={regionList}
            source={{ kind: "history", series: history.data.series, from: history.data.from, to: history.data.to }}
            annotations={history.data.annotations}
          />
        )}
      </div>
      <h2 style={{ marginTop: 16 }}>Alerts</h2>
      <div className="table-wrap" style={{ marginTop: 6 }}>
        <table className="data" data-testid="alerts-table">
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Alert</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {(alerts.data?.recent ?? []).map((a) => (
              <tr key={a.id}>
                <td>
                  {a.endedAt ? <StatusPill status="up" label="ended" /> : <StatusPill status={a.kind === "region_down" ? "down" : "degraded"} label="open" />}
                </td>
                <td style={{ whiteSpace: "normal" }}>{a.message}</td>
                <td className="num small">{new Date(a.startedAt).toLocaleString("en-GB")}</td>
                <td className="num small">{a.endedAt ? new Date(a.endedAt).toLocaleString("en-GB") : "—"}</td>
                <td className="num small">{formatDuration((a.endedAt ? Date.parse(a.endedAt) : now) - Date.parse(a.startedAt))}</td>
              </tr>
            ))}
            {alerts.data && alerts.data.recent.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No alerts recorded.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
