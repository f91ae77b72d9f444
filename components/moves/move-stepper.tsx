"use client";
import type { MoveView } from "@/lib/moves/types";
import { formatDuration } from "@/lib/format";
import { OperationSteps } from "../engine/operation-steps";
import { StatusPill } from "../status";

const STATE_PILL: Record<MoveView["state"], { status: "up" | "degraded" | "down" | "unknown"; label: string }> = {
  awaiting_approval: { status: "unknown", label: "waiting for a second admin" },
  queued: { status: "unknown", label: "queued" },
  running: { status: "degraded", label: "running" },
  completed: { status: "up", label: "completed" },
  rolling_back: { status: "degraded", label: "rolling back" },
  rolled_back: { status: "down", label: "rolled back" },
  failed: { status: "down", label: "failed — needs a person" },
  expired: { status: "down", label: "expired: not approved in time" },
  rejected: { status: "down", label: "rejected by a second admin" },
};

/** A move's steps with live timings: what an admin and an overseer watch during a move. */
export function MoveStepper({ move, now, names, compact }: { move: MoveView; now: number; names: (id: string) => string; compact?: boolean }) {
  const pill = STATE_PILL[move.state];
  return (
    <div className="stepper" data-testid={`move-${move.id}`} data-state={move.state}>
      <div className="stepper-head">
        <StatusPill status={pill.status} label={pill.label} />
        <span>
          {names(move.fromRegionId)} → {names(move.toRegionId)}
        </span>
        {move.kind !== "planned" && (
          <span className="tag">{move.kind === "repin" ? "re-pin after recovery" : "evacuation: returns when the primary recovers"}</span>
        )}
        <span className="muted small">
          by {move.requestedBy} · {new Date(move.createdAt).toLocaleTimeString("en-GB")}
        </span>
        {move.writePauseMs !== null && (
          <span className="tag" data-testid="write-pause">
            write pause {formatDuration(move.writePauseMs)}
          </span>
        )}
      </div>
      <OperationSteps steps={move.steps} now={now} compact={compact} />
      {move.error && <div className="small error-text">{move.error}</div>}
    </div>
  );
}
