"use client";
import { useState } from "react";
import { Line, LineChart, ResponsiveContainer, Tooltip, YAxis } from "recharts";
import { fetchJson } from "@/lib/http/fetch-json";
import type { ErrantView, FailoverView, RegionReturnView } from "@/lib/failover/types";
import { OperationSteps } from "../engine/operation-steps";
import { StatusPill, type StatusWord } from "../status";

// F2 §5/§6: bringing a failed-over region back. An admin first sees what the region wrote that
// the survivor never applied (errant writes, per tenant), decides (re-apply or discard), and
// watches the catch-up: backlog, apply rate against incoming rate, ETA.

const PILL: Record<RegionReturnView["state"], { status: StatusWord; label: string }> = {
  queued: { status: "unknown", label: "return queued" },
  running: { status: "degraded", label: "returning" },
  completed: { status: "up", label: "brought back" },
  failed: { status: "down", label: "return stopped — needs a person" },
};

function CatchUp({ r }: { r: RegionReturnView }) {
  const last = r.catchUp.at(-1);
  if (!last) return null;
  return (
    <div className="catch-up small" data-testid="catch-up">
      <span>
        backlog <span className="num">{last.backlog}</span> transactions · applying <span className="num">{last.applyPerSec ?? "—"}</span>/s against{" "}
        <span className="num">{last.incomingPerSec ?? "—"}</span>/s incoming · ETA{" "}
        <span className="num">{last.etaSec === null ? (last.backlog === 0 ? "0 s" : "not converging") : `${last.etaSec} s`}</span>
        <span className="muted"> (sampled {new Date(last.at).toLocaleTimeString("en-GB")})</span>
      </span>
      {r.catchUp.length > 1 && (
        <div className="spark" aria-hidden>
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={r.catchUp} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
              <YAxis hide domain={[0, "dataMax"]} />
              <Tooltip
                isAnimationActive={false}
                formatter={(v) => [`${v} transactions`, "backlog"]}
                labelFormatter={(_, p) => (p?.[0] ? new Date(p[0].payload.at).toLocaleTimeString("en-GB") : "")}
                contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)", fontSize: 12 }}
              />
              <Line type="monotone" dataKey="backlog" stroke="var(--chart)" strokeWidth={1.5} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}

export function RegionReturn({
  f,
  now,
  canAct,
  regionName,
  act,
}: {
  f: FailoverView;
  now: number;
  canAct: boolean;
  regionName: string;
  act: (input: { failoverId: string; reason: string; decision?: "reapply" | "discard" }) => Promise<string | null>;
}) {
  const [errant, setErrant] = useState<ErrantView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const r = f.return ?? null;
  const running = r && (r.state === "queued" || r.state === "running");
  const records = errant ? errant.tenants.reduce((n, t) => n + t.ids.length, 0) : 0;
  const bringBack = async (decision?: "reapply" | "discard") => {
    const err = await act({ failoverId: f.id, reason, ...(decision ? { decision } : {}) });
    setError(err);
    if (!err) setErrant(null);
  };
  return (
    <div className="region-return" data-testid={`return-${f.id}`}>
      {r && (
        <div className="stepper" data-state={r.state}>
          <div className="stepper-head">
            <StatusPill status={PILL[r.state].status} label={PILL[r.state].label} />
            <span className="muted small">
              {r.requestedBy} · {new Date(r.createdAt).toLocaleTimeString("en-GB")}
              {r.decision && ` · errant writes: ${r.decision === "reapply" ? "re-apply" : "discard"}`}
            </span>
          </div>
          <OperationSteps steps={r.steps} now={now} />
          <CatchUp r={r} />
          {r.error && <div className="small error-text">{r.error}</div>}
        </div>
      )}
      {canAct && !f.closedAt && f.state === "completed" && !running && (
        <div className="inline-form small">
          <strong>Bring {regionName} back:</strong>
          <button
            type="button"
            className="btn small"
            data-testid={`return-check-${f.id}`}
            onClick={async () => {
              setError(null);
              try {
                setErrant(await fetchJson<ErrantView>(`/api/failovers/${f.id}/return`));
              } catch (e) {
                setErrant(null);
                setError((e as Error).message);
              }
            }}
          >
            Check what it wrote that was never replicated
          </button>
          {errant && (
            <>
              <span data-testid="errant">
                {errant.transactions} transaction(s) of its domain not applied; {records} tenant record(s)
                {records > 0 && `: ${errant.tenants.map((t) => `${t.tenant} ${t.ids.length}`).join(", ")}`}
              </span>
              <input
                className="input small"
                aria-label="Reason for bringing it back"
                placeholder="reason (audited)"
                value={reason}
                maxLength={500}
                onChange={(e) => setReason(e.target.value)}
              />
              {records > 0 ? (
                <>
                  <button type="button" className="btn small" onClick={() => bringBack("reapply")} data-testid={`return-reapply-${f.id}`}>
                    Bring back, re-apply {records} record(s)
                  </button>
                  <button type="button" className="btn small danger" onClick={() => bringBack("discard")} data-testid={`return-discard-${f.id}`}>
                    Bring back, discard {records} record(s)
                  </button>
                </>
              ) : (
                <button type="button" className="btn small" onClick={() => bringBack()} data-testid={`return-go-${f.id}`}>
                  Bring back
                </button>
              )}
            </>
          )}
          {error && (
            <span className="error-text" role="alert">
              {error}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
