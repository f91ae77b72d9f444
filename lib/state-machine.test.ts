import { describe, expect, it } from "vitest";
import { defineMachine, IllegalTransitionError, StaleTransitionError, type Machine } from "./state-machine";
import { ACTIVE_STATES, initialMoveState, moveMachine, RUNNABLE_STATES, type MoveState } from "./moves/state-machine";
import { approvalMachine, initialApprovalState, type ApprovalState } from "./approvals/state-machine";
import { AppError } from "./errors";

/** Every (from, to) pair of a machine's states. */
const pairs = <S extends string>(m: Machine<S>) => m.states.flatMap((from) => m.states.map((to) => [from, to] as const));

/** The message a refused transition throws (or null if it is allowed). */
function refusal<S extends string>(m: Machine<S>, from: S, to: S): string | null {
  try {
    m.assert(from, to, "x1");
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(IllegalTransitionError);
    return (e as Error).message;
  }
}

const MOVE_ALLOWED: [MoveState, MoveState][] = [
  ["awaiting_approval", "queued"],
  ["awaiting_approval", "rejected"],
  ["awaiting_approval", "expired"],
  ["queued", "running"],
  ["running", "running"],
  ["running", "completed"],
  ["running", "rolling_back"],
  ["rolling_back", "rolling_back"],
  ["rolling_back", "rolled_back"],
];

const APPROVAL_ALLOWED: [ApprovalState, ApprovalState][] = [
  ["pending", "approved"],
  ["pending", "rejected"],
  ["pending", "expired"],
];

describe("move state machine", () => {
  it("has every state of the MoveState enum, in its order", () => {
    expect(moveMachine.states).toEqual(["awaiting_approval", "queued", "running", "completed", "rolling_back", "rolled_back", "failed", "expired", "rejected"]);
  });

  it("allows exactly the transitions of the table", () => {
    const allowed = pairs(moveMachine).filter(([from, to]) => moveMachine.can(from, to));
    expect(allowed).toEqual(expect.arrayContaining(MOVE_ALLOWED));
    expect(allowed).toHaveLength(MOVE_ALLOWED.length);
    for (const [from, to] of MOVE_ALLOWED) expect(refusal(moveMachine, from, to)).toBeNull();
  });

  it("refuses every other transition with a message naming both states", () => {
    const refused = pairs(moveMachine).filter(([from, to]) => !MOVE_ALLOWED.some(([f, t]) => f === from && t === to));
    expect(refused).toHaveLength(9 * 9 - MOVE_ALLOWED.length);
    for (const [from, to] of refused) {
      const message = refusal(moveMachine, from, to);
      expect(message).toContain(`${from} → ${to}`);
      expect(message).toContain("move x1");
    }
    expect(refusal(moveMachine, "running", "queued")).toBe(
      "Illegal move transition running → queued (move x1): from running a move may only go to running, completed, rolling_back.",
    );
    expect(refusal(moveMachine, "completed", "running")).toBe("Illegal move transition completed → running (move x1): completed is final.");
    expect(refusal(moveMachine, "queued", "bogus" as MoveState)).toBe("Illegal move transition queued → bogus (move x1): bogus is not a move state.");
  });

  it("starts a move waiting for approval or queued, nothing else", () => {
    expect(initialMoveState(true)).toBe("awaiting_approval");
    expect(initialMoveState(false)).toBe("queued");
    expect(() => moveMachine.assertInitial("running", "x1")).toThrow(
      "Illegal initial move state running (move x1): a move starts as awaiting_approval or queued.",
    );
  });

  it("holds the tenant in exactly the states that are not final; the orchestrator runs those past approval", () => {
    expect([...ACTIVE_STATES].sort()).toEqual(moveMachine.states.filter((s) => !moveMachine.isFinal(s)).sort());
    expect(RUNNABLE_STATES).toEqual(ACTIVE_STATES.filter((s) => s !== "awaiting_approval"));
  });
});

describe("approval state machine", () => {
  it("allows pending → approved | rejected | expired and nothing else, naming both states when it refuses", () => {
    expect(approvalMachine.states).toEqual(["pending", "approved", "rejected", "expired"]);
    for (const [from, to] of pairs(approvalMachine)) {
      const ok = APPROVAL_ALLOWED.some(([f, t]) => f === from && t === to);
      expect(approvalMachine.can(from, to)).toBe(ok);
      const message = refusal(approvalMachine, from, to);
      if (ok) expect(message).toBeNull();
      else expect(message).toContain(`Illegal approval transition ${from} → ${to} (approval x1)`);
    }
    expect(refusal(approvalMachine, "approved", "rejected")).toMatch(/approved is final\.$/);
    expect(initialApprovalState()).toBe("pending");
  });
});

describe("defineMachine", () => {
  const light = defineMachine<"red" | "green">("light", { initial: ["red"], transitions: { red: ["green"], green: ["red"] } });

  it("tells states from other strings", () => {
    expect(light.isState("red")).toBe(true);
    expect(light.isState("toString")).toBe(false);
    expect(light.isFinal("red")).toBe(false);
  });

  it("reports a concurrent change as a 409 conflict naming both states and the actual one", () => {
    const e = new StaleTransitionError("move", "mv_1", "queued", "running", "rolled_back");
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({
      status: 409,
      code: "conflict",
      message: "move mv_1 is rolled_back, not queued: it changed meanwhile; queued → running not applied.",
    });
    expect(new StaleTransitionError("move", "mv_1", "queued", "running", null).message).toBe("move mv_1 no longer exists: queued → running not applied.");
  });
});
