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
  const reasons: string[] = [];
  let down = false;
  let degraded = false;
  for (const c of components) {
    if (c.status === "up") continue;
    const label = COMPONENT_LABELS[c.kind] ?? c.name;
    reasons.push(`${label} ${c.status}${c.reason ? `: ${c.reason}` : ""}`);
    if (c.status === "down" && CRITICAL.has(c.kind)) down = true;
    else degraded = true;
  }
  if (components.length === 0) return { status: "unknown", reasons: ["no components registered"] };
  return { status: down ? "down" : degraded ? "degraded" : "healthy", reasons };
}
