"use client";
import { CheckCircle2, Circle, CircleSlash, Loader2, RotateCcw, XCircle } from "lucide-react";
import type { MoveView } from "@/lib/moves/types";
import type { MoveStep } from "@/lib/moves/steps";
import { formatDuration } from "@/lib/format";
import { StatusPill } from "../status";

const ICON = { pending: Circle, running: Loader2, done: CheckCircle2, failed: XCircle, skipped: CircleSlash, undone: RotateCcw };
const WORD = { pending: "pending", running: "running", done: "done", failed: "failed", skipped: "skipped", undone: "undone" };
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

function duration(s: MoveStep, now: number): string {
  if (!s.startedAt) return "";
  return formatDuration((s.endedAt ?? now) - s.startedAt);
}

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
      <ol className={compact ? "steps compact" : "steps"}>
        {move.steps.map((s) => {
          const Icon = ICON[s.status];
          return (
            <li key={s.key} className={`step st-step-${s.status}`} data-step={s.key} data-status={s.status}>
              <Icon size={14} aria-hidden className={s.status === "running" ? "spin" : undefined} />
              <span className="step-label">{s.label}</span>
              <span className="sr-only">{WORD[s.status]}</span>
              <span className="num small muted">{duration(s, now)}</span>
              {!compact && s.detail && <span className="small step-detail">{s.detail}</span>}
            </li>
          );
        })}
      </ol>
      {move.error && <div className="small error-text">{move.error}</div>}
    </div>
  );
}
