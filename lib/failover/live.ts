import "server-only";
import type { Assessment } from "./types";

// What the region watch (workers/region-watch.ts) knows between its rounds and the failover
// operation needs: the console's own lease grants per region, and each region's latest
// assessment. In memory: after a restart the console cannot know when the process before it last
// granted a lease, so it counts every region as granted at its own start (never earlier).

export interface DetectionConfig {
  /** How long the console's own probes must have failed (the other signals agreeing) before a region is lost, ms (FAILOVER_CONFIRM_MS). */
  confirmMs: number;
  /** The other region no longer hears a region whose heartbeat there is older than this, ms. */
  heartbeatStaleMs: number;
  /** After a failover of a region, no automatic action on it for this long, ms. */
  holdDownMs: number;
}

export const DEFAULT_DETECTION: DetectionConfig = { confirmMs: 1000, heartbeatStaleMs: 1000, holdDownMs: 300_000 };

export class FailoverLive {
  private readonly lastIssued = new Map<string, number>();
  /** Regions the console grants no lease to (failed over, or being failed over). */
  private readonly blocked = new Set<string>();
  private readonly assessments = new Map<string, Assessment>();
  /** Per region: replication lag into the other region while it was last heard, ms (the predicted RPO of its loss). */
  private readonly lag = new Map<string, number>();

  constructor(
    readonly config: DetectionConfig = DEFAULT_DETECTION,
    readonly startedAt: number = Date.now(),
  ) {}

  /** Recorded before a grant is sent (a grant that timed out may still have arrived). */
  granting(regionId: string, at: number): void {
    this.lastIssued.set(regionId, Math.max(at, this.lastIssued.get(regionId) ?? 0));
  }

  /** The console's last grant to the region that may have arrived; at least this process's start. */
  lastIssuedAt(regionId: string): number {
    return Math.max(this.startedAt, this.lastIssued.get(regionId) ?? 0);
  }

  block(regionId: string, blocked: boolean): void {
    if (blocked) this.blocked.add(regionId);
    else this.blocked.delete(regionId);
  }

  isBlocked(regionId: string): boolean {
    return this.blocked.has(regionId);
  }

  recordLag(regionId: string, ms: number): void {
    this.lag.set(regionId, ms);
  }

  /** Lag into the other region the last time it heard this region (null: never measured). */
  lastLagMs(regionId: string): number | null {
    return this.lag.get(regionId) ?? null;
  }

  setAssessment(a: Assessment): void {
    this.assessments.set(a.regionId, a);
  }

  assessment(regionId: string): Assessment | null {
    return this.assessments.get(regionId) ?? null;
  }
}
