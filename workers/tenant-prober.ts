import "server-only";
import type { Federation, TenantProbe } from "@/lib/federation/types";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { HistoryStore } from "@/lib/telemetry/history";
import type { Bus } from "@/lib/realtime/bus";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";
import { tenantSeries, type Point } from "@/lib/telemetry/series";
import type { StallGuard } from "@/lib/telemetry/stall";

// M4: a synthetic request per tenant through the router every period, spread evenly over the
// period so the router sees a steady trickle, a few at a time. Each result is a latency point
// (null when the request failed) and the latest result per tenant is kept for the panel.
// A probe that spanned a stall of the console itself (lib/telemetry/stall.ts) measured the
// console: it is re-taken once at once, never recorded as a failure or a latency point.
export class TenantProber implements Worker {
  readonly name = "tenant-prober";
  private readonly tracker = new HealthTracker(this.name);
  private timer: NodeJS.Timeout | null = null;
  private tenants: string[] = [];
  private cursor = 0;
  private active = 0;
  readonly latest = new Map<string, TenantProbe>();

  constructor(
    private readonly federation: Federation,
    private readonly live: LiveHealth,
    private readonly history: HistoryStore,
    private readonly bus: Bus,
    private readonly periodMs: number,
    private readonly maxConcurrent = 4,
    /** The console's own stalls (absent: every result is taken as it is). */
    private readonly stalls?: StallGuard,
  ) {}

  /** tenant → the region the console routes it to (what the observed region is compared with) */
  routes: Readonly<Record<string, string>> = {};

  /** The tenants to probe: the console's route table (an array of slugs: routes unknown). */
  setTenants(table: Record<string, string> | string[]): void {
    const slugs = Array.isArray(table) ? table : Object.keys(table);
    if (!Array.isArray(table)) this.routes = { ...table };
    this.tenants = [...slugs].sort();
    for (const t of this.latest.keys()) if (!this.tenants.includes(t)) this.latest.delete(t);
  }

  start(): void {
    if (this.timer) return;
    this.tracker.start();
    const tick = Math.max(20, Math.floor(this.periodMs / Math.max(1, this.tenants.length)));
    this.timer = setInterval(() => void this.next(), tick);
  }

  stop(): void {
    this.tracker.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  health() {
    return this.tracker.snapshot();
  }

  /** Probes one tenant now; used by the schedule and by tests. null: both tries spanned a stall, nothing recorded. */
  async probe(tenant: string): Promise<TenantProbe | null> {
    const r = await this.measure(tenant);
    if (!r) return null;
    const before = this.latest.get(tenant);
    this.latest.set(tenant, r);
    const region = r.writeBy ?? r.servedBy;
    if (!before || (before.writeBy ?? before.servedBy) !== region || before.ok !== r.ok)
      this.bus.emit("tenants:observed", { tenant, regionId: region, ok: r.ok, at: r.measuredAt });
    const point: Point = { series: tenantSeries(tenant, "latency_ms"), t: r.measuredAt, v: r.latencyMs };
    const added = this.live.add([point]);
    this.history.append(added);
    if (added.length) this.bus.emit("points", added);
    return r;
  }

  /** One result, re-taken once if it spanned a stall of the console; null when the re-take did too. */
  private async measure(tenant: string): Promise<TenantProbe | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const startedAt = Date.now();
      const r = await this.federation.probeTenant(tenant);
      if (!this.stalls?.spansStall(startedAt, Date.now())) return r;
      this.stalls.noteDiscarded(this.name);
    }
    return null;
  }

  private async next(): Promise<void> {
    if (this.tenants.length === 0 || this.active >= this.maxConcurrent) return;
    const tenant = this.tenants[this.cursor++ % this.tenants.length];
    this.active++;
    try {
      await this.probe(tenant);
      this.tracker.ok();
    } catch (e) {
      console.error(`[tenant-prober] ${this.tracker.fail(e)}`);
    } finally {
      this.active--;
    }
  }
}
