"use client";
import { useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { tenantKeys } from "@/lib/tenants/keys";
import type { TenantView } from "@/lib/tenants/service";
import { useOverview, useRegions } from "@/lib/telemetry/use-overview";
import { rpoNow } from "@/lib/telemetry/rpo";
import { formatAge } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { StatusPill } from "../status";

/** M2 "RPO now" per tenant: how much of the tenant's acknowledged writes the other region may still lack. */
export function TenantPanel() {
  const tenants = useQuery({ queryKey: tenantKeys.list({}), queryFn: () => fetchJson<TenantView[]>("/api/tenants") });
  const overview = useOverview();
  const regions = useRegions();
  const now = useNow(1000);
  const health = overview.data?.regions ?? [];
  const name = (id: string) => regions.data?.find((r) => r.id === id)?.name ?? id;
  const rows = (tenants.data ?? []).map((t) => ({ t, rpo: rpoNow(t, health) }));
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
          </tr>
        </thead>
        <tbody>
          {rows.map(({ t, rpo }) => (
            <tr key={t.id} data-testid={`rpo-${t.id}`}>
              <td>{t.name}</td>
              <td>{name(t.servingRegionId)}</td>
              <td>{rpo.copyRegionId ? name(rpo.copyRegionId) : <span className="muted">none (locked to one region)</span>}</td>
              <td className="num">{rpo.seconds === null ? "—" : `${rpo.seconds.toFixed(3)} s`}</td>
              <td>
                {rpo.seconds === null ? (
                  <StatusPill status="unknown" label={rpo.reason ?? "unknown"} />
                ) : rpo.seconds > 1 ? (
                  <StatusPill status="degraded" label="above SLO" />
                ) : (
                  <StatusPill status="up" label="within SLO" />
                )}
              </td>
              <td className="num small">{rpo.measuredAt ? formatAge(now + (overview.data?.clockOffsetMs ?? 0) - rpo.measuredAt) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
