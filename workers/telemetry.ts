import "server-only";
import type { Bus } from "@/lib/realtime/bus";
import type { HistoryStore } from "@/lib/telemetry/history";
import type { AlertEngine } from "@/lib/telemetry/alerts";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";

// Stores what the pollers sample: raw points every tick, one-minute rollups every minute,
// expiry every ten minutes; and evaluates alerts on every sample. A failing write is logged
// and retried with the next batch; it never stops sampling.
export class TelemetryPipeline implements Worker {
  readonly name = "telemetry";
  private readonly tracker = new HealthTracker(this.name);
  private timers: NodeJS.Timeout[] = [];
  private off: (() => void) | null = null;
  private busy = new Set<string>();

  constructor(
    private readonly bus: Bus,
    private readonly history: HistoryStore,
    private readonly alerts: AlertEngine,
    private readonly flushMs = 1000,
  ) {}

  health() {
    return this.tracker.snapshot();
  }

  start(): void {
    this.tracker.start();
    this.off = this.bus.on("health", (regions, points) => {
      this.history.append(points);
      void this.guard("alerts", () => this.alerts.evaluate(regions));
    });
    this.timers.push(
      setInterval(() => void this.guard("flush", () => this.history.flush()), this.flushMs),
      setInterval(() => void this.guard("rollup", () => this.history.rollup()), 60_000),
      setInterval(() => void this.guard("prune", () => this.history.prune()), 10 * 60_000),
    );
    void this.guard("rollup", () => this.history.rollup(Date.now(), 60 * 60_000));
  }

  async stop(): Promise<void> {
    this.tracker.stop();
    this.off?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.history.flush().catch(() => undefined);
  }

  /** One run of a job at a time; errors are kept for the worker's health instead of thrown. */
  private async guard(job: string, fn: () => Promise<unknown>): Promise<void> {
    if (this.busy.has(job)) return;
    this.busy.add(job);
    try {
      await fn();
      if (!this.tracker.error || this.tracker.error.startsWith(job)) this.tracker.ok();
    } catch (e) {
      console.error(`[telemetry] ${this.tracker.fail(`${job}: ${e instanceof Error ? e.message : String(e)}`)}`);
    } finally {
      this.busy.delete(job);
    }
  }
}
