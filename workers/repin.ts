import type { PrismaClient } from "@/lib/db/types";
import type { Federation, RegionHealth } from "@/lib/federation/types";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { Bus } from "@/lib/realtime/bus";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { requestMove } from "@/lib/moves/service";
import { ACTIVE_STATES } from "@/lib/moves/steps";
import { LAG_SLO_MS } from "@/lib/telemetry/alerts";

// T6: a tenant evacuated from its primary goes back once the primary has been healthy — and its
// replication caught up — for a whole hold-down period. Any unhealthy sample restarts the
// hold-down, so a flapping region does not bounce tenants. Planned moves stay where the admin
// put them. A re-pin is an ordinary staged move (same checks, fencing, zero loss).

export interface RepinOptions {
  holdDownMs: number;
  now?: () => number;
}

export class Repinner {
  private readonly healthySince = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private off: (() => void) | null = null;
  private busy = false;
  private readonly now: () => number;

  constructor(
    private readonly db: PrismaClient,
    private readonly federation: Federation,
    private readonly live: LiveHealth,
    private readonly bus: Bus,
    private readonly opts: RepinOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.off = this.bus.on("health", (regions) => this.observe(regions));
    this.timer = setInterval(() => void this.evaluate(), 2000);
  }

  stop(): void {
    this.off?.();
    if (this.timer) clearInterval(this.timer);
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
        const lag = this.live.region(t.primaryRegionId)?.figures.replicationLagMs;
        try {
          await requestMove(
            { db: this.db, federation: this.federation, live: this.live, bus: this.bus, actor: SYSTEM_ACTOR, requestId: `repin:${t.id}` },
            {
              tenantId: t.id,
              targetRegionId: t.primaryRegionId,
              kind: "repin",
              reason: `re-pin after recovery: ${t.primaryRegionId} healthy for ${Math.round((now - since) / 1000)} s (hold-down ${Math.round(this.opts.holdDownMs / 1000)} s), lag ${lag === undefined || lag === null ? "—" : `${Math.round(lag)} ms`}`,
            },
          );
          started.push(t.id);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          // Refused (and audited by requestMove): try again after another hold-down.
        }
        this.notBefore.set(t.id, now + this.opts.holdDownMs);
      }
      return started;
    } finally {
      this.busy = false;
    }
  }
}
