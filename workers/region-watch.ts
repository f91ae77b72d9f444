import "server-only";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { contextFor, type ServiceContext, type Services } from "@/lib/context";
import { Detector } from "@/lib/failover/detector";
import { holdDownUntil, openFailoverOf, readSettings, recordDecision, requestFailover } from "@/lib/failover/service";
import type { Assessment } from "@/lib/failover/types";
import type { RegionRef } from "@/lib/federation/types";
import type { Worker } from "@/lib/runtime";
import type { StallGuard } from "@/lib/telemetry/stall";
import { HealthTracker } from "@/lib/worker-health";

// F1/F2: the console's side of region failover, two loops.
// - Leases: every renewal interval each region that is not failed over gets a lease from the
//   console. After a grant that failed, none is sent until the console reaches the region again
//   (so the last grant that may have arrived is the failed one, which the failover waits out).
// - Signals: every round each region's signals are read and assessed (lib/failover/detector.ts);
//   a region lost by every signal for the confirmation window is failed over (auto), advised on
//   (advisory) or left (off, frozen, hold-down, nowhere to go), each outcome a decision in words,
//   once per loss. A reading that spanned a stall of the console itself is discarded.

// four readings a second: a region's loss is confirmed within a quarter second of its window ending
const SIGNAL_EVERY_MS = 250;
/** Open failovers are read from the database at most this often (and at once after a failover changes here). */
const OPEN_FAILOVER_TTL_MS = 2000;

interface Episode {
  since: number;
  /** Outcomes already recorded for this episode (one decision each). */
  recorded: Set<string>;
}

export class RegionWatch implements Worker {
  readonly name = "region-watch";
  private readonly tracker = new HealthTracker(this.name);
  private readonly detector: Detector;
  private readonly silent = new Set<string>();
  private readonly episodes = new Map<string, Episode>();
  private leaseTimer: NodeJS.Timeout | null = null;
  private signalTimer: NodeJS.Timeout | null = null;
  private leasing = false;
  private readonly reading = new Set<string>();
  private readonly openCache = new Map<string, { at: number; id: string | null }>();
  private unsubscribe: (() => void) | null = null;
  private readonly ctx: ServiceContext;

  constructor(
    private readonly services: Services,
    private readonly regions: readonly RegionRef[],
    private readonly stalls?: StallGuard,
  ) {
    this.detector = new Detector(services.failover.config);
    this.ctx = contextFor(services, SYSTEM_ACTOR, "region-watch");
  }

  async start(): Promise<void> {
    this.tracker.start();
    // a failover started, finished or closed (brought back) on this console: read afresh
    this.unsubscribe = this.services.bus.on("failover:changed", (e) => {
      if (e.what !== "assessment") this.openCache.clear();
    });
    await this.grantAll();
    this.leaseTimer = setInterval(() => void this.grantAll(), this.services.federation.leasePolicy().renewEveryMs);
    this.signalTimer = setInterval(() => this.readAll(), SIGNAL_EVERY_MS);
  }

  async stop(): Promise<void> {
    this.tracker.stop();
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.signalTimer) clearInterval(this.signalTimer);
    this.leaseTimer = this.signalTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** The region's open failover (its id), read from the database at most every OPEN_FAILOVER_TTL_MS. */
  private async openFailover(regionId: string): Promise<string | null> {
    const c = this.openCache.get(regionId);
    if (c && Date.now() - c.at < OPEN_FAILOVER_TTL_MS) return c.id;
    const at = Date.now();
    const id = (await openFailoverOf(this.services.db, regionId))?.id ?? null;
    this.openCache.set(regionId, { at, id });
    return id;
  }

  health() {
    return this.tracker.snapshot();
  }

  // ---- leases -------------------------------------------------------------------------------

  private async grantAll(): Promise<void> {
    if (this.leasing) return;
    this.leasing = true;
    try {
      await Promise.all(this.regions.map((r) => this.grant(r.id)));
    } finally {
      this.leasing = false;
    }
  }

  private async grant(regionId: string): Promise<void> {
    const live = this.services.failover;
    if (live.isBlocked(regionId) || this.silent.has(regionId)) return;
    const at = Date.now();
    live.granting(regionId, at);
    try {
      await this.services.federation.grantLease(regionId, at);
    } catch {
      this.silent.add(regionId);
    }
  }

  // ---- signals and decisions ----------------------------------------------------------------

  /**
   * Each region is read on its own: a region cut off makes reads of it (and, for the other region's
   * view, reads through it) wait for their timeouts, and must not slow the other region's readings.
   */
  private readAll(): void {
    for (const r of this.regions) {
      if (this.reading.has(r.id)) continue;
      this.reading.add(r.id);
      this.readOne(r)
        .then(
          () => this.tracker.ok(),
          (e) => console.error(`[region-watch] ${this.tracker.fail(e)}`),
        )
        .finally(() => this.reading.delete(r.id));
    }
  }

  private peerName(regionId: string): string {
    return this.regions.find((r) => r.id !== regionId)?.name ?? "the other region";
  }

  private async readOne(region: RegionRef): Promise<void> {
    const started = Date.now();
    const signals = await this.services.federation.regionSignals(region.id);
    const now = Date.now();
    if (this.stalls?.spansStall(started, now)) {
      this.stalls.noteDiscarded(this.name);
      return;
    }
    // The console reaches it again: grants resume (a fenced region refuses them on its own).
    if (signals.console.reachable) this.silent.delete(region.id);
    const assessed = this.detector.assess(signals, region.name, this.peerName(region.id), now);
    // The predicted RPO of a loss: the lag into the other region at the last reading where every
    // signal said the region was there (a dying region's growing heartbeat age is not its lag).
    if (assessed.state === "healthy" && signals.peer.heartbeatAgeMs !== null) this.services.failover.recordLag(region.id, signals.peer.heartbeatAgeMs);
    const open = await this.openFailover(region.id);
    const a: Assessment = open
      ? { ...assessed, state: "failed_over", summary: `${region.name} was failed over (${open}); its tenants are served elsewhere until it is brought back` }
      : assessed;
    const before = this.services.failover.assessment(region.id);
    this.services.failover.setAssessment(a);
    if (before?.state !== a.state) this.services.bus.emit("failover:changed", { regionId: region.id, what: "assessment", failoverId: open, at: now });
    if (open) {
      // Detection starts afresh once the region is brought back: nothing said before counts then.
      this.detector.reset(region.id);
      this.episodes.delete(region.id);
      return;
    }
    await this.decide(region, a);
  }

  /** Once per episode and outcome: a region lost or unreachable-but-alive gets a decision in words. */
  private async decide(region: RegionRef, a: Assessment): Promise<void> {
    if (a.state !== "lost" && a.state !== "unreachable_alive") {
      // The region came back: advice nobody acted on counts as not agreed with.
      const ep = this.episodes.get(region.id);
      if (ep && a.state === "healthy") {
        this.episodes.delete(region.id);
        await this.services.db.decision.updateMany({ where: { regionId: region.id, outcome: "advised", agreed: null }, data: { agreed: false } });
      }
      return;
    }
    const ep = this.episodes.get(region.id) ?? { since: a.since ?? a.at, recorded: new Set<string>() };
    this.episodes.set(region.id, ep);
    const settings = await readSettings(this.services.db);
    const mode = settings.mode;
    const peer = this.peerName(region.id);
    const once = async (key: string, d: Parameters<typeof recordDecision>[1]) => {
      if (ep.recorded.has(key)) return;
      ep.recorded.add(key);
      await recordDecision(this.ctx, d);
    };
    const base = { regionId: region.id, signals: a.signals, mode };

    if (a.state === "unreachable_alive")
      return once("unreachable_alive", {
        ...base,
        kind: "no_failover",
        outcome: "held",
        rule: "F1: a region is lost only when the console, the other region and the router all say so",
        summary: a.summary,
        alternatives: [
          { option: `fail ${region.name} over to ${peer}`, rejectedBecause: `${peer} still hears ${region.name}: failing over would split the brain` },
        ],
      });

    const failover = { option: `fail ${region.name} over to ${peer}`, rejectedBecause: "" };
    if (settings.freeze)
      return once("frozen", {
        ...base,
        kind: "no_failover",
        outcome: "held",
        rule: "F2: a freeze stops every automatic action",
        summary: `${region.name} is lost, but failover is frozen by ${settings.freeze.by} until ${settings.freeze.until.toISOString()} (${settings.freeze.reason}): no automatic action`,
        alternatives: [{ ...failover, rejectedBecause: "frozen" }],
      });
    if (mode === "off")
      return once("off", {
        ...base,
        kind: "no_failover",
        outcome: "held",
        rule: "F2: automatic action is off",
        summary: `${region.name} is lost; automatic action is off: an admin decides`,
        alternatives: [{ ...failover, rejectedBecause: "automatic action is off" }],
      });
    const hold = await holdDownUntil(this.services, region.id);
    if (hold)
      return once("hold_down", {
        ...base,
        kind: "no_failover",
        outcome: "held",
        rule: "F2 anti-flap: no automatic action on a region within the hold-down after its last failover",
        summary: `${region.name} is lost again within the hold-down (until ${new Date(hold).toISOString()}): no automatic action`,
        alternatives: [{ ...failover, rejectedBecause: "hold-down after the last failover" }],
      });
    if (mode === "advisory")
      return once("advised", {
        ...base,
        kind: "failover",
        outcome: "advised",
        rule: "F2 advisory: the engine decides and records; an admin acts",
        summary: `${a.summary}. Advice: fail ${region.name} over to ${peer} (an admin acts with one click)`,
        alternatives: [{ option: "do nothing", rejectedBecause: "every signal says the region is lost" }],
      });
    if (ep.recorded.has("acted") || ep.recorded.has("refused")) return;
    try {
      const f = await requestFailover(this.ctx, { regionId: region.id, reason: a.summary, trigger: "auto" });
      ep.recorded.add("acted");
      const decisionId = await recordDecision(this.ctx, {
        ...base,
        kind: "failover",
        outcome: "acted",
        rule: "F2 auto: every signal agreed for the confirmation window",
        summary: `${a.summary}: failing ${region.name} over to ${f.toRegionId} (${f.id})`,
        alternatives: [{ option: "do nothing", rejectedBecause: "every signal says the region is lost" }],
        failoverId: f.id,
      });
      await this.services.db.failover.update({ where: { id: f.id }, data: { decisionId } });
    } catch (e) {
      await once("refused", {
        ...base,
        kind: "no_failover",
        outcome: "refused",
        rule: "F2: a failover needs a region to go to and no other failover running",
        summary: `${region.name} is lost, but it cannot be failed over: ${(e as Error).message}`,
        alternatives: [{ ...failover, rejectedBecause: (e as Error).message }],
      });
    }
  }
}
