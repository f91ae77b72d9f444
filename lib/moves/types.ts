// View types of moves and their pre-flight: what the API returns and the browser renders. No
// server code here, so client modules may import them (service.ts and preflight.ts are server code).
import type { ApprovalView } from "@/lib/approvals/types";
import type { MoveState, MoveStep } from "./steps";

export interface MoveView {
  id: string;
  tenantId: string;
  fromRegionId: string;
  toRegionId: string;
  state: MoveState;
  step: string | null;
  steps: MoveStep[];
  reason: string | null;
  requestedBy: string;
  error: string | null;
  writePauseMs: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  kind: "planned" | "evacuation" | "repin";
  batchId: string | null;
  approvalId: string | null;
  latencyBeforeMs: number | null;
  /** On completion the target becomes the tenant's primary region. */
  rehome: boolean;
}

export interface MoveListItem extends MoveView {
  tenantName: string;
  /** M4 p50 latency through the router since the move finished (live window), ms. */
  latencyAfterMs: number | null;
}

export interface BulkResult {
  batchId: string;
  moves: MoveView[];
  refused: { tenantId: string; message: string }[];
  approval: ApprovalView | null;
}

export interface PreflightCheck {
  key: "residency" | "target_health" | "gpu_capacity" | "kv_capacity" | "replication_lag" | "already_there" | "route_drift";
  ok: boolean;
  label: string;
  detail: string;
}

export interface Preflight {
  ok: boolean;
  tenantId: string;
  fromRegionId: string;
  toRegionId: string;
  checks: PreflightCheck[];
  /** Replication lag into the target now, ms: what the catch-up step waits for. */
  lagMs: number | null;
  /** Expected write pause: catch-up plus router flip and verification. */
  expectedWritePauseMs: number | null;
  measuredAt: number | null;
}
