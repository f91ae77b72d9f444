import { EventEmitter } from "node:events";
import type { RegionHealth } from "@/lib/federation/types";
import type { RegionsChanged, TenantsChanged } from "./events";
import type { AlertView } from "@/lib/telemetry/alerts";
import type { Point } from "@/lib/telemetry/series";

// In-process domain events. Services emit here; the socket server (and later other instances'
// fan-out) listens. Services never import socket.io.
interface BusEvents {
  /** One sample of every region, and the series points it added to the live window. */
  health: [RegionHealth[], Point[]];
  "tenants:changed": [TenantsChanged];
  "regions:changed": [RegionsChanged];
  "alerts:changed": [AlertView[]];
  /** A move changed state or step (its row holds the details). */
  "moves:changed": [{ moveId: string; tenantId: string; state: string }];
  /** Break-glass windows active now (after one starts or ends). */
  "break-glass:changed": [import("@/lib/approvals/service").BreakGlassView[]];
  /** An operation wrote to the audit log (a change, a refusal or a failure). */
  "audit:appended": [{ action: string; at: number }];
  /** Points measured outside the region sample (tenant probes). */
  points: [Point[]];
}

export class Bus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(100);
  }
  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.ee.emit(event, ...args);
  }
  on<K extends keyof BusEvents>(event: K, fn: (...args: BusEvents[K]) => void): () => void {
    this.ee.on(event, fn as (...a: unknown[]) => void);
    return () => this.ee.off(event, fn as (...a: unknown[]) => void);
  }
}
