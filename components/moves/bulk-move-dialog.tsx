"use client";
import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { RegionView } from "@/lib/regions/types";
import type { TenantView } from "@/lib/tenants/types";
import type { BulkResult } from "@/lib/moves/types";
import { runOperation } from "@/lib/ops/actions";
import { queryKeys } from "@/lib/query-keys";

export interface BulkMoveDialogHandle {
  open(tenants: TenantView[]): void;
}

/** T4: move a selection to one region; the server checks each tenant and asks a second admin. */
export const BulkMoveDialog = forwardRef<BulkMoveDialogHandle, { regions: RegionView[]; onDone(): void }>(function BulkMoveDialog({ regions, onDone }, ref) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [tenants, setTenants] = useState<TenantView[]>([]);
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [rehome, setRehome] = useState(false);
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<BulkResult | null>(null);
  const qc = useQueryClient();
  const name = (id: string) => regions.find((r) => r.id === id)?.name ?? id;

  useImperativeHandle(ref, () => ({
    open(ts) {
      setTenants(ts);
      setTarget(regions.find((r) => ts.some((t) => t.servingRegionId !== r.id))?.id ?? regions[0]?.id ?? "");
      setReason("");
      setError(null);
      setResult(null);
      setKey(crypto.randomUUID().replaceAll("-", ""));
      dialog.current?.showModal();
    },
  }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await runOperation("tenant.bulk_move", {
      tenantIds: tenants.map((t) => t.id),
      targetRegionId: target,
      reason: reason || undefined,
      rehome: rehome || undefined,
      idempotencyKey: key,
    });
    setBusy(false);
    void qc.invalidateQueries({ queryKey: queryKeys.moves.all });
    void qc.invalidateQueries({ queryKey: queryKeys.approvals.all });
    if (!res.ok) return setError(res.error.message);
    setResult(res.data);
    onDone();
  }

  return (
    <dialog ref={dialog} className="wide" aria-labelledby="bulk-title" data-testid="bulk-dialog">
      <form onSubmit={submit}>
        <h2 id="bulk-title">Move {tenants.length} tenants</h2>
        <p className="small muted">{tenants.map((t) => t.name).join(", ")}</p>
        {!result && (
          <>
            <label className="field">
              Target region
              <select className="input" value={target} onChange={(e) => setTarget(e.target.value)} aria-label="Target region">
                {regions.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field" style={{ marginTop: 8 }}>
              Reason (recorded in the audit log)
              <input
                className="input"
                value={reason}
                maxLength={500}
                onChange={(e) => setReason(e.target.value)}
                placeholder="e.g. East Malaysia clinics to Cyberjaya"
              />
            </label>
            <label className="check" style={{ marginTop: 8 }} data-testid="bulk-rehome">
              <input type="checkbox" checked={rehome} onChange={(e) => setRehome(e.target.checked)} /> Make {name(target)} their primary region (re-home)
            </label>
            <p className="small muted">
              Each tenant gets its own staged move (pre-flight, fence, catch-up, flip, verify), two at a time. A bulk move is region-wide: a second admin must
              approve it unless you hold break-glass.
            </p>
          </>
        )}
        {result && (
          <div className="ok-box" data-testid="bulk-result">
            {result.moves.length} moves to {name(target)}
            {result.moves[0]?.rehome ? ` (re-home: ${name(target)} becomes their primary)` : ""}{" "}
            {result.approval ? "wait for a second admin's approval" : "are queued"}.
            {result.refused.length > 0 && (
              <ul className="small" style={{ margin: "6px 0 0" }}>
                {result.refused.map((r) => (
                  <li key={r.tenantId}>
                    {r.tenantId}: {r.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="bulk-error">
            {error}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => dialog.current?.close()}>
            {result ? "Close" : "Cancel"}
          </button>
          {!result && (
            <button type="submit" className="btn primary" disabled={busy || !target}>
              {busy ? "Requesting…" : `Move ${tenants.length} to ${name(target)}`}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
});
