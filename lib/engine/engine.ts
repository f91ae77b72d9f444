import "server-only";
import type { Database } from "@/lib/db/client";
import { contextFor, type ServiceContext, type Services } from "@/lib/context";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { StaleTransitionError } from "@/lib/state-machine";
import { operationMachine, type OperationChange, type RegisteredOperation } from "./operation";
import { pendingSteps, ROLLBACK_STEP, type OperationPhase, type OperationStep } from "./types";

// The one engine for the console's long operations: it runs every registered kind (./operation.ts)
// as a persisted step list. Exactly one engine is active: it holds a PostgreSQL session advisory
// lock (the embedded database has one process, so it always has it). Every step is recorded
// before and after it runs; after a crash the operation resumes by running its current step again,
// a failed one rolls back (retried every tick until it finishes), and an operation changed under
// the engine (StaleTransitionError) is left to whoever changed it. One tick loop, a concurrency
// limit per kind, one health.

const LEADER_LOCK = 72_707_003;
const TICK_MS = 500;
/** Appended to an operation's error while its rollback has not finished. */
const ROLLBACK_NOT_FINISHED = "; rollback not finished: ";

export interface EngineOptions {
  /** The worker's name in health, metrics and logs (default "engine"). */
  name?: string;
  /** How often runnable operations are looked for, ms (default 500). */
  tickMs?: number;
  /** Tests: stop (as if the process died) right after this step completed: `step` of any kind, or `kind:step`. */
  crashAfter?: string;
}

class Crash extends Error {}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The reason an operation is rolling back, without what a failed rollback attempt appended to it. */
function reasonOf(error: string | null): string {
  if (error === null) return "interrupted";
  const at = error.indexOf(ROLLBACK_NOT_FINISHED);
  return at >= 0 ? error.slice(0, at) : error;
}

/** The persisted steps, with any step of the definition they lack added as pending (before the rollback step). */
function stepsOf(def: RegisteredOperation, persisted: readonly OperationStep[]): OperationStep[] {
  const steps = persisted.map((s) => ({ ...s }));
  const missing = pendingSteps(def.steps.filter((d) => !steps.some((s) => s.key === d.key)));
  if (missing.length === 0) return steps;
  const rb = steps.findIndex((s) => s.key === ROLLBACK_STEP);
  steps.splice(rb >= 0 ? rb : steps.length, 0, ...missing);
  return steps;
}

export class Engine implements Worker {
  readonly name: string;
  private readonly tracker: HealthTracker;
  private readonly kinds = new Map<string, RegisteredOperation>();
  /** Per kind: the operations in hand, by id. */
  private readonly running = new Map<string, Map<string, Promise<void>>>();
  /** Kinds whose onLeader hook has run since this engine became the leader. */
  private readonly ready = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private offs: (() => void)[] = [];
  private leader = false;
  private stopped = false;
  private ticking: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly database: Pick<Database, "tryLeaderLock">,
    private readonly services: Services,
    operations: readonly RegisteredOperation[],
    private readonly opts: EngineOptions = {},
  ) {
    this.name = opts.name ?? "engine";
    this.tracker = new HealthTracker(this.name);
    for (const def of operations) {
      if (this.kinds.has(def.kind)) throw new Error(`operation kind ${def.kind} registered twice`);
      this.kinds.set(def.kind, def);
      this.running.set(def.kind, new Map());
    }
  }

  private ctx(requestId: string): ServiceContext {
    return contextFor(this.services, SYSTEM_ACTOR, requestId);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.tracker.start();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs ?? TICK_MS);
    for (const def of this.kinds.values()) {
      const off = def.wakeOn?.(this.ctx(`${this.name}:${def.kind}`), () => void this.tick());
      if (off) this.offs.push(off);
    }
  }

  /** Stops taking new work and waits for the operations in hand to reach their next saved step. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.tracker.stop();
    for (const off of this.offs.splice(0)) off();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.allSettled(this.inHand());
  }

  health() {
    this.tracker.standby = !this.leader;
    return this.tracker.snapshot();
  }

  /** Runs until no operation of any kind is runnable (tests and benchmarks). */
  async drain(timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      await this.tick();
      await Promise.allSettled(this.inHand());
      if (this.stopped || !(await this.anyRunnable())) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`operations still active after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private inHand(): Promise<void>[] {
    return [...this.running.values()].flatMap((m) => [...m.values()]);
  }

  private async anyRunnable(): Promise<boolean> {
    for (const def of this.kinds.values()) if ((await def.store.runnable(this.ctx(`${this.name}:${def.kind}`), 1)).length > 0) return true;
    return false;
  }

  /** One tick at a time: a tick asked for while one runs makes that one go round once more. */
  private tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    const rounds = async () => {
      do {
        this.again = false;
        await this.tickOnce();
      } while (this.again && !this.stopped);
    };
    const p = rounds().finally(() => {
      if (this.ticking === p) this.ticking = null;
    });
    this.ticking = p;
    return p;
  }

  private async tickOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.leader) {
        this.leader = await this.database.tryLeaderLock(LEADER_LOCK);
        if (!this.leader) return;
        this.ready.clear();
      }
      let failure: string | null = null;
      for (const def of this.kinds.values()) {
        try {
          await this.tickKind(def);
        } catch (e) {
          failure ??= `${def.kind}: ${messageOf(e)}`;
          console.error(`[${this.name}] ${def.kind}: ${messageOf(e)}`);
        }
      }
      if (failure === null) this.tracker.ok();
      else this.tracker.fail(failure);
    } catch (e) {
      console.error(`[${this.name}] ${this.tracker.fail(e)}`);
    }
  }

  private async tickKind(def: RegisteredOperation): Promise<void> {
    const ctx = this.ctx(`${this.name}:${def.kind}`);
    if (!this.ready.has(def.kind)) {
      await def.onLeader?.(ctx);
      this.ready.add(def.kind);
    }
    await def.onTick?.(ctx);
    const running = this.running.get(def.kind)!;
    if (running.size >= def.concurrency) return;
    for (const id of await def.store.runnable(ctx, def.concurrency * 2)) {
      if (this.stopped || running.size >= def.concurrency) break;
      if (running.has(id)) continue;
      const p = this.run(def, id)
        // e.g. the operation changed state under it (StaleTransitionError): nothing was overwritten; left as it is.
        .catch((e) => console.error(`[${this.name}] ${def.kind} ${id} stopped: ${messageOf(e)}`))
        .finally(() => running.delete(id));
      running.set(id, p);
    }
  }

  private crashesAfter(kind: string, step: string): boolean {
    const c = this.opts.crashAfter;
    return c !== undefined && (c === step || c === `${kind}:${step}`);
  }

  private async run(def: RegisteredOperation, id: string): Promise<void> {
    const ctx = this.ctx(`${def.kind}:${id}`);
    const loaded = await def.store.load(ctx, id);
    const { op } = loaded;
    const steps = stepsOf(def, loaded.steps);
    let phase: OperationPhase = loaded.phase;
    /** Every change goes through the kind's store as a guarded transition, then is announced. */
    const persist = async (to: OperationPhase, change: Omit<OperationChange, "steps"> = {}) => {
      operationMachine.assert(phase, to, `${def.kind} ${id}`);
      await def.store.save(ctx, id, phase, to, { steps, ...change });
      phase = to;
      def.onChange?.(ctx, op, to);
    };
    const fail = async (why: string) => {
      if (def.rollback) {
        await persist("rolling_back", { error: why });
        return this.rollBack(def, ctx, op, steps, why, persist);
      }
      for (const s of steps) if (s.status === "pending") s.status = "skipped";
      await persist("failed", { error: why, finishedAt: new Date() });
      await def.onFailed?.(ctx, op, steps, why);
    };

    if (phase === "rolling_back") return this.rollBack(def, ctx, op, steps, reasonOf(loaded.error), persist);
    // Final meanwhile (another engine before this one finished it): nothing to do.
    if (phase !== "queued" && phase !== "running") return;
    if (phase === "queued") await persist("running");

    for (const step of def.steps) {
      const s = steps.find((x) => x.key === step.key)!;
      if (s.status === "done") continue;
      s.status = "running";
      s.startedAt ??= Date.now();
      await persist("running", { step: step.key });
      try {
        s.detail = await step.run(ctx, op);
        s.status = "done";
        s.endedAt = Date.now();
        await persist("running", { step: step.key });
        if (this.crashesAfter(def.kind, step.key)) throw new Crash(`crash injected after ${step.key}`);
      } catch (e) {
        if (e instanceof Crash) {
          this.stopped = true;
          return;
        }
        // The operation changed state under us: whoever changed it owns it now; do not roll it back.
        if (e instanceof StaleTransitionError) throw e;
        const message = messageOf(e);
        s.status = "failed";
        s.endedAt = Date.now();
        s.detail = message;
        return fail(`${s.label} failed: ${message}`);
      }
    }
    await def.complete?.(ctx, op, steps);
    await persist("completed", { finishedAt: new Date(), step: null });
    await def.onCompleted?.(ctx, op, steps);
  }

  /** Runs the kind's rollback; if it throws, the operation stays rolling_back and the next tick tries again. */
  private async rollBack(
    def: RegisteredOperation,
    ctx: ServiceContext,
    op: unknown,
    steps: OperationStep[],
    why: string,
    persist: (to: OperationPhase, change?: Omit<OperationChange, "steps">) => Promise<void>,
  ): Promise<void> {
    const rollback = def.rollback;
    if (!rollback) throw new Error(`${def.kind} is rolling back but has no rollback`);
    let rb = steps.find((s) => s.key === ROLLBACK_STEP);
    if (!rb) {
      rb = { key: ROLLBACK_STEP, label: rollback.label(op), status: "running", startedAt: Date.now(), endedAt: null, detail: null };
      steps.push(rb);
    }
    let detail: string;
    try {
      detail = await rollback.run(ctx, op, { steps, why });
    } catch (e) {
      rb.status = "failed";
      rb.detail = messageOf(e);
      // Left as rolling_back: the next tick tries again; the error says a person may be needed.
      await persist("rolling_back", { error: `${why}${ROLLBACK_NOT_FINISHED}${rb.detail}` });
      return;
    }
    for (const s of steps) if (s.status === "pending") s.status = "skipped";
    rb.status = "done";
    rb.endedAt = Date.now();
    rb.detail = detail;
    await persist("rolled_back", { finishedAt: new Date(), error: why, step: null });
    await def.onRolledBack?.(ctx, op, steps, why);
  }
}
