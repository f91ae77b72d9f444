"use client";
import { CheckCircle2, Circle, CircleSlash, Loader2, RotateCcw, XCircle } from "lucide-react";
import type { OperationStep } from "@/lib/engine/types";
import { formatDuration } from "@/lib/format";

// The steps of any long operation of the engine (a move, a failover…) with live timings: each
// step's state by icon and word as well as colour, its duration, and what it found or did.

const ICON = { pending: Circle, running: Loader2, done: CheckCircle2, failed: XCircle, skipped: CircleSlash, undone: RotateCcw };

function duration(s: OperationStep, now: number): string {
  if (!s.startedAt) return "";
  return formatDuration((s.endedAt ?? now) - s.startedAt);
}

export function OperationSteps({ steps, now, compact }: { steps: OperationStep[]; now: number; compact?: boolean }) {
  return (
    <ol className={compact ? "steps compact" : "steps"}>
      {steps.map((s) => {
        const Icon = ICON[s.status];
        return (
          <li key={s.key} className={`step st-step-${s.status}`} data-step={s.key} data-status={s.status}>
            <Icon size={14} aria-hidden className={s.status === "running" ? "spin" : undefined} />
            <span className="step-label">{s.label}</span>
            <span className="sr-only">{s.status}</span>
            <span className="num small muted">{duration(s, now)}</span>
            {!compact && s.detail && <span className="small step-detail">{s.detail}</span>}
          </li>
        );
      })}
    </ol>
  );
}
