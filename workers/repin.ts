import "server-only";
import type { RegionHealth } from "@/lib/federation/types";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { contextFor, type Services } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { invoke } from "@/lib/ops/invoke";
import { requestRepinOp } from "@/lib/moves/operations";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";
import { ACTIVE_STATES } from "@/lib/moves/state-machine";
import { HoldDowns } from "@/lib/hold-downs";
import { LAG_SLO_MS } from "@/lib/slo";
import { openFailoverOf } from "@/lib/failover/service";
import type { PlanEntry } from "@/lib/failover/types";

// T6: a tenant evacuated from its primary (by a move, or by a failover of the primary that has
// since been brought back) goes back once the primary has been healthy — and its
// replication caught up — for a whole hold-down period. Any unhealthy sample restarts the
// hold-down, so a flapping region does not bounce tenants. Planned moves stay where the admin
// put them. A re-pin is an ordinary staged move (same checks, fencing, zero loss).
//
// Both hold-downs survive a restart (table hold_downs, lib/hold-downs.ts): since when each region
// has been healthy ("repin.region_healthy") and when each tenant may be tried again
// ("repin.tenant_retry"). They are read at start and written on a change only, not per sample.
// The console does not see the region while it is down itself: the first sample after a restart
// decides (an unhealthy one restarts the hold-down), the time in between counts as healthy.

/** Hold-down scopes of the re-pin worker (table hold_downs). */
export const REPIN_SCOPES = { regionHealthy: "repin.region_healthy", tenantRetry: "repin.tenant_retry" } as const;

export interface RepinOptions {
  holdDownMs: number;
  now?: () => number;
}

export class Repinner implements Worker {
  readonly name = "repin";
  private readonly tracker = new HealthTracker(this.name);
  /** Per region: since when it has been continuously healthy and caught up. */
  private readonly healthySince: HoldDowns;
  /** Per tenant: no re-pin is requested before notBefore (after one was requested or refused). */
  private readonly notBefore: HoldDowns;
  private timer: NodeJS.Timeout | null = null;
  private off: (() => void) | null = null;
  private busy = false;
  private readonly now: () => number;

  constructor(
    private readonly services: Services,
    private readonly opts: RepinOptions,
  ) {
    this.now = opts.now ?? Date.now;
    const onError = (e: unknown) => console.error(`[repin] hold-down not saved: ${this.tracker.fail(e)}`);
    this.healthySince = new HoldDowns(services.db, REPIN_SCOPES.regionHealthy, { onError });
    this.notBefore = new HoldDowns(services.db, REPIN_SCOPES.tenantRetry, { onError });
  }

  private get db() {
    return this.services.db;
  }

  /** Reads the persisted hold-downs (start does it before the first sample). */
  async load(): Promise<void> {
    const now = this.now();
    await Promise.all([this.healthySince.load(now), this.notBefore.load(now)]);
  }

  async start(): Promise<void> {
    await this.load();
    this.tracker.start();
    this.off = this.services.bus.on("health", (regions) => this.observe(regions));
    this.timer = setInterval(
      () =>
        void this.evaluate().then(
          () => this.tracker.ok(),
          (e) => console.error(`[repin] ${this.tracker.fail(e)}`),
        ),
      2000,
    );
  }

  async stop(): Promise<void> {
    this.tracker.stop();
    this.off?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch((e) => console.error(`[repin] hold-downs not saved at stop: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Waits until every hold-down change so far is written. */
  async flush(): Promise<void> {
    await Promise.all([this.healthySince.flush(), this.notBefore.flush()]);
  }

  health() {
    return this.tracker.snapshot();
  }

  /** Tracks since when each region has been continuously healthy and caught up. */
  observe(regions: RegionHealth[]): void {
    for (const r of regions) {
      const ok = r.status === "healthy" && !r.markedDown && (r.figures.replicationLagPeakMs ?? r.figures.replicationLagMs ?? Infinity) <= LAG_SLO_MS;
      if (!ok) this.healthySince.delete(r.regionId);
      else if (this.healthySince.get(r.regionId)?.since == null)
        this.healthySince.set(r.regionId, { since: r.measuredAt, reason: `healthy, replication lag within ${LAG_SLO_MS} ms` });
    }
  }

  /** The tenant is where a failover of its primary put it (a failover closed since: the region came back). */
  private async failedOverFrom(t: { id: string; primaryRegionId: string; servingRegionId: string }, lastMoveAt: Date | null): Promise<boolean> {
    const f = await this.db.failover.findFirst({
      where: { regionId: t.primaryRegionId, state: "completed", closedAt: { not: null }, ...(lastMoveAt ? { createdAt: { gt: lastMoveAt } } : {}) },
      orderBy: { createdAt: "desc" },
    });
    const plan = (f?.plan ?? []) as unknown as PlanEntry[];
    return plan.some((p) => p.tenantId === t.id && p.toRegionId === t.servingRegionId);
  }

  /** Requests the re-pins that are due; returns the tenants it asked to move back. */
  async evaluate(): Promise<string[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const now = this.now();
      const away = (await this.db.tenant.findMany()).filter((t) => t.servingRegionId !== t.primaryRegionId);
      const started: string[] = [];
      for (const t of away) {
        const since = this.healthySince.get(t.primaryRegionId)?.since;
        if (since == null || now - since < this.opts.holdDownMs) continue;
        if ((this.notBefore.get(t.id)?.notBefore ?? 0) > now) continue;
        if (await this.db.move.findFirst({ where: { tenantId: t.id, state: { in: [...ACTIVE_STATES] } } })) continue;
        // A region failed over and not brought back is fenced: nothing returns to it before its return (lib/failover/return.ts).
        if (await openFailoverOf(this.db, t.primaryRegionId)) continue;
        const last = await this.db.move.findFirst({ where: { tenantId: t.id, state: "completed" }, orderBy: { finishedAt: "desc" } });
        const evacuated = last?.kind === "evacuation" && last.toRegionId === t.servingRegionId;
        if (!evacuated && !(await this.failedOverFrom(t, last?.finishedAt ?? null))) continue;
        const lag = this.services.live.region(t.primaryRegionId)?.figures.replicationLagMs;
        try {
          await invoke(requestRepinOp, contextFor(this.services, SYSTEM_ACTOR, `repin:${t.id}`), {
            tenantId: t.id,
            targetRegionId: t.primaryRegionId,
            reason: `re-pin after recovery: ${t.primaryRegionId} healthy for ${Math.round((now - since) / 1000)} s (hold-down ${Math.round(this.opts.holdDownMs / 1000)} s), lag ${lag === undefined || lag === null ? "—" : `${Math.round(lag)} ms`}`,
          });
          started.push(t.id);
          this.notBefore.set(t.id, { notBefore: now + this.opts.holdDownMs, reason: `re-pin to ${t.primaryRegionId} requested` });
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          // Refused (and audited with its receipt by invoke): try again after another hold-down.
          this.notBefore.set(t.id, { notBefore: now + this.opts.holdDownMs, reason: `re-pin to ${t.primaryRegionId} refused: ${e.message}` });
        }
      }
      return started;
    } finally {
      this.busy = false;
    }
  }
}
