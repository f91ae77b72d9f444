// T3: the steps of a staged move, in order. Each is idempotent, so a move interrupted anywhere
// (console killed) is resumed by running its current step again.

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

export type StepStatus = "pending" | "running" | "done" | "failed" | "skipped" | "undone";

export interface MoveStep {
  key: StepKey | "rollback";
  label: string;
  status: StepStatus;
  startedAt: number | null;
  endedAt: number | null;
  detail: string | null;
}

// A move's states and their transitions: ./state-machine.ts (re-exported for the importers of steps).
export { ACTIVE_STATES, RUNNABLE_STATES, type MoveState } from "./state-machine";

export function initialSteps(): MoveStep[] {
  return STEP_KEYS.map((key) => ({ key, label: STEP_LABELS[key], status: "pending", startedAt: null, endedAt: null, detail: null }));
}

/** The tenant's write pause: from the start of fencing until writes are accepted again. */
export function writePauseMs(steps: MoveStep[]): number | null {
  const fence = steps.find((s) => s.key === "fence");
  if (!fence?.startedAt) return null;
  const flip = steps.find((s) => s.key === "flip");
  const rollback = steps.find((s) => s.key === "rollback");
  const end = rollback?.endedAt ?? (flip?.status === "done" ? flip.endedAt : null);
  return end ? end - fence.startedAt : null;
}
