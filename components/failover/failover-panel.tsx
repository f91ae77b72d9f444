"use client";
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, HelpCircle, ShieldOff, XCircle } from "lucide-react";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import { runOperation } from "@/lib/ops/actions";
import { formatAge, formatDuration } from "@/lib/format";
import type { DetectionState, FailoverMode, FailoverOverview, FailoverView } from "@/lib/failover/types";
import { useTopic } from "../realtime/socket";
import { OperationSteps } from "../engine/operation-steps";
import { StatusPill, type StatusWord } from "../status";
import { RegionReturn } from "./region-return";

// F1/F2/F7 on the overview: what the console believes about each region (every signal, with its
// age), the setting of automatic action and the freeze, the failovers with their steps and
// per-tenant plan, and every decision in words. Live: failover:changed refetches; signal ages tick.

const STATE: Record<DetectionState, { status: StatusWord; label: string }> = {
  healthy: { status: "up", label: "present" },
  suspect: { status: "degraded", label: "suspect" },
  unreachable_alive: { status: "degraded", label: "unreachable, alive" },
  lost: { status: "down", label: "lost" },
  failed_over: { status: "down", label: "failed over" },
};
const FAILOVER_PILL: Record<FailoverView["state"], { status: StatusWord; label: string }> = {
  queued: { status: "unknown", label: "queued" },
  running: { status: "degraded", label: "failing over" },
  completed: { status: "up", label: "completed" },
  failed: { status: "down", label: "failed — needs a person" },
};

export function useFailover() {
  useTopic("overview");
  return useQuery({ queryKey: queryKeys.failover.overview, queryFn: () => fetchJson<FailoverOverview>("/api/failovers"), refetchInterval: 2000 });
}

function Reasoned({
  label,
  onSubmit,
  testId,
  danger,
}: {
  label: string;
  onSubmit: (reason: string) => Promise<string | null>;
  testId: string;
  danger?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!open)
    return (
      <button type="button" className={`btn small ${danger ? "danger" : ""}`} onClick={() => setOpen(true)} data-testid={testId}>
        {label}
      </button>
    );
  return (
    <form
      className="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const err = await onSubmit(reason);
        setError(err);
        if (!err) {
          setOpen(false);
          setReason("");
        }
      }}
    >
      <input
        className="input small"
        aria-label={`${label}: reason`}
        placeholder="reason (audited)"
        value={reason}
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
        ref={(el) => el?.focus()}
      />
      <button type="submit" className={`btn small ${danger ? "danger" : ""}`}>
        {label}
      </button>
      <button type="button" className="btn small" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && (
        <span className="small error-text" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

export function FailoverPanel({ now, canAct, canConfigure }: { now: number; canAct: boolean; canConfigure: boolean }) {
  const { data, error } = useFailover();
  const qc = useQueryClient();
  if (error) return <div className="error-box">Could not load the failover state: {error.message}</div>;
  if (!data) return null;
  const skew = data.serverTime - Date.now();
  const serverNow = now + skew;
  const names = (id: string | null) => data.regions.find((r) => r.regionId === id)?.name ?? id ?? "—";
  const refresh = () => void qc.invalidateQueries({ queryKey: queryKeys.failover.all });
  const act = async (name: Parameters<typeof runOperation>[0], input: never): Promise<string | null> => {
    const res = await runOperation(name, input);
    refresh();
    return res.ok ? null : res.error.message;
  };
  const s = data.settings;
  return (
    <section className="card failover-panel" data-testid="failover-panel" aria-labelledby="failover-title">
      <div className="card-head">
        <h2 id="failover-title">Region failover</h2>
        <StatusPill status={s.mode === "auto" ? "up" : "degraded"} label={`automatic action: ${s.mode}`} />
        {s.freeze && <StatusPill status="degraded" label={`frozen until ${new Date(s.freeze.until).toLocaleTimeString("en-GB")} by ${s.freeze.by}`} />}
        <span className="small muted" data-testid="lease-policy">
          write lease {formatDuration(s.lease.lengthMs)} + {formatDuration(s.lease.skewMarginMs)} skew margin, renewed every{" "}
          {formatDuration(s.lease.renewEveryMs)} · loss confirmed after {formatDuration(s.confirmMs)} · hold-down {formatDuration(s.holdDownMs)}
        </span>
      </div>
      {canConfigure && (
        <div className="toolbar small">
          {(["auto", "advisory", "off"] as FailoverMode[])
            .filter((m) => m !== s.mode)
            .map((m) => (
              <Reasoned key={m} label={`Set ${m}`} testId={`failover-mode-${m}`} onSubmit={(reason) => act("failover.mode", { mode: m, reason } as never)} />
            ))}
          {s.freeze ? (
            <Reasoned label="Lift the freeze" testId="failover-unfreeze" onSubmit={(reason) => act("failover.unfreeze", { reason } as never)} />
          ) : (
            <Reasoned
              label="Freeze for 1 h"
              testId="failover-freeze"
              onSubmit={(reason) => act("failover.freeze", { reason, until: new Date(Date.now() + 3600_000).toISOString() } as never)}
            />
          )}
          {s.freeze && <span className="muted">freeze reason: {s.freeze.reason}</span>}
        </div>
      )}
      <table className="data failover-table" data-testid="detection">
        <thead>
          <tr>
            <th>Region</th>
            <th>Console believes</th>
            <th>Signals (each with its age)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.regions.map((r) => {
            const st = STATE[r.state];
            return (
              <tr key={r.regionId} data-testid={`detection-${r.regionId}`} data-state={r.state}>
                <td>{r.name}</td>
                <td>
                  <StatusPill status={st.status} label={st.label} />
                  <div className="small">{r.summary}</div>
                  {r.holdDownUntil && <div className="small muted">hold-down until {new Date(r.holdDownUntil).toLocaleTimeString("en-GB")}</div>}
                </td>
                <td>
                  <ul className="signals small">
                    {r.signals.map((sig) => {
                      const Icon = sig.lost ? XCircle : CheckCircle2;
                      return (
                        <li key={sig.key} data-signal={sig.key} data-lost={sig.lost ? "true" : "false"} className={sig.lost ? "sig-lost" : "sig-ok"}>
                          <Icon size={12} aria-hidden className={sig.lost ? undefined : "sig-ok-icon"} /> <strong>{sig.label}</strong>:{" "}
                          {sig.lost ? `says lost${sig.lostSince ? ` for ${formatAge(serverNow - sig.lostSince).replace(" ago", "")}` : ""}` : "says present"} —{" "}
                          {sig.detail} <span className="muted num">({formatAge(serverNow - sig.at)})</span>
                        </li>
                      );
                    })}
                    {r.signals.length === 0 && (
                      <li className="muted">
                        <HelpCircle size={12} aria-hidden /> not read yet
                      </li>
                    )}
                  </ul>
                </td>
                <td>
                  {canAct && r.state !== "failed_over" && (
                    <Reasoned
                      label={`Fail ${r.name} over now`}
                      danger
                      testId={`failover-now-${r.regionId}`}
                      onSubmit={(reason) => act("region.failover.request", { regionId: r.regionId, reason } as never)}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      {data.failovers.slice(0, 3).map((f) => {
        const pill = FAILOVER_PILL[f.state];
        const held = f.plan.filter((p) => p.action === "held");
        return (
          <div key={f.id} className="stepper" data-testid={`failover-${f.id}`} data-state={f.state}>
            <div className="stepper-head">
              <StatusPill status={pill.status} label={pill.label} />
              <span>
                {names(f.regionId)} → {names(f.toRegionId)}
              </span>
              <span className="tag">{f.trigger === "auto" ? "automatic" : f.trigger === "advisory" ? "advice acted on" : "by an admin"}</span>
              <span className="muted small">
                {f.requestedBy} · {new Date(f.createdAt).toLocaleTimeString("en-GB")}
              </span>
              <span className="tag" data-testid="rpo">
                predicted RPO {f.rpoMs === null ? "unknown" : formatDuration(f.rpoMs)}
              </span>
              {f.plan.length > 0 && (
                <span className="small">
                  {f.plan.filter((p) => p.action === "move").length} moved · {f.plan.filter((p) => p.action === "read_only").length} read-only · {held.length}{" "}
                  held in place
                </span>
              )}
            </div>
            <OperationSteps steps={f.steps} now={serverNow} />
            {held.length > 0 && (
              <ul className="small held-list">
                {held.map((p) => (
                  <li key={p.tenantId}>
                    <ShieldOff size={12} aria-hidden /> {p.name}: {p.reason}
                  </li>
                ))}
              </ul>
            )}
            {f.error && <div className="small error-text">{f.error}</div>}
            {f.closedAt && (
              <div className="small muted">brought back {new Date(f.closedAt).toLocaleTimeString("en-GB")}; its tenants return by re-pin after recovery</div>
            )}
            <RegionReturn f={f} now={serverNow} canAct={canAct} regionName={names(f.regionId)} act={(input) => act("region.return.request", input as never)} />
          </div>
        );
      })}

      <h3 className="small">
        Decisions{" "}
        <span className="muted">
          — advice given {data.agreement.advised}, acted on {data.agreement.actedOn}, not acted on {data.agreement.notActedOn}; failovers without advice{" "}
          {data.agreement.unadvised}
        </span>
      </h3>
      <ol className="decisions small" data-testid="decisions">
        {data.decisions.slice(0, 8).map((d) => (
          <li key={d.id} data-outcome={d.outcome} id={d.id}>
            <span className="num muted">{new Date(d.at).toLocaleTimeString("en-GB")}</span>{" "}
            {d.outcome === "acted" ? <CheckCircle2 size={12} aria-hidden /> : <AlertTriangle size={12} aria-hidden />} <strong>{d.outcome}</strong> ({d.mode}) —{" "}
            {d.summary}
            <span className="muted"> · rule: {d.rule}</span>
            {d.alternatives.length > 0 && (
              <span className="muted"> · rejected: {d.alternatives.map((a) => `${a.option} (${a.rejectedBecause})`).join("; ")}</span>
            )}
            {canAct && d.outcome === "advised" && d.agreed === null && d.regionId && (
              <Reasoned
                label="Act on this advice"
                danger
                testId={`act-${d.id}`}
                onSubmit={(reason) => act("region.failover.request", { regionId: d.regionId, reason, decisionId: d.id } as never)}
              />
            )}
          </li>
        ))}
        {data.decisions.length === 0 && <li className="muted">No decisions yet: no region has been lost.</li>}
      </ol>
    </section>
  );
}
