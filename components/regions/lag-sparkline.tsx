"use client";
import { Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, YAxis } from "recharts";
import type { SeriesPoint } from "@/lib/realtime/events";
import { formatDuration } from "@/lib/format";

import { LAG_SLO_MS as SLO_MS } from "@/lib/slo";

/** Cross-region lag over the last couple of minutes, against the 1 s SLO line. */
export function LagSparkline({ points }: { points: SeriesPoint[] }) {
  const data = points.slice(-120).map((p) => ({ t: p.t, lag: p.lagMs }));
  const max = Math.max(SLO_MS * 1.2, ...data.map((d) => d.lag ?? 0));
  return (
    <div className="spark" aria-hidden>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
          <YAxis hide domain={[0, max]} />
          <ReferenceLine y={SLO_MS} stroke="var(--chart-slo)" strokeDasharray="3 3" />
          <Tooltip
            isAnimationActive={false}
            formatter={(v) => [typeof v === "number" ? formatDuration(v) : "—", "lag"]}
            labelFormatter={(_, p) => (p?.[0] ? new Date(p[0].payload.t).toLocaleTimeString("en-GB") : "")}
            contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", fontSize: 12 }}
          />
          <Line type="monotone" dataKey="lag" stroke="var(--chart)" strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
