import "server-only";
import type { ComponentHealth, ComponentProbe, Federation, RegionHealth, TenantProbe } from "@/lib/federation/types";
import { withTenantImpact } from "@/lib/tenants/observed";
import { assembleRegion } from "@/lib/federation/assemble";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { Bus } from "@/lib/realtime/bus";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";
import type { StallGuard } from "@/lib/telemetry/stall";

// Samples every component of every region once per period. Each component is probed on its
// own: a probe still running from an earlier round is not started again (no pile-up), and a
// round publishes when its probes have answered or after a deadline, whichever comes first, so
// a slow or dead component never delays the others. Its last answer keeps its own measuredAt,
// and after a few seconds without an answer it is reported unknown with that reason.
// An answer whose probe spanned a stall of the console itself (lib/telemetry/stall.ts) measured
// the console, not the component: it is discarded and the probe re-taken once at once; if the
// re-take spans a stall too, the previous answer stands. Time the console spent stalled does
// not count as a component's silence.
/** A tenant probe older than this no longer counts in its region's status. */
const TENANT_PROBE_FRESH_MS = 30_000;

export class Poller implements Worker {
  readonly name = "poller";
  private readonly tracker = new HealthTracker(this.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly latest = new Map<string, ComponentHealth>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private round: Promise<void> | null = null;

  constructor(
    private readonly federation: Federation,
    private readonly live: LiveHealth,
    private readonly bus: Bus,
    private readonly intervalMs: number,
    /** How long a round waits for its slowest probe before publishing without it. */
    private readonly deadlineMs = Math.round(intervalMs * 0.6),
    /** The console's own stalls (absent: every answer is taken as it is). */
    private readonly stalls?: StallGuard,
  ) {}

  private impact: {
    routes: () => Readonly<Record<string, string>>;
    probes: ReadonlyMap<string, TenantProbe>;
    locks: () => Readonly<Record<string, string[]>>;
  } | null = null;

  /** Region status then counts the tenants' own requests (lib/tenants/observed.ts withTenantImpact). */
  countTenantImpact(
    routes: () => Readonly<Record<string, string>>,
    probes: ReadonlyMap<string, TenantProbe>,
    locks: () => Readonly<Record<string, string[]>> = () => ({}),
  ): void {
    this.impact = { routes, probes, locks };
  }

  start(): void {
    if (this.timer) return;
    this.tracker.start();
    this.timer = setInterval(() => void this.pollNow(), this.intervalMs);
  }

  health() {
    return this.tracker.snapshot();
  }

  async stop(): Promise<void> {
    this.tracker.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
  }

  /** Runs a round now (after a change an admin made, so the screen shows it at once). */
  pollNow(): Promise<void> {
    const r = this.runRound().finally(() => {
      if (this.round === r) this.round = null;
    });
    this.round = r;
    return r;
  }

  private async runRound(): Promise<void> {
    const started: Promise<void>[] = [];
    for (const probe of this.federation.probes()) {
      const key = `${probe.regionId}:${probe.kind}`;
      if (this.inFlight.has(key)) continue;
      const p = this.measure(probe)
        .then((h) => void (h && this.latest.set(key, h)))
        .catch((e: unknown) => {
          // Probes must not throw; if one does, say so instead of freezing its last answer.
          this.latest.set(key, {
            kind: probe.kind,
            name: probe.kind,
            status: "unknown",
            reason: `probe error: ${e instanceof Error ? e.message : String(e)}`,
            figures: [],
            measuredAt: Date.now(),
          });
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
      started.push(p);
    }
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(started), new Promise<void>((r) => (deadline = setTimeout(r, this.deadlineMs)))]);
    clearTimeout(deadline);
    try {
      this.publish();
      this.tracker.ok();
    } catch (e) {
      console.error(`[poller] ${this.tracker.fail(e)}`);
    }
  }

  /** One answer of a probe, re-taken once if it spanned a stall of the console; null: keep the previous answer. */
  private async measure(probe: ComponentProbe): Promise<ComponentHealth | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const startedAt = Date.now();
      const h = await probe.run();
      if (!this.stalls?.spansStall(startedAt, Date.now())) return h;
      this.stalls.noteDiscarded(this.name);
    }
    return null;
  }

  /** A component silent for longer than this is unknown; a recent stall of the console's own does not count as its silence. */
  private silentAfterMs(now: number): number {
    const base = Math.max(3000, this.intervalMs * 3);
    return base + (this.stalls?.recentStallMs(base, now) ?? 0);
  }

  private publish(): void {
    const now = Date.now();
    const regions: RegionHealth[] = this.federation.regions.map((ref) =>
      assembleRegion(
        ref,
        [...this.latest].filter(([k]) => k.startsWith(`${ref.id}:`)).map(([, h]) => h),
        now,
        this.silentAfterMs(now),
      ),
    );
    if (this.impact) {
      // only recent probes speak for a tenant (a probe older than this says nothing about now)
      const recent = new Map([...this.impact.probes].filter(([, p]) => now - p.measuredAt < TENANT_PROBE_FRESH_MS));
      const routes = this.impact.routes();
      const plain = regions.slice();
      const locks = this.impact.locks();
      regions.forEach((r, i) => (regions[i] = withTenantImpact(r, routes, recent, plain, locks)));
    }
    const points = this.live.update(regions);
    this.bus.emit("health", regions, points);
  }
}
