"use client";
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, ShieldQuestion, X } from "lucide-react";
import { fetchJson } from "@/lib/http/fetch-json";
import { runOperation } from "@/lib/ops/actions";
import type { ApprovalView } from "@/lib/approvals/types";
import { queryKeys } from "@/lib/query-keys";
import { formatDuration } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { useTopic } from "../realtime/socket";
import { useActor } from "../providers";

const KEY = queryKeys.approvals.pending;

/** T5: requests waiting for a second admin, with their expiry counting down. */
export function ApprovalsPanel() {
  const actor = useActor();
  const qc = useQueryClient();
  useTopic("tenants"); // moves:changed (requested, decided, expired) refreshes the list
  const now = useNow(1000);
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({ queryKey: KEY, queryFn: () => fetchJson<ApprovalView[]>("/api/approvals?pending=1"), refetchInterval: 15_000 });
  const pending = (q.data ?? []).filter((a) => Date.parse(a.expiresAt) > now);
  if (pending.length === 0) return null;

  async function decide(id: string, decision: "approve" | "reject") {
    setError(null);
    const res = await runOperation("approval.decide", { approvalId: id, decision });
    if (!res.ok) setError(res.error.message);
    // Decided (by us or, on a conflict, by someone else): it is no longer pending.
    qc.setQueryData<ApprovalView[]>(KEY, (prev) => (prev ?? []).filter((a) => a.id !== id || !res.ok));
    void qc.invalidateQueries({ queryKey: KEY });
    void qc.invalidateQueries({ queryKey: queryKeys.moves.all });
  }

  return (
    <section aria-labelledby="approvals-title" className="card" style={{ marginBottom: 12 }} data-testid="approvals-panel">
      <h2 id="approvals-title" style={{ display: "flex", gap: 6, alignItems: "center" }}>
        <ShieldQuestion size={16} aria-hidden /> Waiting for a second admin
      </h2>
      <ul className="alert-list">
        {pending.map((a) => {
          const mine = a.requestedBy === actor.email;
          return (
            <li key={a.id} className="approval" data-testid={`approval-${a.id}`}>
              <div>
                <strong>{a.summary}</strong>
                <div className="small muted">
                  requested by {a.requestedBy} · expires in <span className="num">{formatDuration(Date.parse(a.expiresAt) - now)}</span>
                </div>
              </div>
              <div style={{ display: "flex", gap: 6 }}>
                <button
                  type="button"
                  className="btn primary"
                  disabled={mine}
                  title={mine ? "Another admin must approve your request" : undefined}
                  onClick={() => decide(a.id, "approve")}
                >
                  <Check size={14} aria-hidden /> Approve
                </button>
                <button type="button" className="btn danger" disabled={mine} onClick={() => decide(a.id, "reject")}>
                  <X size={14} aria-hidden /> Reject
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {error && (
        <div className="error-box" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
