// View types of the engine's long operations (lib/engine): what a row's step list holds and what
// the browser renders (a move's stepper today; failovers, drills, restores and packs next). No
// server code here, so client modules may import it.

export type StepStatus = "pending" | "running" | "done" | "failed" | "skipped" | "undone";

/** One step of an operation as persisted with it: recorded before and after it runs. */
export interface OperationStep<K extends string = string> {
  key: K;
  label: string;
  status: StepStatus;
  /** epoch ms; kept when a step is run again after a crash (the first start counts) */
  startedAt: number | null;
  endedAt: number | null;
  /** What the step found or did, in words (or why it failed). */
  detail: string | null;
}

/** The key of the step the engine appends when an operation rolls back. */
export const ROLLBACK_STEP = "rollback";

/**
 * Where an operation is, as the engine sees it. Each kind's store maps its own states onto these
 * (a move's states carry the same names):
 *
 *   queued ─▶ running ─┬─▶ completed
 *               ↺      ├─▶ rolling_back ─▶ rolled_back      (a kind with a rollback)
 *                      │        ↺
 *                      └─▶ failed                            (a kind without one: a person decides)
 */
export type OperationPhase = "queued" | "running" | "rolling_back" | "completed" | "rolled_back" | "failed";

/** The phases the engine works on; the others are final. */
export const RUNNABLE_PHASES: readonly OperationPhase[] = ["queued", "running", "rolling_back"];

/** The step list of a new operation: every step pending, in order. */
export function pendingSteps<K extends string>(steps: readonly { key: K; label: string }[]): OperationStep<K>[] {
  return steps.map(({ key, label }) => ({ key, label, status: "pending", startedAt: null, endedAt: null, detail: null }));
}
