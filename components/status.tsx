import { AlertTriangle, CheckCircle2, CircleHelp, Clock, XOctagon } from "lucide-react";

export type StatusWord = "healthy" | "up" | "degraded" | "down" | "unknown" | "stale";

const ICONS = { healthy: CheckCircle2, up: CheckCircle2, degraded: AlertTriangle, down: XOctagon, unknown: CircleHelp, stale: Clock };
const WORDS = { healthy: "Healthy", up: "Up", degraded: "Degraded", down: "Down", unknown: "Unknown", stale: "Stale" };

/** Status as word + icon + colour (never colour alone). */
export function StatusPill({ status, label }: { status: StatusWord; label?: string }) {
  const Icon = ICONS[status];
  return (
    <span className={`pill st-${status}`} data-status={status}>
      <Icon aria-hidden />
      {label ?? WORDS[status]}
    </span>
  );
}
