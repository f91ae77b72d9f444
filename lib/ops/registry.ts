import "server-only";
import { decideApprovalOp, endBreakGlassOp, startBreakGlassOp } from "@/lib/approvals/operations";
import { requestBulkMoveOp, requestMoveOp } from "@/lib/moves/operations";
import { markRegionOp } from "@/lib/regions/operations";
import { freezeFailoverOp, requestFailoverOp, requestReturnOp, setFailoverModeOp, unfreezeFailoverOp } from "@/lib/failover/operations";
import { resolveRouteDriftOp } from "@/lib/routes/operations";
import type { InputOf, ResultOf } from "./operation";

/**
 * The mutations the browser may call through the one server action (lib/ops/actions.ts), by
 * name. The direct switch stays API-only; the repin is the console's own.
 */
export const MUTATIONS = {
  "tenant.move": requestMoveOp,
  "tenant.bulk_move": requestBulkMoveOp,
  "approval.decide": decideApprovalOp,
  "break_glass.start": startBreakGlassOp,
  "break_glass.end": endBreakGlassOp,
  "region.mark": markRegionOp,
  "routes.resolve_drift": resolveRouteDriftOp,
  "region.failover.request": requestFailoverOp,
  "failover.mode": setFailoverModeOp,
  "failover.freeze": freezeFailoverOp,
  "failover.unfreeze": unfreezeFailoverOp,
  "region.return.request": requestReturnOp,
} as const;

export type MutationName = keyof typeof MUTATIONS;
export type MutationInput<N extends MutationName> = InputOf<(typeof MUTATIONS)[N]>;
export type MutationResult<N extends MutationName> = ResultOf<(typeof MUTATIONS)[N]>;
