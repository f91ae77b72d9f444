import type { MoveState as DbMoveState, Prisma, PrismaClient, Tx } from "@/lib/db/types";
import { defineMachine, StaleTransitionError } from "@/lib/state-machine";

// T3: a move's state machine. Every change of `moves.state` goes through `transitionMove` (one
// move: the orchestrator) or `transitionMoves` (the moves waiting for one approval): a guarded
// update (`WHERE state = from`), so a concurrent change is detected instead of overwritten.
//
//   awaiting_approval ─┬─▶ queued ─▶ running ─┬─▶ completed
//                      ├─▶ rejected      ↺    └─▶ rolling_back ─▶ rolled_back
//                      └─▶ expired                    ↺
//
// running → running and rolling_back → rolling_back record progress (the current step, a
// rollback retried). `failed` is a state of the API only: nothing leads to it today.

/** The Prisma enum `MoveState`: the database holds exactly these values. */
export type MoveState = DbMoveState;

export const moveMachine = defineMachine<MoveState>("move", {
  initial: ["awaiting_approval", "queued"],
  transitions: {
    awaiting_approval: ["queued", "rejected", "expired"],
    queued: ["running"],
    running: ["running", "completed", "rolling_back"],
    completed: [],
    rolling_back: ["rolling_back", "rolled_back"],
    rolled_back: [],
    failed: [],
    expired: [],
    rejected: [],
  },
});

/** In the enum's order. */
export const MOVE_STATES: readonly MoveState[] = moveMachine.states;
/** States the orchestrator works on. */
export const RUNNABLE_STATES: readonly MoveState[] = ["queued", "running", "rolling_back"];
/**
 * States that hold the tenant: no second move may start meanwhile (the states that are not
 * final; the partial unique index "moves_one_active_per_tenant" lists the same).
 */
export const ACTIVE_STATES: readonly MoveState[] = ["awaiting_approval", ...RUNNABLE_STATES];

/** The state a new move starts in: waiting for a second admin, or queued for the orchestrator. */
export function initialMoveState(awaitingApproval: boolean): MoveState {
  const s: MoveState = awaitingApproval ? "awaiting_approval" : "queued";
  moveMachine.assertInitial(s);
  return s;
}

type Db = PrismaClient | Tx;
/** What a transition may write beside the state (the state is the transition's own). */
export type MoveChange = Omit<Prisma.MoveUpdateManyMutationInput, "state">;

/**
 * Moves one move from `from` to `to`, writing `data` with it. Throws IllegalTransitionError if
 * the machine does not allow it (nothing written), StaleTransitionError if the move was not in
 * `from` any more (changed meanwhile; nothing written). Emitting "moves:changed" is the caller's,
 * after its transaction commits.
 */
export async function transitionMove(db: Db, id: string, from: MoveState, to: MoveState, data: MoveChange = {}): Promise<void> {
  moveMachine.assert(from, to, id);
  const { count } = await db.move.updateMany({ where: { id, state: from }, data: { ...data, state: to } });
  if (count > 0) return;
  const now = await db.move.findUnique({ where: { id }, select: { state: true } });
  throw new StaleTransitionError("move", id, from, to, now?.state ?? null);
}

/**
 * Moves every move matching `where` that is in `from` to `to` (e.g. the moves waiting for one
 * approval); the others are left as they are. Returns how many moved.
 */
export async function transitionMoves(
  db: Db,
  where: Omit<Prisma.MoveWhereInput, "state">,
  from: MoveState,
  to: MoveState,
  data: MoveChange = {},
): Promise<number> {
  moveMachine.assert(from, to);
  const { count } = await db.move.updateMany({ where: { ...where, state: from }, data: { ...data, state: to } });
  return count;
}
