"use client";
import { AlertTriangle } from "lucide-react";
import type { RegionHealth } from "@/lib/federation/types";
import type { SeriesPoint } from "@/lib/realtime/events";
import { formatAge, formatFigure, isStale } from "@/lib/format";
import { StatusPill } from "../status";
import { LagSparkline } from "./lag-sparkline";
import { MarkRegionButton } from "./mark-region-button";

interface Props {
  region: RegionHealth;
  series: SeriesPoint[];
  now: number;
  canMark: boolean;
}

import { LAG_SLO_MS as SLO_MS } from "@/lib/slo";

export function RegionCard({ region: r, series, now, canMark }: Props) {
  const age = now - r.measuredAt;
  const stale = isStale(r.measuredAt, now);
  const lag = r.figures.replicationLagMs;
  return (
    <section
      className={`card${stale ? " stale" : ""}`}
      aria-labelledby={`region-${r.regionId}`}
      data-testid={`region-${r.regionId}`}
      data-status={stale ? "stale" : r.status}
    >
      <div className="card-head">
        <h2 id={`region-${r.regionId}`}>{r.name}</h2>
        <span className="id">{r.regionId}</span>
        {/* While stale, never a bare "Healthy": "Last known: healthy, 12 s ago". */}
        <StatusPill status={r.status} staleAgeMs={stale ? age : undefined} />
        {r.markedDown && <span className="tag">marked down by an admin</span>}
      </div>
      {r.reasons.length > 0 && (
        <ul className="reasons" data-testid="reasons">
          {r.reasons.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      <div className="figs">
        <div className={`fig${lag !== null && lag > SLO_MS ? " over" : ""}`}>
          <div className="label">
            <span>Cross-region lag</span>
            <span title="Service level objective: p95 below 1 s">SLO 1 s ┄</span>
          </div>
          <div className="value" data-testid="lag">
            {formatFigure(lag, "ms")}
          </div>
          <LagSparkline points={series} />
        </div>
        <div className="fig">
          <div className="label">GPU utilisation</div>
          <div className="value" data-testid="gpu">
            {formatFigure(r.figures.gpuUtilPct, "%")}
          </div>
        </div>
        <div className="fig">
          <div className="label">Requests</div>
          <div className="value" data-testid="rps">
            {formatFigure(r.figures.requestsPerSec, "req/s")}
          </div>
        </div>
        <div className="fig">
          <div className="label">Tenants routed here</div>
          <div className="value" data-testid="served">
            {r.figures.tenantsServed}
          </div>
          <div className="small muted" data-testid="observed">
            {r.figures.tenantsObserved === undefined ? "not probed yet" : `${r.figures.tenantsObserved} answered here (observed)`}
          </div>
        </div>
      </div>
      {(r.figures.tenantsElsewhere?.length ?? 0) > 0 && (
        <div className="card-notice small" data-testid="served-elsewhere" role="status">
          <AlertTriangle aria-hidden size={14} />
          <span>
            {r.figures.tenantsElsewhere!.length} routed here but answered by another region: {listed(r.figures.tenantsElsewhere!)}
          </span>
        </div>
      )}
      <table className="comp">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Status</th>
            <th scope="col">Figures</th>
            <th scope="col">Measured</th>
          </tr>
        </thead>
        <tbody>
          {r.components.map((c) => (
            <tr key={c.kind} data-testid={`component-${c.kind}`}>
              <td>{c.name}</td>
              <td>
                <StatusPill status={c.status} staleAgeMs={stale ? now - c.measuredAt : undefined} />
                {c.reason && <div className="small muted">{c.reason}</div>}
              </td>
              <td>
                <div className="figs-inline">
                  {c.figures
                    .filter((f) => !/^gpu\d/.test(f.key))
                    .map((f) => (
                      <span key={f.key}>
                        <span className="muted">{f.label}</span> <span className="num">{formatFigure(f.value, f.unit)}</span>
                      </span>
                    ))}
                  {c.figures.length === 0 && <span className="muted">no figures: not reachable</span>}
                </div>
              </td>
              <td className="num small">{formatAge(now - c.measuredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="card-foot">
        <span className="small muted">
          measured {new Date(r.measuredAt).toLocaleTimeString("en-GB")} · <span data-testid="age">{formatAge(age)}</span>
        </span>
        {canMark && <MarkRegionButton regionId={r.regionId} name={r.name} markedDown={r.markedDown} />}
      </div>
    </section>
  );
}

const listed = (names: string[], max = 6) => (names.length > max ? `${names.slice(0, max).join(", ")} and ${names.length - max} more` : names.join(", "));
