// F1: a region is declared lost only when independent signals agree, each recorded with its time:
// the console's own probes fail, the other region no longer hears it (its replication IO thread
// from the region is down AND the newest heartbeat from it there is stale, read from the other
// region), and HAProxy's health checks mark its app down; all three for a confirmation window.
// A console that loses sight of a region the other region still hears reports "unreachable from
// the console, alive according to <other region>" and never fails it over. No I/O here.
import type { RegionSignals } from "@/lib/federation/types";
import type { Assessment, SignalView } from "./types";

export interface DetectorOptions {
  /** How long the console's own probes must have failed (with the other signals agreeing) before the region is lost, ms. */
  confirmMs: number;
  /** A heartbeat older than this at the other region means it no longer hears the region, ms. */
  heartbeatStaleMs: number;
}

interface Track {
  consoleLostSince: number | null;
  /** per signal: since when it has said lost */
  lostSince: Partial<Record<SignalView["key"], number>>;
}

function signalsOf(
  s: RegionSignals,
  o: DetectorOptions,
  peerName: string,
): { views: SignalView[]; consoleLost: boolean; peerLost: boolean; peerHears: boolean; routerLost: boolean } {
  const consoleLost = !s.console.reachable;
  const stale = s.peer.heartbeatAgeMs === null || s.peer.heartbeatAgeMs >= o.heartbeatStaleMs;
  const peerLost = s.peer.reachable && s.peer.ioRunning === false && stale;
  const peerHears = s.peer.reachable && !stale;
  const routerLost = s.router.up === false;
  const views: SignalView[] = [
    { key: "console", label: "Console's own probe", lost: consoleLost, detail: s.console.detail, at: s.console.at },
    { key: "peer", label: `Heard by ${peerName}`, lost: peerLost, detail: s.peer.detail, at: s.peer.at },
    { key: "router", label: "HAProxy health check", lost: routerLost, detail: s.router.detail, at: s.router.at },
  ];
  return { views, consoleLost, peerLost, peerHears, routerLost };
}

/** One per console: the running view of every region's signals over time. */
export class Detector {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly opts: DetectorOptions) {}

  /** Feeds one reading of a region's signals (taken at `now`); returns the region's assessment. */
  assess(s: RegionSignals, regionName: string, peerName: string, now: number): Assessment {
    const t = this.tracks.get(s.regionId) ?? { consoleLostSince: null, lostSince: {} };
    this.tracks.set(s.regionId, t);
    const { views, consoleLost, peerLost, peerHears, routerLost } = signalsOf(s, this.opts, peerName);
    for (const v of views) {
      if (!v.lost) delete t.lostSince[v.key];
      else t.lostSince[v.key] ??= v.at;
      v.lostSince = t.lostSince[v.key] ?? null;
    }
    // since the first probe that got no answer was sent (a timed-out probe's reading ends later)
    t.consoleLostSince = consoleLost ? (t.consoleLostSince ?? Math.min(s.console.at, now)) : null;
    const all = consoleLost && peerLost && routerLost;
    const base = { regionId: s.regionId, signals: views, at: now, confirmMs: this.opts.confirmMs };

    const unanswered = consoleLost ? now - t.consoleLostSince! : 0;
    if (all && unanswered >= this.opts.confirmMs)
      return {
        ...base,
        state: "lost",
        since: t.consoleLostSince,
        summary: `${regionName} is lost: no answer to the console for ${(unanswered / 1000).toFixed(1)} s, ${peerName} no longer hears it, HAProxy marks it down`,
      };
    if (all)
      return {
        ...base,
        state: "suspect",
        since: t.consoleLostSince,
        summary: `${regionName}: every signal says lost, confirming (${(unanswered / 1000).toFixed(1)} of ${(this.opts.confirmMs / 1000).toFixed(1)} s without an answer)`,
      };
    if (consoleLost && peerHears && now - t.consoleLostSince! < this.opts.confirmMs)
      return {
        ...base,
        state: "suspect",
        since: t.consoleLostSince,
        summary: `${regionName} is unreachable from the console; ${peerName} still hears it (confirming)`,
      };
    if (consoleLost && peerHears)
      return {
        ...base,
        state: "unreachable_alive",
        since: t.consoleLostSince,
        summary: `${regionName} is unreachable from the console, alive according to ${peerName}: no failover`,
      };
    if (consoleLost && !s.peer.reachable)
      return {
        ...base,
        state: "suspect",
        since: t.consoleLostSince,
        summary: `${regionName} is unreachable from the console and ${peerName} cannot be asked either: the console's own network is suspect, no failover`,
      };
    const lost = views.filter((v) => v.lost);
    if (lost.length > 0)
      return {
        ...base,
        state: "suspect",
        since: now,
        summary: `${regionName}: ${lost.map((v) => v.label.toLowerCase()).join(" and ")} ${lost.length > 1 ? "say" : "says"} lost; ${views
          .filter((v) => !v.lost)
          .map((v) => v.label.toLowerCase())
          .join(" and ")} ${3 - lost.length > 1 ? "do" : "does"} not`,
      };
    return { ...base, state: "healthy", since: null, summary: `${regionName}: every signal says it is there` };
  }

  /** Forgets a region's history (after it was failed over, detection starts afresh on its return). */
  reset(regionId: string): void {
    this.tracks.delete(regionId);
  }
}
