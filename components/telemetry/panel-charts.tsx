"use client";
import { useMemo } from "react";
import { PANEL_CHARTS, type ChartDef } from "@/lib/telemetry/panels";
import { seriesName, type Panel, type Point } from "@/lib/telemetry/series";
import type { AnnotationView, HistoryResult } from "@/lib/telemetry/types";
import { p95 } from "@/lib/telemetry/stats";
import { formatAge, formatFigure, isStale } from "@/lib/format";
import { StatusPill } from "../status";
import { TimeChart, type ChartLine } from "./time-chart";

const REGION_COLOURS = ["var(--chart)", "#d9822b", "#7a5cc2", "#2a9d8f"];
const KEY_COLOURS = ["#1f77b4", "#e6862a", "#2ca02c", "#d62728", "#9467bd"];

export type PanelSource =
  | { kind: "live"; series: Record<string, Point[]>; newest: number | null; now: number }
  | { kind: "history"; series: HistoryResult; from: number; to: number };

interface Props {
  panel: Exclude<Panel, "tenants">;
  regions: { id: string; name: string }[];
  source: PanelSource;
  annotations: AnnotationView[];
}

function linesFor(chart: ChartDef, regions: Props["regions"]): ChartLine[] {
  return regions.flatMap((r, ri) =>
    chart.keys.map((k, ki) => ({
      dataKey: `${r.id}|${k.key}`,
      label: chart.keys.length > 1 ? `${r.name} ${k.label}` : r.name,
      color: chart.keys.length > 1 ? KEY_COLOURS[ki % KEY_COLOURS.length] : REGION_COLOURS[ri % REGION_COLOURS.length],
      dashed: chart.keys.length > 1 && ri > 0,
    })),
  );
}

/** Rows keyed by time (live points rounded to the second, history by bucket). */
function rowsFor(chart: ChartDef, regions: Props["regions"], source: PanelSource) {
  const byT = new Map<number, Record<string, number | null>>();
  for (const r of regions) {
    for (const k of chart.keys) {
      const name = seriesName(r.id, chart.component, k.key);
      const dataKey = `${r.id}|${k.key}`;
      if (source.kind === "live") {
        for (const p of source.series[name] ?? []) {
          const t = Math.round(p.t / 1000) * 1000;
          const row = byT.get(t) ?? { t };
          row[dataKey] = p.v;
          byT.set(t, row);
        }
      } else {
        for (const p of source.series[name] ?? []) {
          const row = byT.get(p.t) ?? { t: p.t };
          row[dataKey] = p.avg;
          byT.set(p.t, row);
        }
      }
    }
  }
  return [...byT.values()].sort((a, b) => (a.t as number) - (b.t as number));
}

/** The p95 of each region's first key over what is in view (lag charts against the SLO). */
function windowP95(chart: ChartDef, regions: Props["regions"], source: PanelSource) {
  return regions.map((r) => {
    const name = seriesName(r.id, chart.component, chart.keys[0].key);
    const values =
      source.kind === "live"
        ? (source.series[name] ?? []).map((p) => p.v).filter((v): v is number => v !== null)
        : (source.series[name] ?? []).map((p) => p.p95).filter((v): v is number => v !== null);
    return { region: r, p95: p95(values) };
  });
}

export function PanelCharts({ panel, regions, source, annotations }: Props) {
  const now = source.kind === "live" ? source.now : source.to;
  const from = source.kind === "live" ? now - 5 * 60_000 : source.from;
  const stale = source.kind === "live" && (source.newest === null || isStale(source.newest, now));
  const charts = PANEL_CHARTS[panel];
  const built = useMemo(
    () => charts.map((c) => ({ chart: c, rows: rowsFor(c, regions, source), lines: linesFor(c, regions), p95: c.slo ? windowP95(c, regions, source) : null })),
    [charts, regions, source],
  );
  return (
    <div
      className={stale ? "stale-panel" : undefined}
      data-testid={`panel-${panel}`}
      data-stale={stale ? "true" : "false"}
      data-age-ms={source.kind === "live" && source.newest !== null ? Math.round(now - source.newest) : undefined}
    >
      {source.kind === "live" && (
        <div className="panel-meta small">
          {stale ? (
            <StatusPill status="stale" label={source.newest === null ? "No data yet" : `Stale — last update ${formatAge(now - source.newest)}`} />
          ) : (
            <span className="muted" data-testid="panel-age">
              live · last sample {source.newest === null ? "—" : formatAge(now - source.newest)}
            </span>
          )}
        </div>
      )}
      <AnnotationList annotations={annotations.filter((a) => a.t >= from && a.t <= now)} />
      <div className="charts">
        {built.map(({ chart, rows, lines, p95: stats }) => (
          <figure key={chart.id} className="chart-card" data-testid={`chart-${chart.id}`}>
            <figcaption>
              <span>{chart.title}</span>
              <span className="muted small">{chart.unit || "level"}</span>
            </figcaption>
            {stats && (
              <div className="small chart-stats">
                {stats.map((s) => (
                  <span key={s.region.id} className={s.p95 !== null && chart.slo && s.p95 > chart.slo.value ? "over-slo" : undefined}>
                    {s.region.name} p95 <span className="num">{formatFigure(s.p95, chart.unit)}</span>
                    {chart.slo && s.p95 !== null && (s.p95 > chart.slo.value ? " — above SLO" : " — within SLO")}
                  </span>
                ))}
              </div>
            )}
            {rows.length === 0 ? (
              <p className="muted small empty-chart">No samples in this range yet.</p>
            ) : (
              <TimeChart rows={rows} lines={lines} unit={chart.unit} from={from} to={now} slo={chart.slo} annotations={annotations} step={chart.step} />
            )}
          </figure>
        ))}
      </div>
    </div>
  );
}

const ANNOTATION_WORDS: Record<string, string> = {
  switch: "switch",
  region_marked_down: "marked down",
  region_marked_up: "marked up",
  region_down_start: "region down",
  region_down_end: "region up",
  lag_slo_start: "SLO breach",
  lag_slo_end: "SLO recovered",
  served_elsewhere_start: "served elsewhere",
  served_elsewhere_end: "served at home again",
  residency_breach_start: "residency breach",
  residency_breach_end: "residency restored",
};

/** The events drawn as dashed vertical lines, newest first, in words. */
function AnnotationList({ annotations }: { annotations: AnnotationView[] }) {
  if (annotations.length === 0) return null;
  const shown = [...annotations].reverse().slice(0, 6);
  return (
    <ul className="annotations small" aria-label="Events in view (dashed lines on the charts)">
      {shown.map((a) => (
        <li key={`${a.t}-${a.kind}-${a.regionId ?? ""}-${a.tenantId ?? ""}`}>
          <span className="num">{new Date(a.t).toLocaleTimeString("en-GB")}</span> <span className="tag">{ANNOTATION_WORDS[a.kind] ?? a.kind}</span> {a.text}
          {a.actor && <span className="muted"> · {a.actor}</span>}
        </li>
      ))}
      {annotations.length > shown.length && <li className="muted">and {annotations.length - shown.length} earlier</li>}
    </ul>
  );
}
