import type { WorkerHealth } from "@/lib/runtime";

/** Keeps a worker's health: started or not, when its last run finished, its last failure. */
export class HealthTracker {
  private started = false;
  private lastRunAt: number | null = null;
  private lastError: string | null = null;
  standby = false;

  constructor(private readonly name: string) {}

  start(): void {
    this.started = true;
  }

  stop(): void {
    this.started = false;
  }

  ok(at = Date.now()): void {
    this.lastRunAt = at;
    this.lastError = null;
  }

  fail(e: unknown, at = Date.now()): string {
    this.lastRunAt = at;
    this.lastError = e instanceof Error ? e.message : String(e);
    return this.lastError;
  }

  get error(): string | null {
    return this.lastError;
  }

  snapshot(): WorkerHealth {
    const state = !this.started ? "stopped" : this.lastError ? "failing" : this.standby ? "standby" : "running";
    return { name: this.name, state, lastRunAt: this.lastRunAt, lastError: this.lastError };
  }
}
