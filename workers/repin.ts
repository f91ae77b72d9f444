import type { RegionHealth } from "@/lib/federation/types";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { contextFor, type Services } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { invoke } from "@/lib/ops/invoke";
import { requestRepinOp } from "@/lib/moves/operations";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";
import { ACTIVE_STATES } from "@/lib/moves/steps";
import { LAG_SLO_MS } from "@/lib/slo";

// T6: a tenant evacuated from its primary goes back once the primary has been healthy — and its
// replication caught up — for a whole hold-down period. Any unhealthy sample restarts the
// hold-down, so a flapping region does not bounce tenants. Planned moves stay where the admin
// put them. A re-pin is an ordinary staged move (same checks, fencing, zero loss).

export interface RepinOptions {
  holdDownMs: number;
  now?: () => number;
}

export class Repinner implements Worker {
  readonly name = "repin";
  private readonly tracker = new HealthTracker(this.name);
  private readonly healthySince = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private off: (() => void) | null = null;
  private busy = false;
  private readonly now: () => number;

  constructor(
    private readonly services: Services,
    private readonly opts: RepinOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  private get db() {
    return this.services.db;
  }

  start(): void {
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

  stop(): void {
    this.tracker.stop();
    this.off?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  health() {
    return this.tracker.snapshot();
  }

  /** Tracks since when each region has been continuously healthy and caught up. */
  observe(regions: RegionHealth[]): void {
    for (const r of regions) {
      const ok = r.status === "healthy" && !r.markedDown && (r.figures.replicationLagMs ?? Infinity) <= LAG_SLO_MS;
      if (!ok) this.healthySince.delete(r.regionId);
      else if (!this.healthySince.has(r.regionId)) this.healthySince.set(r.regionId, r.measuredAt);
    }
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
        const since = this.healthySince.get(t.primaryRegionId);
        if (since === undefined || now - since < this.opts.holdDownMs) continue;
        if ((this.notBefore.get(t.id) ?? 0) > now) continue;
        if (await this.db.move.findFirst({ where: { tenantId: t.id, state: { in: [...ACTIVE_STATES] } } })) continue;
        const last = await this.db.move.findFirst({ where: { tenantId: t.id, state: "completed" }, orderBy: { finishedAt: "desc" } });
        if (!last || last.kind !== "evacuation" || last.toRegionId !== t.servingRegionId) continue;
        const lag = this.services.live.region(t.primaryRegionId)?.figures.replicationLagMs;
        try {
          await invoke(requestRepinOp, contextFor(this.services, SYSTEM_ACTOR, `repin:${t.id}`), {
              tenantId: t.id,
              targetRegionId: t.primaryRegionId,
              reason: `re-pin after recovery: ${t.primaryRegionId} healthy for ${Math.round((now - since) / 1000)} s (hold-down ${Math.round(this.opts.holdDownMs / 1000)} s), lag ${lag === undefined || lag === null ? "—" : `${Math.round(lag)} ms`}`,
          });
          started.push(t.id);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          // Refused (and audited with its receipt by invoke): try again after another hold-down.
        }
        this.notBefore.set(t.id, now + this.opts.holdDownMs);
      }
      return started;
    } finally {
      this.busy = false;
    }
  }
}
