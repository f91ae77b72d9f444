"use client";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatFigure } from "@/lib/format";
import type { AnnotationView } from "@/lib/telemetry/types";

export interface ChartLine {
  dataKey: string;
  label: string;
  color: string;
  dashed?: boolean;
}

interface Props {
  rows: Array<Record<string, number | null>>;
  lines: ChartLine[];
  unit: string;
  from: number;
  to: number;
  slo?: { value: number; label: string };
  annotations?: AnnotationView[];
  step?: boolean;
  height?: number;
}

const ANNOTATION_COLOURS: Record<string, string> = {
  switch: "var(--accent)",
  region_marked_down: "var(--bad)",
  region_down_start: "var(--bad)",
  region_marked_up: "var(--ok)",
  region_down_end: "var(--ok)",
  lag_slo_start: "var(--warn)",
  lag_slo_end: "var(--ok)",
  served_elsewhere_start: "var(--warn)",
  served_elsewhere_end: "var(--ok)",
  residency_breach_start: "var(--bad)",
  residency_breach_end: "var(--ok)",
};

function timeLabel(t: number, span: number) {
  const d = new Date(t);
  if (span > 36 * 3_600_000) return d.toLocaleString("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit" });
  if (span > 2 * 3_600_000) return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A time series chart with units on the axis and in the tooltip, an SLO line and annotations. */
export function TimeChart({ rows, lines, unit, from, to, slo, annotations = [], step, height = 170 }: Props) {
  const span = to - from;
  return (
    <div style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="2 4" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={[from, to]}
            tickFormatter={(t) => timeLabel(t, span)}
            stroke="var(--muted)"
            fontSize={11}
            minTickGap={40}
          />
          <YAxis
            stroke="var(--muted)"
            fontSize={11}
            width={62}
            tickFormatter={(v) => (["ms", "bytes", "%", "s"].includes(unit) ? formatFigure(v, unit) : formatFigure(v, ""))}
            domain={[0, (max: number) => Math.max(max, slo ? slo.value * 1.15 : 0) || 1]}
            allowDecimals
          />
          <Tooltip
            isAnimationActive={false}
            labelFormatter={(t) => new Date(Number(t)).toLocaleString("en-GB")}
            formatter={(v, name) => [typeof v === "number" ? formatFigure(v, unit) : "—", name]}
            contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", fontSize: 12, color: "var(--text)" }}
          />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {slo && (
            <ReferenceLine
              y={slo.value}
              stroke="var(--chart-slo)"
              strokeDasharray="4 3"
              label={{ value: slo.label, fill: "var(--chart-slo)", fontSize: 10, position: "insideTopRight" }}
            />
          )}
          {annotations
            .filter((a) => a.t >= from && a.t <= to)
            .map((a) => (
              <ReferenceLine
                key={`${a.t}-${a.kind}-${a.regionId ?? ""}-${a.tenantId ?? ""}`}
                x={a.t}
                stroke={ANNOTATION_COLOURS[a.kind] ?? "var(--muted)"}
                strokeDasharray="2 2"
                ifOverflow="hidden"
              />
            ))}
          {lines.map((l) => (
            <Line
              key={l.dataKey}
              dataKey={l.dataKey}
              name={l.label}
              stroke={l.color}
              strokeDasharray={l.dashed ? "4 3" : undefined}
              dot={false}
              strokeWidth={1.5}
              isAnimationActive={false}
              type={step ? "stepAfter" : "monotone"}
              connectNulls={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
