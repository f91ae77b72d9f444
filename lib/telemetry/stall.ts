import "server-only";
import { monitorEventLoopDelay, type ELDHistogram } from "node:perf_hooks";
import type { Worker } from "@/lib/runtime";
import type { ConsoleStall } from "@/lib/liveness";
import { HealthTracker } from "@/lib/worker-health";

// The console's own stalls (GC pauses, synchronous work, a SIGSTOPped or starved process). A
// probe whose request was in flight while the console itself did not run measured the console,
// not the component: its answer (a timeout, "other side closed", a huge latency) is discarded
// and the probe re-taken (workers/poller.ts, workers/tenant-prober.ts). The stalls are counted
// and shown (/api/health, /api/metrics, a notice in the shell).
//
// Detection: a short interval timer notes each time the loop ran; a gap longer than the
// threshold between two such notes is a stall from the first note to the second. After a
// SIGCONT the loop may run I/O callbacks (a probe's failure) before any timer, so whoever asks
// spansStall() notes the loop running too: a gap found there is recorded at once. And a peer
// may have closed an idle connection while the console was stopped, which the console learns
// only when the loop next polls for I/O: a request started after the stall but before that
// (the timers due at resume start new probes) may meet the dead connection ("other side
// closed"), so it counts as spanning the stall too. The stall is "settled" by a setImmediate,
// which runs after that I/O poll.

export type { ConsoleStall } from "@/lib/liveness";

export interface StallFigures {
  thresholdMs: number;
  /** Stalls since start. */
  count: number;
  totalMs: number;
  longestMs: number;
  last: ConsoleStall | null;
  /** p99 of the event loop's delay over the last one to two minutes, ms (null before any sample). */
  delayP99Ms: number | null;
  /** Probe results thrown away because they spanned a stall, by the worker that took them. */
  discarded: Record<string, number>;
}

/** What the probing workers need from the detector. */
export interface StallGuard {
  /**
   * True when the console stalled between startedAt and endedAt (or before startedAt, when the
   * loop has not polled I/O since), or has not run for longer than the threshold until now.
   */
  spansStall(startedAt: number, endedAt: number): boolean;
  /** A result taken by `source` was discarded because it spanned a stall. */
  noteDiscarded(source: string): void;
  /** Total length of the stalls that ended in the last `withinMs` (time a silent component did not get to answer). */
  recentStallMs(withinMs: number, now?: number): number;
}

export interface StallOptions {
  /** A gap in the loop longer than this is a stall, ms. */
  thresholdMs?: number;
  /** How often the loop notes it ran, ms. */
  intervalMs?: number;
  /** How many stalls are kept for overlap checks (the counters cover all of them). */
  keep?: number;
  now?: () => number;
}

const P99_WINDOW_MS = 60_000;

export class StallDetector implements Worker, StallGuard {
  readonly name = "stall-detector";
  readonly thresholdMs: number;
  private readonly intervalMs: number;
  private readonly keep: number;
  private readonly now: () => number;
  private readonly tracker = new HealthTracker(this.name);
  private timer: NodeJS.Timeout | null = null;
  /** When the loop was last seen running (null while stopped). */
  private lastSeenAt: number | null = null;
  /** Recent stalls, and when the loop had polled I/O once after each (null: not yet). */
  private readonly recent: { stall: ConsoleStall; settledAt: number | null }[] = [];
  private count = 0;
  private totalMs = 0;
  private longestMs = 0;
  private readonly discarded: Record<string, number> = {};
  private readonly listeners = new Set<(s: ConsoleStall) => void>();
  private histogram: ELDHistogram | null = null;
  private windowStartedAt = 0;
  private previousP99Ms: number | null = null;

  constructor(opts: StallOptions = {}) {
    this.thresholdMs = opts.thresholdMs ?? 500;
    this.intervalMs = opts.intervalMs ?? 100;
    this.keep = opts.keep ?? 100;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.tracker.start();
    this.lastSeenAt = this.now();
    this.windowStartedAt = this.lastSeenAt;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.tracker.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.lastSeenAt = null;
    this.histogram?.disable();
  }

  health() {
    return this.tracker.snapshot();
  }

  /** Called with each stall as it is recorded. Returns what stops it. */
  onStall(fn: (s: ConsoleStall) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  spansStall(startedAt: number, endedAt: number): boolean {
    this.seen(this.now());
    return this.recent.some(({ stall, settledAt }) => stall.startedAt < endedAt && startedAt < Math.max(stall.endedAt, settledAt ?? Number.POSITIVE_INFINITY));
  }

  noteDiscarded(source: string): void {
    this.discarded[source] = (this.discarded[source] ?? 0) + 1;
  }

  recentStallMs(withinMs: number, now = this.now()): number {
    return this.recent.filter(({ stall }) => stall.endedAt > now - withinMs).reduce((sum, { stall }) => sum + stall.durationMs, 0);
  }

  figures(): StallFigures {
    return {
      thresholdMs: this.thresholdMs,
      count: this.count,
      totalMs: this.totalMs,
      longestMs: this.longestMs,
      last: this.recent.at(-1)?.stall ?? null,
      delayP99Ms: this.delayP99Ms(),
      discarded: { ...this.discarded },
    };
  }

  private tick(): void {
    const t = this.now();
    this.seen(t);
    this.tracker.ok(t);
    if (this.histogram && t - this.windowStartedAt >= P99_WINDOW_MS) {
      this.previousP99Ms = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : null;
      this.histogram.reset();
      this.windowStartedAt = t;
    }
  }

  /** The loop runs at `t`: a gap since it was last seen running longer than the threshold is a stall. */
  private seen(t: number): void {
    if (this.lastSeenAt === null) return;
    const gap = t - this.lastSeenAt;
    if (gap > this.thresholdMs) this.record({ startedAt: this.lastSeenAt, endedAt: t, durationMs: gap });
    if (t > this.lastSeenAt) this.lastSeenAt = t;
  }

  private record(s: ConsoleStall): void {
    const entry: { stall: ConsoleStall; settledAt: number | null } = { stall: s, settledAt: null };
    this.recent.push(entry);
    if (this.recent.length > this.keep) this.recent.shift();
    setImmediate(() => {
      entry.settledAt = this.now();
    });
    this.count++;
    this.totalMs += s.durationMs;
    this.longestMs = Math.max(this.longestMs, s.durationMs);
    console.warn(`[stall] the console's event loop did not run for ${s.durationMs} ms (from ${new Date(s.startedAt).toISOString()})`);
    for (const fn of this.listeners) {
      try {
        fn(s);
      } catch (e) {
        console.error(`[stall] listener: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private delayP99Ms(): number | null {
    const h = this.histogram;
    const current = h && h.count > 0 ? h.percentile(99) / 1e6 : null;
    if (current === null) return this.previousP99Ms;
    return this.previousP99Ms === null ? current : Math.max(current, this.previousP99Ms);
  }
}
