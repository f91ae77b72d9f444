import type { Federation } from "@/lib/federation/types";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { Bus } from "@/lib/realtime/bus";

// Samples the federation at a fixed period and publishes each sample. A poll never overlaps
// the previous one, and a poll that takes too long is abandoned (the federation reports dead
// components itself; this guards against a federation that hangs as a whole).
export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  lastError: string | null = null;

  constructor(
    private readonly federation: Federation,
    private readonly live: LiveHealth,
    private readonly bus: Bus,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pollNow(), this.intervalMs);
    void this.pollNow();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Poll now (after a change an admin made, so the screen shows it at once). */
  pollNow(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.poll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async poll(): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      const health = await Promise.race([
        this.federation.readHealth(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`federation did not answer within ${this.intervalMs * 2} ms`)), this.intervalMs * 2);
        }),
      ]);
      this.lastError = null;
      const points = this.live.update(health);
      this.bus.emit("health", health, points);
    } catch (e) {
      // The screen shows staleness from measuredAt; the error is kept for /api/health.
      this.lastError = e instanceof Error ? e.message : String(e);
    } finally {
      clearTimeout(timeout);
    }
  }
}
