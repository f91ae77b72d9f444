// Replication lag measured per heartbeat at apply time (M1, M2). A reader on the receiving side
// polls the heartbeat log every few tens of milliseconds and notes, for every heartbeat it sees
// for the first time, when it was applied there (between the previous poll and this one, both
// read on the receiver's clock). A heartbeat's lag is its apply time minus the time it was
// written. Sampling the newest heartbeat once a second misses the worst of a stall (the backlog
// is applied in one burst between two samples); the per-heartbeat record does not.
//
// Resolution: a heartbeat written every H ms and a reader polling every P ms give each
// heartbeat's lag within ±P/2, and the worst wait of any write within (−H − P/2, +P/2]: no
// heartbeat exists between two beats.
//
// While nothing is applied (replication stopped, link cut), no heartbeat has a lag yet; the
// ongoing lag is then at least the age of the newest applied heartbeat minus H (the next one was
// written H after it and is still waiting), and that lower bound is what is reported.

/** One heartbeat as read on the receiving side. `ts`: when the source wrote it (epoch ms). */
export interface Beat {
  seq: number;
  ts: number;
}

/** One poll of the receiving side: the heartbeats it holds newer than the last one seen, and its clock. */
export interface ApplyPoll {
  beats: Beat[];
  /** The receiver's clock when it answered (epoch ms). */
  serverNow: number;
}

export interface LagReading {
  /** Lag now: the newest heartbeat's, or the lower bound of a stall in progress (ms). null: unmeasured. */
  currentMs: number | null;
  /** The worst lag over (since, now] (ms); null when nothing was measured in it. */
  peakMs: number | null;
  /** How many heartbeats were applied in the interval. */
  beats: number;
  /** Epoch ms of the receiver's last answer (the reading's age). */
  observedAt: number | null;
}

interface Record_ {
  at: number;
  lagMs: number;
  /** false: the lower bound of a stall in progress, not a heartbeat's own lag */
  beat: boolean;
}

export interface ApplyLagOptions {
  /** The heartbeat interval H (ms). */
  beatIntervalMs: number;
  /**
   * A gap between two polls longer than this (the reader or the console paused, a slow answer)
   * leaves the apply time of what appeared in it unknown: those heartbeats are not given a lag.
   */
  maxPollGapMs: number;
  /** How long per-heartbeat records are kept (ms). */
  keepMs?: number;
}

export class ApplyLagTracker {
  private lastSeq: number | null = null;
  private newest: Beat | null = null;
  private newestLagMs: number | null = null;
  private lastPollAt: number | null = null;
  private records: Record_[] = [];
  /** Heartbeats that appeared across a gap, counted (their lag is unknown). */
  unmeasured = 0;

  constructor(private readonly opts: ApplyLagOptions) {}

  /** The seq to ask for heartbeats after (null: ask for the newest only). */
  get after(): number | null {
    return this.lastSeq;
  }

  /** Records one poll. Returns how many heartbeats were new in it. */
  observe(poll: ApplyPoll): number {
    const prev = this.lastPollAt;
    const fresh = poll.beats.filter((b) => this.lastSeq === null || b.seq > this.lastSeq).sort((a, b) => a.seq - b.seq);
    const first = this.lastSeq === null;
    this.lastPollAt = poll.serverNow;
    if (fresh.length === 0) {
      this.addStallBound(poll.serverNow);
      return 0;
    }
    this.lastSeq = fresh.at(-1)!.seq;
    this.newest = fresh.at(-1)!;
    const gap = prev === null ? Infinity : poll.serverNow - prev;
    if (first || gap > this.opts.maxPollGapMs) {
      // Applied some time in a gap we did not watch: no lag can be given to these heartbeats.
      if (!first) this.unmeasured += fresh.length;
      this.newestLagMs = null;
      this.prune(poll.serverNow);
      return fresh.length;
    }
    // applied after the previous poll (and after it was written), at or before this one: the middle
    const lagOf = (b: Beat) => Math.max(0, (Math.max(prev!, b.ts) + poll.serverNow) / 2 - b.ts);
    for (const b of fresh) this.records.push({ at: poll.serverNow, lagMs: lagOf(b), beat: true });
    this.newestLagMs = lagOf(this.newest);
    this.prune(poll.serverNow);
    return fresh.length;
  }

  /** A poll that found nothing new: while a stall lasts, its lower bound is a measurement too. */
  private addStallBound(now: number): void {
    if (!this.newest) return;
    const bound = now - this.newest.ts - this.opts.beatIntervalMs;
    if (bound > (this.newestLagMs ?? 0)) this.records.push({ at: now, lagMs: bound, beat: false });
    this.prune(now);
  }

  private prune(now: number): void {
    const keep = this.opts.keepMs ?? 120_000;
    let drop = 0;
    while (drop < this.records.length && this.records[drop].at < now - keep) drop++;
    if (drop) this.records.splice(0, drop);
  }

  /** Marks the receiver unreachable: what follows is measured afresh. */
  lost(): void {
    this.lastPollAt = null;
    this.newestLagMs = null;
  }

  /** The lag now and the worst over (since, now], both on the receiver's clock. */
  read(since: number, now: number): LagReading {
    if (this.newest === null || this.lastPollAt === null) return { currentMs: null, peakMs: null, beats: 0, observedAt: this.lastPollAt };
    const stallBound = this.lastPollAt - this.newest.ts - this.opts.beatIntervalMs;
    const currentMs = round(Math.max(this.newestLagMs ?? 0, stallBound, 0));
    let peak: number | null = null;
    let beats = 0;
    for (const r of this.records) {
      if (r.at <= since || r.at > now) continue;
      peak = peak === null ? r.lagMs : Math.max(peak, r.lagMs);
      if (r.beat) beats++;
    }
    const peakMs = peak === null ? (this.newestLagMs === null ? null : currentMs) : round(Math.max(peak, currentMs));
    return { currentMs: this.newestLagMs === null && stallBound <= 0 ? null : currentMs, peakMs, beats, observedAt: this.lastPollAt };
  }
}

const round = (v: number) => Math.round(v * 10) / 10;
