"use client";
import { useNow } from "@/lib/use-now";
import { can } from "@/lib/auth/permissions";
import { useActor } from "../providers";
import { useOverview } from "../telemetry/use-overview";
import { RegionCard } from "./region-card";
import { RouteDriftBanner } from "../routes/route-drift-banner";
import { FailoverPanel } from "../failover/failover-panel";

export function OverviewView() {
  const actor = useActor();
  const { data, error, isLoading } = useOverview();
  const now = useNow(500);
  if (isLoading) return <p className="muted">Loading the federation's state…</p>;
  if (error)
    return (
      <div className="error-box" role="alert">
        Could not load the overview: {error.message}
      </div>
    );
  const skewedNow = now + (data?.clockOffsetMs ?? 0);
  return (
    <>
      <h1>
        Overview <span className="small muted">{data?.regions.length ?? 0} regions · sampled every second</span>
      </h1>
      <RouteDriftBanner canResolve={can(actor.role, "routes:resolve")} />
      <div className="regions">
        {data?.regions.map((r) => (
          <RegionCard key={r.regionId} region={r} series={data.series[r.regionId] ?? []} now={skewedNow} canMark={can(actor.role, "region:mark")} />
        ))}
      </div>
      <FailoverPanel now={now} canAct={can(actor.role, "failover:run")} canConfigure={can(actor.role, "failover:settings")} />
    </>
  );
}
