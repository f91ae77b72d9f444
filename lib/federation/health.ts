import type { ComponentHealth, ComponentKind, RegionStatus } from "./types";
import { COMPONENT_LABELS } from "./types";

// Components without which a region cannot serve its tenants at all.
const CRITICAL: ReadonlySet<ComponentKind> = new Set(["router", "galera"]);

/**
 * F1 roll-up: a region is down when a critical component (router, clinical database) is down;
 * degraded when any component is degraded, unknown, or a non-critical one is down; else healthy.
 * Reasons name the component and carry its own reason.
 */
export function rollupRegion(components: ComponentHealth[]): { status: RegionStatus; reasons: string[] } {
  if (components.length === 0) return { status: "unknown", reasons: ["no components registered"] };
  const allUnknown = components.every((c) => c.status === "unknown");
  let down = false;
  let degraded = false;
  // Components failing for the same reason (a whole region gone) are named once, together.
  const groups = new Map<string, string[]>();
  for (const c of components) {
    if (c.status === "up") continue;
    if (c.status === "down" && CRITICAL.has(c.kind)) down = true;
    else degraded = true;
    const key = `${c.status}\u0000${c.reason ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), c.name || COMPONENT_LABELS[c.kind]]);
  }
  const reasons = [...groups].map(([key, labels]) => {
    const [status, reason] = key.split("\u0000");
    const who = labels.length === components.length && labels.length > 1 ? `All ${labels.length} components` : labels.join(", ");
    return `${who} ${status}${reason ? `: ${reason}` : ""}`;
  });
  return { status: down ? "down" : allUnknown ? "unknown" : degraded ? "degraded" : "healthy", reasons };
}
