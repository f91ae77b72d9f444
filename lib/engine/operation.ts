import "server-only";
import type { ServiceContext } from "@/lib/context";
import { defineMachine } from "@/lib/state-machine";
import { ROLLBACK_STEP, type OperationPhase, type OperationStep } from "./types";

// One definition per kind of long operation (a tenant move today; failovers, drills, restores and
// compliance packs next): its steps in order, an optional rollback, hooks, and the store its rows
// live in. The engine (./engine.ts) runs every registered kind the same way: each step recorded
// before and after it runs, a crashed operation resumed by running its current step again (so
// every step must be idempotent), a failed one rolled back, every change announced.

/** The engine's own phase machine: every save the engine makes is checked against it first. */
export const operationMachine = defineMachine<OperationPhase>("operation", {
  initial: ["queued"],
  transitions: {
    queued: ["running"],
    running: ["running", "completed", "rolling_back", "failed"],
    rolling_back: ["rolling_back", "rolled_back"],
    completed: [],
    rolled_back: [],
    failed: [],
  },
});

/** What a save writes beside the phase. `undefined` fields are left as they are. */
export interface OperationChange {
  /** The whole step list, as it is now. */
  steps: OperationStep[];
  /** The step being run or last run; null once the operation is final. */
  step?: string | null;
  error?: string | null;
  finishedAt?: Date;
}

/** An operation as loaded by its store: the kind's own row (`op`), and what the engine reads of it. */
export interface LoadedOperation<T> {
  op: T;
  phase: OperationPhase;
  steps: OperationStep[];
  error: string | null;
}

/**
 * Where a kind's operations live (a move: its `moves` row and its state machine). Every method
 * gets the engine's context (the system actor).
 */
export interface OperationStore<T> {
  /** Ids of the operations in a runnable phase (queued, running, rolling_back), oldest first, at most `limit`. */
  runnable(ctx: ServiceContext, limit: number): Promise<string[]>;
  load(ctx: ServiceContext, id: string): Promise<LoadedOperation<T>>;
  /**
   * A guarded transition: writes `to` and `change` only if the operation is still in `from`;
   * otherwise throws StaleTransitionError (lib/state-machine.ts) and writes nothing.
   */
  save(ctx: ServiceContext, id: string, from: OperationPhase, to: OperationPhase, change: OperationChange): Promise<void>;
}

export interface StepDefinition<T> {
  key: string;
  label: string;
  /** Does the step; returns what it did, in words (the step's detail). Idempotent: it may run again after a crash. */
  run(ctx: ServiceContext, op: T): Promise<string>;
}

export interface RollbackDefinition<T> {
  /** The rollback step's label, e.g. "Roll back to KL DC". */
  label(op: T): string;
  /**
   * Undoes what the done steps did (it may mark one "undone" in `steps`); returns what it did, in
   * words. If it throws, the operation stays rolling_back and the next tick runs it again.
   */
  run(ctx: ServiceContext, op: T, progress: { steps: OperationStep[]; why: string }): Promise<string>;
}

export interface OperationDefinition<T> {
  /** The kind's name: in logs and request ids (`${kind}:${id}`). */
  kind: string;
  steps: readonly StepDefinition<T>[];
  /** Without a rollback a failed operation ends `failed` (a person decides what next). */
  rollback?: RollbackDefinition<T>;
  store: OperationStore<T>;
  /** How many operations of this kind run at once (default 1). */
  concurrency?: number;
  /** Once this engine holds the leader lock, before the kind's first operation runs; retried every tick until it succeeds. */
  onLeader?(ctx: ServiceContext): Promise<void>;
  /** Every tick, before the kind's runnable operations are picked (housekeeping, e.g. expiring approvals). */
  onTick?(ctx: ServiceContext): Promise<void>;
  /** Subscribes `wake` to whatever means new work (e.g. a queued move), so it starts before the next tick; returns the unsubscribe. */
  wakeOn?(ctx: ServiceContext, wake: () => void): () => void;
  /** After every saved change, in order (live progress: e.g. "moves:changed" on the bus). */
  onChange?(ctx: ServiceContext, op: T, phase: OperationPhase): void;
  /**
   * The last act of a successful operation, after its last step and before it is recorded
   * completed (e.g. a re-home). If it throws, the operation stays running with every step done
   * and the next tick tries again.
   */
  complete?(ctx: ServiceContext, op: T, steps: OperationStep[]): Promise<void>;
  /** After it was recorded completed (e.g. the audit entry). */
  onCompleted?(ctx: ServiceContext, op: T, steps: OperationStep[]): Promise<void>;
  /** After it was recorded rolled_back, with the reason (e.g. the audit entry). */
  onRolledBack?(ctx: ServiceContext, op: T, steps: OperationStep[], why: string): Promise<void>;
  /** A kind without a rollback: after it was recorded failed, with the reason. */
  onFailed?(ctx: ServiceContext, op: T, steps: OperationStep[], why: string): Promise<void>;
}

/** A definition the engine can hold beside others of other kinds (its row type erased). */
export type RegisteredOperation = OperationDefinition<unknown> & { readonly concurrency: number };

/**
 * Checks a kind's definition and makes it registrable: step keys unique and not the rollback's,
 * concurrency a positive integer.
 */
export function defineOperation<T>(def: OperationDefinition<T>): RegisteredOperation {
  if (def.steps.length === 0) throw new Error(`operation ${def.kind}: no steps`);
  const keys = new Set<string>();
  for (const s of def.steps) {
    if (s.key === ROLLBACK_STEP) throw new Error(`operation ${def.kind}: "${ROLLBACK_STEP}" is the engine's own step key`);
    if (keys.has(s.key)) throw new Error(`operation ${def.kind}: step ${s.key} twice`);
    keys.add(s.key);
  }
  const concurrency = def.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`operation ${def.kind}: concurrency must be a positive integer`);
  // The engine only ever hands an operation back to the definition that loaded it, so the row type may be erased here.
  return { ...(def as OperationDefinition<unknown>), concurrency };
}
