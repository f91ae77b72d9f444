import type { ApprovalState as DbApprovalState, Prisma, PrismaClient, Tx } from "@/lib/db/types";
import { defineMachine, StaleTransitionError } from "@/lib/state-machine";

// T5: an approval's state machine: pending until a second admin decides or it expires. Every
// change of `approvals.state` goes through `transitionApproval`, a guarded update (`WHERE state =
// from`): a decision and an expiry racing each other cannot both win.
//
//   pending ─┬─▶ approved
//            ├─▶ rejected
//            └─▶ expired

/** The Prisma enum `ApprovalState`: the database holds exactly these values. */
export type ApprovalState = DbApprovalState;

export const approvalMachine = defineMachine<ApprovalState>("approval", {
  initial: ["pending"],
  transitions: {
    pending: ["approved", "rejected", "expired"],
    approved: [],
    rejected: [],
    expired: [],
  },
});

export const APPROVAL_STATES: readonly ApprovalState[] = approvalMachine.states;

type Db = PrismaClient | Tx;
/** What a transition may write beside the state. */
export type ApprovalChange = Omit<Prisma.ApprovalUpdateManyMutationInput, "state">;

/**
 * Moves one approval from `from` to `to`, writing `data` with it. Throws IllegalTransitionError
 * if the machine does not allow it, StaleTransitionError if the approval was not in `from` any
 * more (decided or expired meanwhile); nothing is written in either case.
 */
export async function transitionApproval(db: Db, id: string, from: ApprovalState, to: ApprovalState, data: ApprovalChange = {}): Promise<void> {
  approvalMachine.assert(from, to, id);
  const { count } = await db.approval.updateMany({ where: { id, state: from }, data: { ...data, state: to } });
  if (count > 0) return;
  const now = await db.approval.findUnique({ where: { id }, select: { state: true } });
  throw new StaleTransitionError("approval", id, from, to, now?.state ?? null);
}

/** The state a new approval starts in. */
export function initialApprovalState(): ApprovalState {
  const s: ApprovalState = "pending";
  approvalMachine.assertInitial(s);
  return s;
}
