// View types of region failover (F1, F2, F7): what the API returns and the browser renders. No
// server code here, so client modules may import them.
import type { OperationStep } from "@/lib/engine/types";
import type { LeasePolicy } from "./lease";
import type { ErrantReport } from "@/lib/federation/types";

export type FailoverMode = "auto" | "advisory" | "off";
export const FAILOVER_MODES: readonly FailoverMode[] = ["auto", "advisory", "off"];

/** One independent signal about a region, as the detector read it. */
export interface SignalView {
  key: "console" | "peer" | "router";
  label: string;
  /** This signal says the region is lost. */
  lost: boolean;
  detail: string;
  /** When it was read, epoch ms. */
  at: number;
  /** Since when it has said lost (the first reading that did), epoch ms; null while it says present. */
  lostSince?: number | null;
}

/**
 * healthy: every signal says it is there · suspect: some say lost (or all, not yet for the
 * confirmation window) · unreachable_alive: the console cannot reach it, the other region still
 * hears it (never failed over) · lost: no answer to the console for the window, the others agreeing · failed_over: its
 * tenants were failed over and it has not been brought back.
 */
export type DetectionState = "healthy" | "suspect" | "unreachable_alive" | "lost" | "failed_over";

export interface Assessment {
  regionId: string;
  state: DetectionState;
  /** Since when the state's condition has held, epoch ms (null: healthy). */
  since: number | null;
  summary: string;
  signals: SignalView[];
  confirmMs: number;
  /** When the signals were read, epoch ms. */
  at: number;
}

/** What a failover does with one tenant of the lost region. */
export interface PlanEntry {
  tenantId: string;
  slug: string;
  name: string;
  /** move: served by `toRegionId` · read_only: served there, writes refused · held: unavailable, data held in place */
  action: "move" | "read_only" | "held";
  toRegionId: string | null;
  reason: string;
  /** Predicted RPO: replication lag into the survivor when the region was lost, ms (null: unknown). */
  rpoMs: number | null;
}

export type FailoverState = "queued" | "running" | "completed" | "failed";

export interface FailoverView {
  id: string;
  regionId: string;
  toRegionId: string;
  trigger: "auto" | "manual" | "advisory";
  state: FailoverState;
  step: string | null;
  steps: OperationStep[];
  plan: PlanEntry[];
  signals: SignalView[];
  leaseDeadline: string | null;
  rpoMs: number | null;
  requestedBy: string;
  reason: string | null;
  error: string | null;
  decisionId: string | null;
  createdAt: string;
  finishedAt: string | null;
  closedAt: string | null;
  /** Bringing the region back: the latest attempt (null: none yet; absent where not loaded). */
  return?: RegionReturnView | null;
}

export interface DecisionView {
  id: string;
  at: string;
  regionId: string | null;
  kind: "failover" | "no_failover" | "repin_skipped";
  outcome: "acted" | "advised" | "held" | "refused";
  mode: FailoverMode | "manual";
  rule: string;
  summary: string;
  signals: SignalView[];
  alternatives: { option: string; rejectedBecause: string }[];
  failoverId: string | null;
  agreed: boolean | null;
}

export interface FreezeView {
  reason: string;
  by: string;
  at: string;
  until: string;
}

export interface FailoverSettingsView {
  mode: FailoverMode;
  freeze: FreezeView | null;
  updatedBy: string | null;
  updatedAt: string;
  lease: LeasePolicy;
  confirmMs: number;
  heartbeatStaleMs: number;
  holdDownMs: number;
}

/** How often the engine's advice (advisory mode) matched what people then did. */
export interface AgreementView {
  advised: number;
  actedOn: number;
  notActedOn: number;
  pending: number;
  /** Failovers people started without advice. */
  unadvised: number;
}

export interface FailoverOverview {
  settings: FailoverSettingsView;
  regions: (Assessment & { name: string; holdDownUntil: string | null; openFailoverId: string | null })[];
  failovers: FailoverView[];
  decisions: DecisionView[];
  agreement: AgreementView;
  serverTime: number;
}

/** One catch-up sample of a returning region: how far behind, how fast it applies vs what arrives. */
export interface CatchUpSample {
  at: number;
  /** Transactions of the survivor's domain the region has not applied yet. */
  backlog: number;
  applyPerSec: number | null;
  incomingPerSec: number | null;
  /** Seconds until caught up at these rates (null: not converging, or unknown). */
  etaSec: number | null;
}

/** What a returned region wrote that the survivor never applied (the federation's report, as it is). */
export type ErrantView = ErrantReport;

export interface RegionReturnView {
  id: string;
  failoverId: string;
  regionId: string;
  survivorId: string;
  state: FailoverState;
  step: string | null;
  steps: OperationStep[];
  errant: ErrantView | null;
  decision: "reapply" | "discard" | null;
  catchUp: CatchUpSample[];
  requestedBy: string;
  reason: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}
