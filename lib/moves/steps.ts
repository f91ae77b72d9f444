// T3: the steps of a staged move, in order. Each is idempotent, so a move interrupted anywhere
// (console killed) is resumed by running its current step again. What each step does:
// ./operation.ts (the move as an operation of lib/engine). No server code here: the browser's
// move stepper imports these types.
import { pendingSteps, type OperationStep, type StepStatus } from "@/lib/engine/types";

export type { StepStatus };

export const STEP_KEYS = ["preflight", "fence", "catch_up", "flip", "verify", "unfence"] as const;
export type StepKey = (typeof STEP_KEYS)[number];

export const STEP_LABELS: Record<StepKey, string> = {
  preflight: "Pre-flight checks",
  fence: "Fence the tenant's writes in the source",
  catch_up: "Wait until the target has every write",
  flip: "Flip the router",
  verify: "Verify a read and a write in the target",
  unfence: "Unfence",
};

/** A move's step as persisted in `moves.steps` (the engine's OperationStep; "rollback" is appended on a rollback). */
export type MoveStep = OperationStep<StepKey | "rollback">;

// A move's states and their transitions: ./state-machine.ts (re-exported for the importers of steps).
export { ACTIVE_STATES, RUNNABLE_STATES, type MoveState } from "./state-machine";

export function initialSteps(): MoveStep[] {
  return pendingSteps(STEP_KEYS.map((key) => ({ key, label: STEP_LABELS[key] })));
}

/** The tenant's write pause: from the start of fencing until writes are accepted again. */
export function writePauseMs(steps: readonly OperationStep[]): number | null {
  const fence = steps.find((s) => s.key === "fence");
  if (!fence?.startedAt) return null;
  const flip = steps.find((s) => s.key === "flip");
  const rollback = steps.find((s) => s.key === "rollback");
  const end = rollback?.endedAt ?? (flip?.status === "done" ? flip.endedAt : null);
  return end ? end - fence.startedAt : null;
}
