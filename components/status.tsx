import { AlertTriangle, CheckCircle2, CircleHelp, Clock, XOctagon } from "lucide-react";
import { lastKnownLabel } from "@/lib/liveness";

export type StatusWord = "healthy" | "up" | "degraded" | "down" | "unknown" | "stale";

const ICONS = { healthy: CheckCircle2, up: CheckCircle2, degraded: AlertTriangle, down: XOctagon, unknown: CircleHelp, stale: Clock };
const WORDS = { healthy: "Healthy", up: "Up", degraded: "Degraded", down: "Down", unknown: "Unknown", stale: "Stale" };

/**
 * Status as word + icon + colour (never colour alone). From data that is no longer live
 * (staleAgeMs given: how old it is) it never says a bare "Healthy": "Last known: healthy, 12 s
 * ago", greyed, with the clock icon.
 */
export function StatusPill({ status, label, staleAgeMs }: { status: StatusWord; label?: string; staleAgeMs?: number }) {
  if (staleAgeMs !== undefined)
    return (
      <span className="pill st-stale" data-status={status} data-stale="true">
        <Clock aria-hidden />
        {lastKnownLabel(label ?? status, staleAgeMs)}
      </span>
    );
  const Icon = ICONS[status];
  return (
    <span className={`pill st-${status}`} data-status={status}>
      <Icon aria-hidden />
      {label ?? WORDS[status]}
    </span>
  );
}
