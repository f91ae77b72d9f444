"use client";
import { useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { TenantView } from "@/lib/tenants/types";
import { rpoNow } from "@/lib/telemetry/rpo";
import { formatAge, formatFigure, isStale } from "@/lib/format";
import type { TenantLatencyView } from "@/lib/telemetry/types";
import { useNow } from "@/lib/use-now";
import { StatusPill } from "../status";
import { useOverview, useRegions } from "./use-overview";

/** Tenants are probed every 5 s (TENANT_PROBE_INTERVAL_MS): a result older than three periods is not live. */
const PROBE_STALE_AFTER_MS = 15_000;

/**
 * M2 "RPO now" per tenant (how much of its acknowledged writes the other region may still lack)
 * and M4 latency through the router from synthetic probes.
 */
export function TenantPanel() {
  const tenants = useQuery({ queryKey: queryKeys.tenants.list({}), queryFn: () => fetchJson<TenantView[]>("/api/tenants") });
  const latency = useQuery({
    queryKey: queryKeys.telemetry.tenantLatency,
    queryFn: () => fetchJson<TenantLatencyView[]>("/api/telemetry/tenants"),
    refetchInterval: 5000,
  });
  const overview = useOverview();
  const regions = useRegions();
  const now = useNow(1000);
  const health = overview.data?.regions ?? [];
  const serverNow = now + (overview.data?.clockOffsetMs ?? 0);
  // While stale, never a bare status: "Last known: within SLO, 12 s ago".
  const rpoStale = (at: number | null | undefined) => (at && isStale(at, serverNow) ? serverNow - at : undefined);
  const probeStale = (at: number) => (serverNow - at > PROBE_STALE_AFTER_MS ? serverNow - at : undefined);
  const name = (id: string) => regions.data?.find((r) => r.id === id)?.name ?? id;
  const rows = (tenants.data ?? []).map((t) => ({ t, rpo: rpoNow(t, health), lat: latency.data?.find((l) => l.tenant === t.slug) }));
  rows.sort((a, b) => (b.rpo.seconds ?? -1) - (a.rpo.seconds ?? -1));
  return (
    <div className="table-wrap">
      <table className="data" data-testid="rpo-table">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Served by</th>
            <th scope="col">Copy in</th>
            <th scope="col">RPO now</th>
            <th scope="col">Against 1 s SLO</th>
            <th scope="col">Measured</th>
            <th scope="col">Latency p50 (15 min)</th>
            <th scope="col">p95</th>
            <th scope="col">Last probe</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={9} className="muted" data-testid="rpo-empty">
                Waiting for the tenant list and the first replication sample…
              </td>
            </tr>
          )}
          {rows.map(({ t, rpo, lat }) => (
            <tr key={t.id} data-testid={`rpo-${t.id}`}>
              <td>{t.name}</td>
              <td>{name(t.servingRegionId)}</td>
              <td>{rpo.copyRegionId ? name(rpo.copyRegionId) : <span className="muted">none (locked to one region)</span>}</td>
              <td className="num">{rpo.seconds === null ? "—" : `${rpo.seconds.toFixed(3)} s`}</td>
              <td>
                {rpo.seconds === null ? (
                  <StatusPill status="unknown" label={rpo.reason ?? "unknown"} staleAgeMs={rpoStale(rpo.measuredAt)} />
                ) : rpo.seconds > 1 ? (
                  <StatusPill status="degraded" label="above SLO" staleAgeMs={rpoStale(rpo.measuredAt)} />
                ) : (
                  <StatusPill status="up" label="within SLO" staleAgeMs={rpoStale(rpo.measuredAt)} />
                )}
              </td>
              <td className="num small">{rpo.measuredAt ? formatAge(now + (overview.data?.clockOffsetMs ?? 0) - rpo.measuredAt) : "—"}</td>
              <td className="num">{formatFigure(lat?.p50 ?? null, "ms")}</td>
              <td className="num">{formatFigure(lat?.p95 ?? null, "ms")}</td>
              <td className="small" data-testid="probe">
                {!lat?.latest ? (
                  <span className="muted">not probed yet</span>
                ) : lat.latest.ok ? (
                  <>
                    <StatusPill
                      status="up"
                      label={`${formatFigure(lat.latest.latencyMs, "ms")} via ${name(lat.latest.servedBy ?? "?")}`}
                      staleAgeMs={probeStale(lat.latest.measuredAt)}
                    />{" "}
                    {probeStale(lat.latest.measuredAt) === undefined && <span className="muted num">{formatAge(serverNow - lat.latest.measuredAt)}</span>}
                  </>
                ) : (
                  <StatusPill status="down" label={lat.latest.error ?? "failed"} staleAgeMs={probeStale(lat.latest.measuredAt)} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
