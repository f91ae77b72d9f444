import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { StaleTransitionError } from "@/lib/state-machine";
import { requestMoveOp } from "@/lib/moves/operations";
import { getMoveOrThrow } from "@/lib/moves/service";
import { moveOperation } from "@/lib/moves/operation";
import { Engine } from "./engine";
import { defineOperation, type OperationStore, type RegisteredOperation, type RollbackDefinition } from "./operation";
import { pendingSteps, RUNNABLE_PHASES, type OperationPhase, type OperationStep } from "./types";

// The engine's own sequencing, through a second kind of operation whose store is an in-process
// array (test only: no table), and through the real move definition beside it in one engine.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

// ---- a test-only kind: four steps a → b → c → d over rows in an array -----------------------

interface Row {
  id: string;
  phase: OperationPhase;
  steps: OperationStep[];
  step: string | null;
  error: string | null;
  finishedAt: Date | null;
  createdAt: number;
}

/** What onChange saw, in order: the row as saved. */
interface Seen {
  id: string;
  phase: OperationPhase;
  step: string | null;
  statuses: string;
  error: string | null;
}

const STEPS = [
  { key: "a", label: "Step A" },
  { key: "b", label: "Step B" },
  { key: "c", label: "Step C" },
  { key: "d", label: "Step D" },
] as const;
type Key = (typeof STEPS)[number]["key"];

let created = 0;
function row(id: string, patch: Partial<Row> = {}): Row {
  return { id, phase: "queued", steps: pendingSteps(STEPS), step: null, error: null, finishedAt: null, createdAt: ++created, ...patch };
}

/** Guarded like a real store: a save from a phase the row is no longer in writes nothing and throws. */
function arrayStore(rows: Row[], refused: string[] = []): OperationStore<Row> {
  const get = (id: string) => {
    const r = rows.find((x) => x.id === id);
    if (!r) throw new Error(`no row ${id}`);
    return r;
  };
  return {
    async runnable(_ctx, limit) {
      return rows
        .filter((r) => RUNNABLE_PHASES.includes(r.phase))
        .sort((x, y) => x.createdAt - y.createdAt)
        .slice(0, limit)
        .map((r) => r.id);
    },
    async load(_ctx, id) {
      const r = get(id);
      return { op: r, phase: r.phase, steps: structuredClone(r.steps), error: r.error };
    },
    async save(_ctx, id, from, to, change) {
      const r = get(id);
      if (r.phase !== from) {
        refused.push(`${id}: ${from} → ${to}`);
        throw new StaleTransitionError("test", id, from, to, r.phase);
      }
      r.phase = to;
      r.steps = structuredClone(change.steps);
      if (change.step !== undefined) r.step = change.step;
      if (change.error !== undefined) r.error = change.error;
      if (change.finishedAt !== undefined) r.finishedAt = change.finishedAt;
    },
  };
}

interface Kind {
  def: RegisteredOperation;
  rows: Row[];
  /** `${row}:${step}` for every step run, in order. */
  calls: string[];
  seen: Seen[];
  rollbacks: string[];
  outcomes: string[];
  /** Saves the store refused (the row was not in the phase the engine saved from). */
  refused: string[];
}

function testKind(
  opts: {
    kind?: string;
    rows?: Row[];
    concurrency?: number;
    /** Per step: what it does (default: returns "did <key>"). */
    run?: Partial<Record<Key, (r: Row) => Promise<string>>>;
    /** false: no rollback; a function: the rollback's body. */
    rollback?: false | ((r: Row, why: string, attempt: number) => Promise<string>);
    onLeader?: () => Promise<void>;
  } = {},
): Kind {
  const k: Kind = { def: undefined as unknown as RegisteredOperation, rows: opts.rows ?? [], calls: [], seen: [], rollbacks: [], outcomes: [], refused: [] };
  const rollbackBody = opts.rollback === false ? null : (opts.rollback ?? (async () => "undone"));
  const rollback: RollbackDefinition<Row> | undefined = rollbackBody
    ? {
        label: (r) => `Roll back ${r.id}`,
        async run(_ctx, r, { why }) {
          k.rollbacks.push(`${r.id}: ${why}`);
          return rollbackBody(r, why, k.rollbacks.filter((x) => x.startsWith(`${r.id}:`)).length);
        },
      }
    : undefined;
  k.def = defineOperation<Row>({
    kind: opts.kind ?? "test",
    store: arrayStore(k.rows, k.refused),
    concurrency: opts.concurrency,
    steps: STEPS.map(({ key, label }) => ({
      key,
      label,
      async run(_ctx, r) {
        k.calls.push(`${r.id}:${key}`);
        return (await opts.run?.[key]?.(r)) ?? `did ${key}`;
      },
    })),
    rollback,
    onLeader: opts.onLeader,
    onChange(_ctx, r, phase) {
      k.seen.push({ id: r.id, phase, step: r.step, statuses: r.steps.map((s) => s.status).join(","), error: r.error });
    },
    async onCompleted(_ctx, r) {
      k.outcomes.push(`${r.id}: completed`);
    },
    async onRolledBack(_ctx, r, _steps, why) {
      k.outcomes.push(`${r.id}: rolled back (${why})`);
    },
    async onFailed(_ctx, r, _steps, why) {
      k.outcomes.push(`${r.id}: failed (${why})`);
    },
  });
  return k;
}

const engineFor = (defs: RegisteredOperation[], opts: { crashAfter?: string } = {}) => new Engine(h.database, h.services, defs, opts);
const statuses = (r: Row) => Object.fromEntries(r.steps.map((s) => [s.key, s.status]));
const waitFor = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("the engine, over a second kind of operation (rows in an array)", () => {
  it("runs the steps in order, records each before and after it runs, and announces every change in order", async () => {
    const k = testKind({ rows: [row("op1")] });
    await engineFor([k.def]).drain(5000);
    const [r] = k.rows;
    expect(k.calls).toEqual(["op1:a", "op1:b", "op1:c", "op1:d"]);
    expect(r).toMatchObject({ phase: "completed", step: null, error: null, finishedAt: expect.any(Date) });
    expect(r.steps.map((s) => [s.key, s.status, s.detail])).toEqual([
      ["a", "done", "did a"],
      ["b", "done", "did b"],
      ["c", "done", "did c"],
      ["d", "done", "did d"],
    ]);
    for (const s of r.steps) expect(s.endedAt! >= s.startedAt!).toBe(true);
    expect(k.seen.map((e) => `${e.phase} ${e.step} ${e.statuses}`)).toEqual([
      "running null pending,pending,pending,pending",
      "running a running,pending,pending,pending",
      "running a done,pending,pending,pending",
      "running b done,running,pending,pending",
      "running b done,done,pending,pending",
      "running c done,done,running,pending",
      "running c done,done,done,pending",
      "running d done,done,done,running",
      "running d done,done,done,done",
      "completed null done,done,done,done",
    ]);
    expect(k.outcomes).toEqual(["op1: completed"]);
  });

  it("after a crash, resumes at the current step: steps already done are not run again", async () => {
    const k = testKind({ rows: [row("op2")] });
    const dying = engineFor([k.def], { crashAfter: "test:b" });
    await dying.drain(5000);
    expect(k.rows[0]).toMatchObject({ phase: "running", step: "b" });
    expect(statuses(k.rows[0])).toEqual({ a: "done", b: "done", c: "pending", d: "pending" });
    expect(k.calls).toEqual(["op2:a", "op2:b"]);

    // A new process over the same rows.
    await engineFor([k.def]).drain(5000);
    expect(k.calls).toEqual(["op2:a", "op2:b", "op2:c", "op2:d"]);
    expect(k.rows[0].phase).toBe("completed");
  });

  it("runs a step again that was running when the process died, keeping its first start", async () => {
    const steps = pendingSteps(STEPS);
    Object.assign(steps[0], { status: "done", startedAt: 1000, endedAt: 1100, detail: "did a" });
    Object.assign(steps[1], { status: "running", startedAt: 1200 });
    const k = testKind({ rows: [row("op3", { phase: "running", step: "b", steps })] });
    await engineFor([k.def]).drain(5000);
    expect(k.calls).toEqual(["op3:b", "op3:c", "op3:d"]);
    expect(k.rows[0].phase).toBe("completed");
    expect(k.rows[0].steps[1]).toMatchObject({ status: "done", startedAt: 1200 });
  });

  it("rolls back when a step fails: the failed step says why, later steps are skipped, the rollback step is appended", async () => {
    const k = testKind({
      rows: [row("op4")],
      run: {
        c: async () => {
          throw new Error("target refused");
        },
      },
    });
    await engineFor([k.def]).drain(5000);
    const [r] = k.rows;
    expect(k.calls).toEqual(["op4:a", "op4:b", "op4:c"]);
    expect(r).toMatchObject({ phase: "rolled_back", error: "Step C failed: target refused", step: null, finishedAt: expect.any(Date) });
    expect(r.steps.map((s) => [s.key, s.status])).toEqual([
      ["a", "done"],
      ["b", "done"],
      ["c", "failed"],
      ["d", "skipped"],
      ["rollback", "done"],
    ]);
    expect(r.steps[2].detail).toBe("target refused");
    expect(r.steps[4]).toMatchObject({ label: "Roll back op4", detail: "undone" });
    expect(k.rollbacks).toEqual(["op4: Step C failed: target refused"]);
    expect(k.seen.slice(-2).map((e) => e.phase)).toEqual(["rolling_back", "rolled_back"]);
    expect(k.outcomes).toEqual(["op4: rolled back (Step C failed: target refused)"]);
  });

  it("retries a rollback that fails, every tick, without the reason growing, until it finishes", async () => {
    const k = testKind({
      rows: [row("op5")],
      run: {
        b: async () => {
          throw new Error("no quorum");
        },
      },
      rollback: async (_r, _why, attempt) => {
        if (attempt < 3) throw new Error(`router unreachable (attempt ${attempt})`);
        return "back where it was";
      },
    });
    await engineFor([k.def]).drain(5000);
    const why = "Step B failed: no quorum";
    // Every attempt is given the original reason, not the previous attempt's error.
    expect(k.rollbacks).toEqual([`op5: ${why}`, `op5: ${why}`, `op5: ${why}`]);
    expect(k.seen.filter((e) => e.phase === "rolling_back").map((e) => e.error)).toEqual([
      why,
      `${why}; rollback not finished: router unreachable (attempt 1)`,
      `${why}; rollback not finished: router unreachable (attempt 2)`,
    ]);
    const [r] = k.rows;
    expect(r).toMatchObject({ phase: "rolled_back", error: why });
    expect(r.steps.at(-1)).toMatchObject({ key: "rollback", status: "done", detail: "back where it was" });
    expect(k.outcomes).toEqual([`op5: rolled back (${why})`]);
  });

  it("leaves an operation changed under it to whoever changed it: no rollback, no further step", async () => {
    const k = testKind({
      rows: [row("op6")],
      run: {
        // Someone else (a person, another engine) ends the operation while step b runs.
        b: async (r) => {
          r.phase = "failed";
          return "did b";
        },
      },
    });
    await engineFor([k.def]).drain(5000);
    expect(k.calls).toEqual(["op6:a", "op6:b"]);
    expect(k.rows[0].phase).toBe("failed");
    expect(k.rollbacks).toEqual([]);
    expect(k.outcomes).toEqual([]);
    // It tried to record b's end once, was refused, and tried nothing else (no rolling_back).
    expect(k.refused).toEqual(["op6: running → running"]);
    // What the engine last saved is what the row holds: b's end was never written over the change.
    expect(statuses(k.rows[0])).toEqual({ a: "done", b: "running", c: "pending", d: "pending" });
  });

  it("ends a kind without a rollback as failed, for a person to decide", async () => {
    const k = testKind({
      rows: [row("op7")],
      rollback: false,
      run: {
        a: async () => {
          throw new Error("checksum mismatch");
        },
      },
    });
    await engineFor([k.def]).drain(5000);
    expect(k.rows[0]).toMatchObject({ phase: "failed", error: "Step A failed: checksum mismatch" });
    expect(statuses(k.rows[0])).toEqual({ a: "failed", b: "skipped", c: "skipped", d: "skipped" });
    expect(k.outcomes).toEqual(["op7: failed (Step A failed: checksum mismatch)"]);
  });

  it("runs at most `concurrency` operations of a kind at once, oldest first; another kind has its own limit", async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let inStep = 0;
    let most = 0;
    const slow = testKind({
      kind: "slow",
      concurrency: 2,
      rows: ["s1", "s2", "s3", "s4", "s5"].map((id) => row(id)),
      run: {
        a: async () => {
          most = Math.max(most, ++inStep);
          await gate;
          inStep--;
          return "waited";
        },
      },
    });
    const quick = testKind({ kind: "quick", rows: [row("q1"), row("q2")] });
    // Started like the console's (its own tick loop), not drained: drain waits for what it holds.
    const engine = new Engine(h.database, h.services, [slow.def, quick.def], { tickMs: 20 });
    await engine.start();
    try {
      await waitFor(() => inStep === 2 && quick.rows.every((r) => r.phase === "completed"));
      // Ticks went on meanwhile: the slow kind stays full (two held at their first step), the rest queued; the quick kind ran anyway.
      await new Promise((r) => setTimeout(r, 100));
      expect(slow.rows.map((r) => r.phase)).toEqual(["running", "running", "queued", "queued", "queued"]);
      expect(slow.calls).toEqual(["s1:a", "s2:a"]);
      open();
      await waitFor(() => slow.rows.every((r) => r.phase === "completed"));
    } finally {
      open();
      await engine.stop();
    }
    expect(most).toBe(2);
    expect(slow.calls.filter((c) => c.endsWith(":a"))).toEqual(["s1:a", "s2:a", "s3:a", "s4:a", "s5:a"]);
  });

  it("does nothing while another engine holds the leader lock (standby)", async () => {
    const k = testKind({ rows: [row("op8")] });
    const standby = new Engine({ tryLeaderLock: async () => false }, h.services, [k.def], { name: "orchestrator" });
    await expect(standby.drain(200)).rejects.toThrow(/still active/);
    expect(k.calls).toEqual([]);
    expect(k.rows[0].phase).toBe("queued");
    await standby.start();
    expect(standby.health()).toMatchObject({ name: "orchestrator", state: "standby" });
    await standby.stop();
    expect(standby.health().state).toBe("stopped");
  });

  it("runs a kind's onLeader hook before its first operation, retried until it succeeds, then not again", async () => {
    let tries = 0;
    const k = testKind({
      rows: [row("op9")],
      onLeader: async () => {
        tries++;
        if (tries === 1) throw new Error("federation not answering");
      },
    });
    const engine = engineFor([k.def]);
    await engine.drain(5000);
    expect(tries).toBe(2);
    expect(k.rows[0].phase).toBe("completed");
    k.rows.push(row("op10"));
    await engine.drain(5000);
    expect(tries).toBe(2);
    expect(k.rows[1].phase).toBe("completed");
  });

  it("refuses a definition it could not run", () => {
    const base = { kind: "bad", store: arrayStore([]) };
    const run = async () => "";
    expect(() => defineOperation({ ...base, steps: [] })).toThrow(/no steps/);
    expect(() => defineOperation({ ...base, steps: [{ key: "rollback", label: "x", run }] })).toThrow(/engine's own step key/);
    expect(() =>
      defineOperation({
        ...base,
        steps: [
          { key: "a", label: "x", run },
          { key: "a", label: "y", run },
        ],
      }),
    ).toThrow(/step a twice/);
    expect(() => defineOperation({ ...base, concurrency: 0, steps: [{ key: "a", label: "x", run }] })).toThrow(/positive integer/);
    const ok = testKind().def;
    expect(() => engineFor([ok, ok])).toThrow(/registered twice/);
  });
});

describe("the engine, over the move definition (moves table, sim federation)", () => {
  it("runs a move and another kind in one engine, announcing the move's progress in order", async () => {
    const k = testKind({ kind: "drill", rows: [row("d1")] });
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-kuching", targetRegionId: "cyberjaya_1" });
    const states: string[] = [];
    const off = h.bus.on("moves:changed", (e) => {
      if (e.moveId === move.id) states.push(e.state);
    });
    try {
      await engineFor([moveOperation({ catchUpTimeoutMs: 5000 }), k.def]).drain();
    } finally {
      off();
    }
    const done = await getMoveOrThrow(h.services, move.id);
    expect(done.state).toBe("completed");
    expect(done.steps.map((s) => s.status)).toEqual(["done", "done", "done", "done", "done", "done"]);
    // queued → running, then each of the six steps started and ended, then completed.
    expect(states).toEqual([...Array(13).fill("running"), "completed"]);
    expect(k.rows[0].phase).toBe("completed");
  });

  it("resumes a move after a crash named by kind and step, and releases the fence", async () => {
    const { move } = await h.invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" });
    await engineFor([moveOperation({ catchUpTimeoutMs: 5000 })], { crashAfter: "move:flip" }).drain();
    const mid = await getMoveOrThrow(h.services, move.id);
    expect(mid).toMatchObject({ state: "running", step: "flip" });
    expect((await h.federation.readRoutes())["klinik-miri"]).toBe("cyberjaya_1");
    expect(await h.federation.fencedTenants()).toEqual([{ tenant: "klinik-miri", regionId: "kl_dc_1" }]);

    await engineFor([moveOperation({ catchUpTimeoutMs: 5000 })]).drain();
    const m = await getMoveOrThrow(h.services, move.id);
    expect(m.state).toBe("completed");
    expect(m.steps.find((s) => s.key === "flip")!.status).toBe("done");
    expect(await h.federation.fencedTenants()).toEqual([]);
  });
});
